package http

import (
	"io"
	nethttp "net/http"
	"strconv"
	"strings"

	"minimall"
	"minimall/catalog"
	"minimall/order"
)

// registerSellerPages registers the seller's pages (三(五)1): open a shop,
// add items, see the orders to ship with only what shipping needs, ship.
func (s *Server) registerSellerPages() {
	s.handlePage("GET /seller", s.pageSeller)
	s.handlePage("POST /seller/shops", s.pageShopOpen)
	s.handlePage("GET /seller/shops/{id}", s.pageSellerShop)
	s.handlePage("POST /seller/shops/{id}/items", s.pageItemAdd)
	s.handlePage("POST /seller/items/{id}/picture", s.pageItemPicture)
	if s.Orders != nil {
		s.handlePage("GET /seller/orders/{id}", s.pageSellerOrder)
		s.handlePage("POST /seller/orders/{id}/ship", s.pageSellerShip)
	}
}

type sellerData struct {
	Shops []*catalog.Shop
	Error string
}

// pageSeller handles "GET /seller": my shops, and a form to open one.
func (s *Server) pageSeller(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	shops, err := s.Catalog.MyShops(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "seller", "seller.title", sellerData{Shops: shops})
}

// pageShopOpen handles "POST /seller/shops".
func (s *Server) pageShopOpen(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	sh, err := s.Catalog.CreateShop(r.Context(), a, r.PostForm.Get("name"), r.PostForm.Get("description"))
	if err != nil {
		shops, _ := s.Catalog.MyShops(r.Context(), a)
		d := &sellerData{Shops: shops}
		s.formError(w, r, err, "seller", "seller.title", d, &d.Error)
		return
	}
	seeOther(w, r, "/seller/shops/"+sh.ID)
}

type sellerShopData struct {
	Shop       *catalog.Shop
	Items      []*catalog.Item
	Orders     []order.ShopOrder
	Categories []*catalog.Category
	Error      string
}

// pageSellerShop handles "GET /seller/shops/{id}": the shop's items, the
// form to add one, and its orders.
func (s *Server) pageSellerShop(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	d, err := s.sellerShop(r, a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "seller_shop", "seller.shop", d)
}

func (s *Server) sellerShop(r *nethttp.Request, a minimall.Actor) (*sellerShopData, error) {
	sh, page, err := s.Catalog.ShopPage(r.Context(), r.PathValue("id"), 1)
	if err != nil {
		return nil, err
	}
	if sh.Owner != a.Subject {
		return nil, minimall.Errorf(minimall.NotFound, "", "No such shop of yours. 没有这个店铺。")
	}
	d := &sellerShopData{Shop: sh, Items: page.Items}
	if d.Categories, err = s.Catalog.Categories(r.Context()); err != nil {
		return nil, err
	}
	if s.Orders != nil {
		if d.Orders, err = s.Orders.ShopOrders(r.Context(), a, sh.ID, 1); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// pageItemAdd handles "POST /seller/shops/{id}/items".
func (s *Server) pageItemAdd(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	f := r.PostForm
	price, perr := yuanToFen(f.Get("price"))
	stock, serr := strconv.ParseInt(f.Get("stock"), 10, 64)
	var err error
	switch {
	case perr != nil:
		err = perr
	case serr != nil:
		err = minimall.Errorf(minimall.Invalid, "", "Stock is a whole number. 库存须为整数。")
	default:
		_, err = s.Catalog.CreateItem(r.Context(), a, r.PathValue("id"), catalog.NewItem{Category: f.Get("category"), Title: f.Get("title"),
			Description: f.Get("description"), PriceFen: price, Stock: stock})
	}
	if err != nil {
		d, derr := s.sellerShop(r, a)
		if derr != nil {
			s.pageError(w, r, derr)
			return
		}
		s.formError(w, r, err, "seller_shop", "seller.shop", d, &d.Error)
		return
	}
	seeOther(w, r, "/seller/shops/"+r.PathValue("id"))
}

// maxUpload bounds an upload's request: the picture and the form around it.
const maxUpload = catalog.MaxImageBytes + 64<<10

// isUploadPath reports whether a path is a route that takes an upload
// (checked on every request, so no regular expression).
func isUploadPath(p string) bool {
	return strings.HasPrefix(p, "/seller/items/") && strings.HasSuffix(p, "/picture")
}

// pageItemPicture handles "POST /seller/items/{id}/picture": the item's
// picture, re-encoded by the catalogue so no metadata is kept.
func (s *Server) pageItemPicture(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	f, _, err := r.FormFile("picture")
	if err != nil {
		s.pageError(w, r, minimall.Errorf(minimall.Invalid, "", "Choose a picture to upload. 请选择要上传的图片。"))
		return
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, catalog.MaxImageBytes+1))
	if err == nil {
		_, err = s.Catalog.SetImage(r.Context(), a, r.PathValue("id"), data)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	it, err := s.Catalog.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/seller/shops/"+it.Shop)
}

// yuanToFen reads a price typed in yuan ("12.5", "12.50", "12").
func yuanToFen(v string) (int64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e9 {
		return 0, minimall.Errorf(minimall.Invalid, "", "A price is an amount in yuan, such as 12.50. 价格须为金额（元），例如 12.50。")
	}
	return int64(f*100 + 0.5), nil
}

// pageSellerOrder handles "GET /seller/orders/{id}": what shipping needs
// (the recipient, opened for delivery), and the ship button.
func (s *Server) pageSellerOrder(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	v, err := s.Orders.SellerOrder(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "seller_order", "seller.order", v)
}

// pageSellerShip handles "POST /seller/orders/{id}/ship": the logistics
// partner gets the delivery information and a waybill comes back.
func (s *Server) pageSellerShip(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Orders.Ship(r.Context(), a, r.PathValue("id"), requestIDFrom(r.Context())); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/seller/orders/"+r.PathValue("id"))
}
