package http

import (
	"context"
	"encoding/json"
	"io"
	nethttp "net/http"

	"minimall"
	"minimall/order"
	"minimall/partner"
)

func (s *Server) registerOrderRoutes() {
	s.handleFunc("POST /api/v1/orders", s.handleOrderCreate)
	s.handleFunc("GET /api/v1/orders", s.handleOrderList)
	s.handleFunc("GET /api/v1/orders/{id}", s.handleOrderGet)
	s.handleFunc("POST /api/v1/orders/{id}/cancel", s.handleOrderCancel)
	s.handleFunc("POST /api/v1/orders/{id}/payments", s.handleOrderPay)
	s.handleFunc("POST /api/v1/orders/{id}/refund", s.handleOrderRefund)
	// Sellers: what shipping needs, and handing the parcel to logistics.
	s.handleFunc("GET /api/v1/seller/shops/{id}/orders", s.handleSellerOrderList)
	s.handleFunc("GET /api/v1/seller/orders/{id}", s.handleSellerOrderGet)
	s.handleFunc("POST /api/v1/seller/orders/{id}/shipments", s.handleSellerShip)
	// Partners call back, signed with their own keys; no session.
	s.handleFunc("POST "+order.PaymentNotifyPath, s.handlePaymentNotify)
	s.handleFunc("POST "+order.TrackingPath, s.handleTrackingNotify)
}

// idempotent marks an answer replayed from an earlier request with the
// same Idempotency-Key.
func idempotent(w nethttp.ResponseWriter, replayed bool) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
}

// handleOrderCreate handles "POST /api/v1/orders": one order per shop,
// from the cart or bought now. An Idempotency-Key header makes a retry
// answer with the orders first placed.
func (s *Server) handleOrderCreate(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req order.PlaceRequest
	if err := decodeJSON(r, &req); err != nil {
		s.problem(w, r, err)
		return
	}
	orders, replayed, err := s.Orders.Place(r.Context(), minimall.ActorFromContext(r.Context()), req, r.Header.Get("Idempotency-Key"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	idempotent(w, replayed)
	writeJSON(w, nethttp.StatusCreated, map[string]any{"orders": orders})
}

// handleOrderList handles "GET /api/v1/orders": "my orders", newest first.
func (s *Server) handleOrderList(w nethttp.ResponseWriter, r *nethttp.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	list, err := s.Orders.Find(r.Context(), minimall.ActorFromContext(r.Context()), page)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	if list == nil {
		list = []*order.Summary{}
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"orders": list, "page": page})
}

// handleOrderGet handles "GET /api/v1/orders/{id}".
func (s *Server) handleOrderGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	o, err := s.Orders.FindByID(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, o)
}

// handleOrderCancel handles "POST /api/v1/orders/{id}/cancel".
func (s *Server) handleOrderCancel(w nethttp.ResponseWriter, r *nethttp.Request) {
	o, err := s.Orders.Cancel(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, o)
}

// handleOrderPay handles "POST /api/v1/orders/{id}/payments": starts the
// payment at the payment institution (or a pay-for-me request). An
// Idempotency-Key header makes a retry answer with the same payment.
func (s *Server) handleOrderPay(w nethttp.ResponseWriter, r *nethttp.Request) {
	var req order.PayRequest
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &req); err != nil {
			s.problem(w, r, err)
			return
		}
	}
	p, replayed, err := s.Orders.Pay(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), req,
		r.Header.Get("Idempotency-Key"), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	idempotent(w, replayed)
	writeJSON(w, nethttp.StatusCreated, p)
}

// handleOrderRefund handles "POST /api/v1/orders/{id}/refund".
func (s *Server) handleOrderRefund(w nethttp.ResponseWriter, r *nethttp.Request) {
	o, err := s.Orders.Refund(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, o)
}

// handleSellerOrderList handles "GET /api/v1/seller/shops/{id}/orders".
func (s *Server) handleSellerOrderList(w nethttp.ResponseWriter, r *nethttp.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	list, err := s.Orders.ShopOrders(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), page)
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]any{"orders": list, "page": page})
}

// handleSellerOrderGet handles "GET /api/v1/seller/orders/{id}".
func (s *Server) handleSellerOrderGet(w nethttp.ResponseWriter, r *nethttp.Request) {
	v, err := s.Orders.SellerOrder(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, v)
}

// handleSellerShip handles "POST /api/v1/seller/orders/{id}/shipments".
func (s *Server) handleSellerShip(w nethttp.ResponseWriter, r *nethttp.Request) {
	sh, err := s.Orders.Ship(r.Context(), minimall.ActorFromContext(r.Context()), r.PathValue("id"), requestIDFrom(r.Context()))
	if err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusCreated, sh)
}

// signedCallback reads a partner's callback body and checks its signature
// with verify; the body is decoded into v only once the signature holds.
func (s *Server) signedCallback(w nethttp.ResponseWriter, r *nethttp.Request, verify func(context.Context, order.Callback) error, v any) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.problem(w, r, minimall.Errorf(minimall.TooLarge, "http.callback", "Request body too large. 请求体过大。"))
		return false
	}
	c := order.Callback{Timestamp: r.Header.Get(partner.HeaderPartnerTimestamp), Nonce: r.Header.Get(partner.HeaderPartnerNonce),
		Signature: r.Header.Get(partner.HeaderPartnerSignature), Path: r.URL.EscapedPath(), Body: body}
	if err := verify(r.Context(), c); err != nil {
		s.problem(w, r, err)
		return false
	}
	if err := json.Unmarshal(body, v); err != nil {
		s.problem(w, r, minimall.Errorf(minimall.Invalid, "http.callback", "Malformed JSON. 请求 JSON 格式错误。"))
		return false
	}
	return true
}

// handlePaymentNotify handles "POST /api/v1/partners/payment/notify": the
// payment institution's signed report that a payment was made.
func (s *Server) handlePaymentNotify(w nethttp.ResponseWriter, r *nethttp.Request) {
	var n order.PaymentNotice
	if !s.signedCallback(w, r, s.Orders.VerifyPaymentCallback, &n) {
		return
	}
	if err := s.Orders.PaymentNotified(r.Context(), n); err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]string{"result": "success"})
}

// handleTrackingNotify handles "POST /api/v1/partners/logistics/tracking":
// the logistics partner's signed report of delivery progress.
func (s *Server) handleTrackingNotify(w nethttp.ResponseWriter, r *nethttp.Request) {
	var n order.TrackingNotice
	if !s.signedCallback(w, r, s.Orders.VerifyTrackingCallback, &n) {
		return
	}
	if err := s.Orders.TrackingNotified(r.Context(), n); err != nil {
		s.problem(w, r, err)
		return
	}
	writeJSON(w, nethttp.StatusOK, map[string]string{"result": "success"})
}
