package http

import (
	nethttp "net/http"
	"net/url"
	"strconv"

	"minimall"
	"minimall/addressbook"
	"minimall/cart"
	"minimall/catalog"
	"minimall/order"
	"minimall/privacy"
	"minimall/transfer"
)

// registerOrderPages registers the cart, checkout, payment and orders.
func (s *Server) registerOrderPages() {
	s.handlePage("GET /cart", s.pageCart)
	s.handlePage("POST /cart/items", s.pageCartAdd)
	s.handlePage("POST /cart/items/{id}/quantity", s.pageCartQuantity)
	s.handlePage("POST /cart/items/{id}/remove", s.pageCartRemove)
	if s.Orders != nil {
		s.handlePage("GET /checkout", s.pageCheckout)
		s.handlePage("POST /checkout", s.pageCheckoutPost)
		s.handlePage("GET /orders", s.pageOrders)
		s.handlePage("GET /orders/{id}", s.pageOrder)
		s.handlePage("POST /orders/{id}/pay", s.pageOrderPay)
		if s.Transfers != nil {
			s.handlePage("POST /orders/{id}/cross-border/consent", s.pageCrossBorderConsent)
			s.handlePage("POST /orders/{id}/cross-border/send", s.pageCrossBorderSend)
		}
	}
}

// pageCart handles "GET /cart": the lines at today's prices, a price drop
// marked.
func (s *Server) pageCart(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	c, err := s.Carts.Get(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "cart", "cart.title", c)
}

