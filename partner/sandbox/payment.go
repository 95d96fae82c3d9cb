package sandbox

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"minimall"
	"minimall/privacy"
)

// trade is one payment the sandbox institution holds.
type trade struct {
	paymentID string
	notifyURL string
	amountFen int64
	channel   string
	returnURL string // where the cashier page sends the payer back
	status    string // created, paid, refunded
}

// tradeBook is the sandbox institution's trades, by trade number.
type tradeBook struct{ *book[trade] }

func paymentKind() kind {
	trades := tradeBook{newBook[trade]()}
	pay := []privacy.Purpose{privacy.ForPayment}
	order := []privacy.Field{privacy.OrderNumber, privacy.PaymentAmount}
	return kind{
		ops: map[string]operation{
			// Only the ref crosses: the payment institution knows its own
			// customers; minimall asks whether this one is verified.
			"payment/realname-status": {purposes: []privacy.Purpose{privacy.ForIdentityCheck, privacy.ForActivity}, handle: paymentStatus},
			"payment/create":          {purposes: pay, fields: order, handle: trades.create},
			"payment/pay-for-me": {purposes: pay, fields: append(order[:2:2], privacy.PayerPhone, privacy.PayerAlipayAccount),
				handle: trades.create},
			"payment/refund": {purposes: pay, fields: order, handle: trades.refund},
		},
		controls: map[string]func(*Sandbox) http.HandlerFunc{
			"POST /payment/realname-status/set": paymentSet,
			"POST /payment/pay":                 trades.pay,
			"GET /payment/pay":                  trades.cashier,
		},
	}
}

// create opens a trade for an order number and amount; pay-for-me also
// names the payer, who would get the request in their wallet app.
func (b tradeBook) create(s *Sandbox, q *Request) (int, any) {
	amount, err := strconv.ParseInt(q.Fields[privacy.PaymentAmount], 10, 64)
	if q.Fields[privacy.OrderNumber] == "" || err != nil || amount <= 0 {
		return bad("order_missing")
	}
	if q.Operation == "payment/pay-for-me" && q.Fields[privacy.PayerPhone] == "" && q.Fields[privacy.PayerAlipayAccount] == "" {
		return bad("payer_missing")
	}
	paymentID, _ := q.Params["payment_id"].(string)
	notifyURL, _ := q.Params["notify_url"].(string)
	channel, _ := q.Params["channel"].(string)
	returnURL, _ := q.Params["return_url"].(string)
	if paymentID == "" || notifyURL == "" {
		return bad("notify_missing")
	}
	no := "T" + time.Now().UTC().Format("20060102") + minimall.RandomToken(8)
	b.put(no, &trade{paymentID: paymentID, notifyURL: notifyURL, amountFen: amount, channel: channel, returnURL: returnURL, status: "created"})
	return http.StatusOK, map[string]string{"trade_no": no, "pay_url": s.url + "/payment/pay?trade_no=" + no}
}

// refund refunds a paid trade in full.
func (b tradeBook) refund(s *Sandbox, q *Request) (int, any) {
	no, _ := q.Params["trade_no"].(string)
	amount, _ := strconv.ParseInt(q.Fields[privacy.PaymentAmount], 10, 64)
	var why string
	found := b.update(no, func(t *trade) {
		switch {
		case t.status != "paid":
			why = "not_paid"
		case t.amountFen != amount:
			why = "amount_mismatch"
		default:
			t.status = "refunded"
		}
	})
	if !found {
		return http.StatusNotFound, errorBody("no_such_trade")
	}
	if why != "" {
		return http.StatusConflict, errorBody(why)
	}
	return http.StatusOK, map[string]string{"refund_no": "R" + no[1:], "status": "refunded"}
}

