package sandbox

import (
	"net/http"
	"time"

	"minimall"
	"minimall/privacy"
)

// waybill is one parcel the sandbox logistics system carries.
type waybill struct {
	shipmentID  string
	callbackURL string
	status      string // created, in_transit, delivered
}

// waybillBook is the sandbox logistics system's parcels, by waybill number.
type waybillBook struct{ *book[waybill] }

func logisticsKind() kind {
	waybills := waybillBook{newBook[waybill]()}
	return kind{
		ops: map[string]operation{
			// 三(一)5(1)B: the delivery information only — the recipient's
			// name, address and phone, and what is in the parcel.
			"logistics/shipments": {
				purposes: []privacy.Purpose{privacy.ForDelivery},
				fields:   []privacy.Field{privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone, privacy.OrderItems},
				handle:   waybills.create,
			},
		},
		controls: map[string]func(*Sandbox) http.HandlerFunc{"POST /logistics/advance": waybills.advance},
	}
}

// create takes a parcel and gives it a waybill number.
func (b waybillBook) create(s *Sandbox, q *Request) (int, any) {
	for _, f := range []privacy.Field{privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone, privacy.OrderItems} {
		if q.Fields[f] == "" {
			return bad("delivery_info_missing")
		}
	}
	shipmentID, _ := q.Params["shipment_id"].(string)
	callbackURL, _ := q.Params["callback_url"].(string)
	if shipmentID == "" || callbackURL == "" {
		return bad("callback_missing")
	}
	no := "YT" + time.Now().UTC().Format("060102") + minimall.RandomToken(6)
	b.put(no, &waybill{shipmentID: shipmentID, callbackURL: callbackURL, status: "created"})
	return http.StatusOK, map[string]string{"waybill_no": no}
}

// advance is a TEST CONTROL, unsigned and not part of any real partner's
// interface: the carrier scans the parcel ({"waybill_no", "status":
// in_transit or delivered, "description"}). The sandbox reports it to
// minimall's callback URL, signed, before it answers {"notified": status}.
func (b waybillBook) advance(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			WaybillNo   string `json:"waybill_no"`
			Status      string `json:"status"`
			Description string `json:"description"`
		}
		if err := decodeControl(w, r, &in); err != nil || in.WaybillNo == "" || (in.Status != "in_transit" && in.Status != "delivered") {
			s.reply(w, http.StatusBadRequest, errorBody("malformed"))
			return
		}
		var wb waybill
		ok := b.update(in.WaybillNo, func(x *waybill) {
			x.status = in.Status
			wb = *x
		})
		if !ok {
			s.reply(w, http.StatusNotFound, errorBody("no_such_waybill"))
			return
		}
		status, err := s.callBack(wb.callbackURL, map[string]string{
			"shipment_id": wb.shipmentID, "waybill_no": in.WaybillNo, "status": in.Status,
			"description": in.Description, "at": time.Now().UTC().Format(time.RFC3339),
		})
		if err != nil {
			s.reply(w, http.StatusBadGateway, errorBody("notify_failed"))
			return
		}
		s.reply(w, http.StatusOK, map[string]int{"notified": status})
	}
}