// pageCartAdd handles "POST /cart/items": from an item page. A visitor is
// asked to sign in first and comes back to the item.
func (s *Server) pageCartAdd(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	item := r.PostForm.Get("item")
	a := minimall.ActorFromContext(r.Context())
	if a.Kind != minimall.Shopper {
		seeOther(w, r, "/signin?"+url.Values{"next": {"/items/" + url.PathEscape(item)}}.Encode())
		return
	}
	qty, err := quantity(r.PostForm.Get("quantity"))
	if err == nil {
		_, err = s.Carts.Add(r.Context(), a, item, qty)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/cart")
}

func quantity(v string) (int64, error) {
	if v == "" {
		return 1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, minimall.Errorf(minimall.Invalid, "", "A quantity is a whole number. 数量须为整数。")
	}
	return n, nil
}

// pageCartQuantity handles "POST /cart/items/{id}/quantity".
func (s *Server) pageCartQuantity(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	qty, err := quantity(r.PostForm.Get("quantity"))
	if err == nil {
		_, err = s.Carts.SetQuantity(r.Context(), a, r.PathValue("id"), qty)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/cart")
}

// pageCartRemove handles "POST /cart/items/{id}/remove".
func (s *Server) pageCartRemove(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if err := s.Carts.Remove(r.Context(), a, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/cart")
}

type checkoutData struct {
	Cart *cart.Cart
	// Saved are the person's saved recipients; ?address= fills one in.
	Saved []addressbook.Address
	// CrossBorder: a line is cross-border goods, so customs needs the
	// orderer's ID; no other checkout asks for it.
	CrossBorder bool
	Form        checkoutForm
	Error       string
}

// checkoutForm is what the checkout form sends, kept to show the form
// again after a refusal (never in an address).
type checkoutForm struct {
	Name, Address, Phone, ExtraPhone, DeliveryTime, Remark string
	ForSomeoneElse, RecipientAgreed, Invoice               bool
	InvoiceTitle, TaxpayerID, InvoiceEmail                 string
	CustomsName, CustomsNumber                             string
}

// pageCheckout handles "GET /checkout": the cart's available lines and
// the recipient. The recipient's name, address and phone are the only
// inputs required (二(三)1); the rest is folded away.
func (s *Server) pageCheckout(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	d, err := s.checkoutData(r, a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(d.Cart.Lines) == 0 {
		seeOther(w, r, "/cart")
		return
	}
	if id := r.URL.Query().Get("pickup"); id != "" && s.Pickup != nil {
		if p, err := s.Pickup.Find(r.Context(), id); err == nil {
			d.Form.Address = p.Address + "（" + p.Name + "）"
		}
	}
	if id := r.URL.Query().Get("address"); id != "" {
		for _, ad := range d.Saved {
			if ad.ID == id {
				d.Form.Name, d.Form.Address, d.Form.Phone = ad.Name, ad.Address, ad.Phone
			}
		}
	}
	s.render(w, r, nethttp.StatusOK, "checkout", "checkout.title", d)
}

func (s *Server) checkoutData(r *nethttp.Request, a minimall.Actor) (*checkoutData, error) {
	c, err := s.Carts.Get(r.Context(), a)
	if err != nil {
		return nil, err
	}
	d := &checkoutData{Cart: c}
	if s.AddressBook != nil {
		if d.Saved, err = s.AddressBook.List(r.Context(), a); err != nil {
			return nil, err
		}
	}
	var ids []string
	for _, l := range c.Lines {
		ids = append(ids, l.Item)
	}
	if len(ids) > 0 {
		items, err := s.Catalog.Items(r.Context(), ids)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.Attributes[catalog.CrossBorderAttribute] != "" {
				d.CrossBorder = true
			}
		}
	}
	return d, nil
}

// pageCheckoutPost handles "POST /checkout": the cart's available lines
// become orders, one per shop; then the first order's page to pay it.
func (s *Server) pageCheckoutPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	f := r.PostForm
	form := checkoutForm{Name: f.Get("name"), Address: f.Get("address"), Phone: f.Get("phone"), ExtraPhone: f.Get("extra_phone"),
		DeliveryTime: f.Get("delivery_time"), Remark: f.Get("remark"), ForSomeoneElse: f.Get("for_someone_else") == "yes",
		RecipientAgreed: f.Get("recipient_agreed") == "yes", Invoice: f.Get("invoice") == "yes", InvoiceTitle: f.Get("invoice_title"),
		TaxpayerID: f.Get("taxpayer_id"), InvoiceEmail: f.Get("invoice_email"), CustomsName: f.Get("customs_name"), CustomsNumber: f.Get("customs_number")}
	req := order.PlaceRequest{FromCart: true, Remark: form.Remark, ForSomeoneElse: form.ForSomeoneElse, RecipientAgreed: form.RecipientAgreed,
		Recipient: order.Recipient{Name: form.Name, Address: form.Address, Phone: form.Phone, ExtraPhone: form.ExtraPhone, DeliveryTime: form.DeliveryTime}}
	if form.Invoice {
		req.InvoiceRequested = true
		req.Invoice = &order.Invoice{Title: form.InvoiceTitle, TaxpayerID: form.TaxpayerID, Email: form.InvoiceEmail}
	}
	if form.CustomsName != "" || form.CustomsNumber != "" {
		req.CustomsID = &order.CustomsID{Name: form.CustomsName, Number: form.CustomsNumber}
	}
	orders, _, err := s.Orders.Place(r.Context(), a, req, "")
	if err != nil {
		s.refused(w, r, err, func(status int, msg string) {
			d, derr := s.checkoutData(r, a)
			if derr != nil {
				s.pageError(w, r, derr)
				return
			}
			d.Form, d.Error = form, msg
			s.render(w, r, status, "checkout", "checkout.title", d)
		})
		return
	}
	if len(orders) == 1 {
		seeOther(w, r, "/orders/"+orders[0].ID)
		return
	}
	seeOther(w, r, "/orders")
}

// pageOrders handles "GET /orders": my orders, newest first.
func (s *Server) pageOrders(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	page, err := pageParam(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	list, err := s.Orders.Find(r.Context(), a, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "orders", "orders.title", list)
}

// pageOrder handles "GET /orders/{id}": the order, its recipient, payment
// and the delivery timeline.
func (s *Server) pageOrder(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	o, err := s.Orders.FindByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := orderPage{Order: o}
	if o.CrossBorder && s.Transfers != nil {
		if d.CrossBorder, d.Transfers, err = s.crossBorderOf(r, a, o.ID); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.render(w, r, nethttp.StatusOK, "order", "order.title", d)
}

// orderPage is an order and, for cross-border goods, the notice of the
// transfer abroad (五(二)) with its consent and what was sent.
type orderPage struct {
	*order.Order
	CrossBorder *transfer.Notice
	Transfers   []transfer.Transfer
}

// crossBorderOf returns the transfer notice of a's order and the
// transfers made for it.
func (s *Server) crossBorderOf(r *nethttp.Request, a minimall.Actor, orderID string) (*transfer.Notice, []transfer.Transfer, error) {
	n, err := s.Transfers.Notice(r.Context(), a, orderID)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.Transfers.List(r.Context(), a)
	if err != nil {
		return nil, nil, err
	}
	var mine []transfer.Transfer
	for _, t := range all {
		if t.Order == orderID {
			mine = append(mine, t)
		}
	}
	return n, mine, nil
}

// pageCrossBorderConsent handles "POST /orders/{id}/cross-border/consent":
// the separate consent to the transfer abroad, given on the notice the
// page showed (its version), or withdrawn.
func (s *Server) pageCrossBorderConsent(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	// The consent is the person's, for every cross-border order; given here,
	// it is given on this order's page, which must be theirs.
	if _, err := s.Transfers.Notice(r.Context(), a, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	req := transfer.ConsentRequest{Action: privacy.ConsentAction(r.PostForm.Get("action")), NoticeVersion: r.PostForm.Get("notice_version")}
	if _, err := s.Transfers.Consent(r.Context(), a, req, requestIDFrom(r.Context())); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/orders/"+url.PathEscape(r.PathValue("id"))+"#cross-border")
}

// pageCrossBorderSend handles "POST /orders/{id}/cross-border/send": the
// de-identified waybill goes to the overseas recipient (only with the
// consent in force).
func (s *Server) pageCrossBorderSend(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Transfers.Send(r.Context(), a, r.PathValue("id"), requestIDFrom(r.Context())); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/orders/"+url.PathEscape(r.PathValue("id"))+"#cross-border")
}

// pageOrderPay handles "POST /orders/{id}/pay": the payment is opened at
// the payment institution, and the browser goes to its cashier page,
// which sends it back to the order once paid.
func (s *Server) pageOrderPay(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	p, _, err := s.Orders.Pay(r.Context(), a, r.PathValue("id"), order.PayRequest{}, "", requestIDFrom(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	nethttp.Redirect(w, r, p.PayURL, nethttp.StatusSeeOther)
}