// cashier is the institution's cashier page (收银台), where a browser the
// shop sent here confirms the payment: the trade's amount and one button,
// which posts the form pay answers by sending the browser back to the
// shop's return address.
func (b tradeBook) cashier(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		no := r.URL.Query().Get("trade_no")
		var t trade
		if !b.update(no, func(tr *trade) { t = *tr }) {
			http.Error(w, "no such trade", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' "+origin(t.returnURL))
		cashierPage.Execute(w, map[string]any{"TradeNo": no, "Amount": fmt.Sprintf("%d.%02d", t.amountFen/100, t.amountFen%100), "Status": t.status})
	}
}

// origin returns the scheme and host of an address.
func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

var cashierPage = template.Must(template.New("cashier").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>支付沙箱收银台 · Payment sandbox cashier</title>
<style>body{font-family:system-ui,"WenQuanYi Micro Hei",sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
.amount{font-size:2rem;font-weight:700;color:#1677ff}button{font:inherit;padding:.7rem 1.5rem;background:#1677ff;color:#fff;border:0;border-radius:6px}</style>
</head><body><main>
<h1>支付沙箱收银台 <span lang="en">Payment sandbox cashier</span></h1>
<p>交易号 Trade <code>{{.TradeNo}}</code></p>
<p class="amount">¥{{.Amount}}</p>
{{if eq .Status "created"}}
<form method="post" action="/payment/pay"><input type="hidden" name="trade_no" value="{{.TradeNo}}">
<button type="submit">确认付款 <span lang="en">Pay</span></button></form>
{{else}}<p>此交易已处理（{{.Status}}）。 <span lang="en">This trade is {{.Status}}.</span></p>{{end}}
</main></body></html>`))

// pay is a TEST CONTROL, unsigned and not part of any real partner's
// interface: the payer confirms the trade in the wallet app ({"trade_no"},
// or ?trade_no=), or on the cashier page (a form). The sandbox then
// reports the payment to minimall's notify URL, signed, before it answers
// {"paid", "notified": minimall's status}, or sends the cashier page's
// browser back to the shop.
func (b tradeBook) pay(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			TradeNo string `json:"trade_no"`
		}
		in.TradeNo = r.URL.Query().Get("trade_no")
		fromPage := r.Header.Get("Content-Type") == "application/x-www-form-urlencoded"
		if fromPage {
			in.TradeNo = r.PostFormValue("trade_no")
		}
		if in.TradeNo == "" {
			if err := decodeControl(w, r, &in); err != nil || in.TradeNo == "" {
				s.reply(w, http.StatusBadRequest, errorBody("malformed"))
				return
			}
		}
		var t trade
		ok := b.update(in.TradeNo, func(tr *trade) {
			if tr.status == "created" {
				tr.status = "paid"
			}
			t = *tr
		})
		if !ok {
			s.reply(w, http.StatusNotFound, errorBody("no_such_trade"))
			return
		}
		if t.status != "paid" {
			s.reply(w, http.StatusConflict, errorBody("not_payable"))
			return
		}
		if t.channel == "" {
			t.channel = "alipay"
		}
		status, err := s.callBack(t.notifyURL, map[string]any{
			"payment_id": t.paymentID, "trade_no": in.TradeNo, "status": "paid", "amount_fen": t.amountFen,
			"channel": t.channel, "paid_at": time.Now().UTC().Format(time.RFC3339),
		})
		if err != nil {
			s.reply(w, http.StatusBadGateway, errorBody("notify_failed"))
			return
		}
		if fromPage && t.returnURL != "" {
			http.Redirect(w, r, t.returnURL, http.StatusSeeOther)
			return
		}
		s.reply(w, http.StatusOK, map[string]any{"paid": true, "notified": status})
	}
}

// paymentStatus: a status set by the test control, else verified when the
// ref's first character is a letter from a to p (about half of refs).
func paymentStatus(s *Sandbox, q *Request) (int, any) {
	s.mu.Lock()
	v, set := s.verified[q.PartnerRef]
	s.mu.Unlock()
	if !set {
		c := q.PartnerRef[0]
		v = c >= 'a' && c <= 'p'
	}
	return http.StatusOK, map[string]bool{"verified": v}
}

// paymentSet is a TEST CONTROL, unsigned and not part of any real
// partner's interface: it sets the real-name status of a ref.
func paymentSet(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PartnerRef string `json:"partner_ref"`
			Verified   bool   `json:"verified"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil || in.PartnerRef == "" {
			s.reply(w, http.StatusBadRequest, errorBody("malformed"))
			return
		}
		s.mu.Lock()
		s.verified[in.PartnerRef] = in.Verified
		s.mu.Unlock()
		s.reply(w, http.StatusOK, map[string]bool{"verified": in.Verified})
	}
}
