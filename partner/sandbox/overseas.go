package sandbox

import (
	"net/http"

	"minimall"
	"minimall/privacy"
)

// overseasKind is the overseas seller and customs broker (policy 五(二)),
// purpose cross_border:
//
//	POST /overseas/waybills  order.recipient_name, order.recipient_phone (both as
//	                         minimall de-identified them), order.recipient_address,
//	                         order.number, order.items; params transfer_id → {"waybill_no"}
func overseasKind() kind {
	return kind{ops: map[string]operation{
		"overseas/waybills": {
			purposes: []privacy.Purpose{privacy.ForCrossBorder},
			fields: []privacy.Field{privacy.RecipientName, privacy.RecipientPhone, privacy.RecipientAddress,
				privacy.OrderNumber, privacy.OrderItems},
			handle: func(s *Sandbox, q *Request) (int, any) {
				if q.Fields[privacy.RecipientAddress] == "" || q.Fields[privacy.OrderNumber] == "" {
					return bad("waybill_incomplete")
				}
				return http.StatusOK, map[string]string{"waybill_no": "OS" + minimall.RandomToken(6)}
			},
		},
	}}
}
