// Package order places and manages orders (policy 二(三)2) and takes them
// through payment and delivery by partners (二(三)3, 三(一)5(1)). The
// recipient's name, address and phone are the only necessary personal
// fields; everything else is optional or asked only when the law needs it
// (a customs ID for cross-border goods) or the person asks (an invoice).
// Every personal value is sealed through the guard; partners are reached
// only through the gateway, which hands each the fields it may receive.
package order

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"minimall"
	"minimall/cart"
	"minimall/catalog"
	"minimall/mobile"
	"minimall/sqldb"
)

// Status is where an order is in its life.
type Status string

const (
	PendingPayment Status = "pending_payment"
	Paid           Status = "paid"
	Shipped        Status = "shipped"
	Delivered      Status = "delivered"
	Cancelled      Status = "cancelled"
	Refunded       Status = "refunded"
)

// Catalog is what orders need of the catalogue: an atomic stock
// reservation inside the order's transaction, its release, and who owns a
// shop. catalog.Stock implements it.
type Catalog interface {
	Quote(ctx context.Context, wants []catalog.Want) ([]catalog.Priced, error)
	Reserve(ctx context.Context, tx *sqldb.Tx, wants []catalog.Want) ([]catalog.Priced, error)
	Release(ctx context.Context, tx *sqldb.Tx, wants []catalog.Want) error
	ShopOwner(ctx context.Context, shop string) (minimall.SubjectID, error)
}

// Cart is what orders need of the cart: reading the lines an order holds
// before its write, and taking them inside it. cart.Service implements it.
type Cart interface {
	Lines(ctx context.Context, a minimall.Actor, ids []string) ([]cart.Taken, error)
	Take(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, lines []cart.Taken) error
}

// The catalogue and the cart are what these interfaces describe.
var (
	_ Catalog = (*catalog.Stock)(nil)
	_ Cart    = (*cart.Service)(nil)
)

// Line is one item of an order, at the price it was ordered for.
type Line struct {
	Item     string `json:"item"`
	Title    string `json:"title"`
	Shop     string `json:"shop"`
	PriceFen int64  `json:"price_fen"`
	Quantity int64  `json:"quantity"`
}

// Discount is one discount used on an order.
type Discount struct {
	Name      string `json:"name"`
	AmountFen int64  `json:"amount_fen"`
}

// Recipient is who receives the parcel: name, address and phone are
// necessary; the extra phone and delivery time are optional.
type Recipient struct {
	Name         string `json:"name"`
	Address      string `json:"address"`
	Phone        string `json:"phone"`
	ExtraPhone   string `json:"extra_phone,omitempty"`
	DeliveryTime string `json:"delivery_time,omitempty"`
}

// Invoice is what an invoice needs.
type Invoice struct {
	Title      string `json:"title"`
	TaxpayerID string `json:"taxpayer_id"`
	Email      string `json:"email"`
}

// CustomsID is the orderer's ID for customs clearance of cross-border goods.
type CustomsID struct {
	Name   string `json:"name"`
	Number string `json:"number"`
}

// LineRequest asks for quantity of item ("buy now").
type LineRequest struct {
	Item     string `json:"item"`
	Quantity int64  `json:"quantity"`
}

// PlaceRequest is an order as the buyer submits it: either cart lines
// (from_cart, optionally only cart_items) or items to buy now.
type PlaceRequest struct {
	FromCart  bool          `json:"from_cart,omitempty"`
	CartItems []string      `json:"cart_items,omitempty"`
	Items     []LineRequest `json:"items,omitempty"`
	Recipient Recipient     `json:"recipient"`
	Remark    string        `json:"remark,omitempty"`
	// ForSomeoneElse: the recipient is another person; RecipientAgreed is
	// the buyer's confirmation that they agreed (二(三)2).
	ForSomeoneElse   bool       `json:"for_someone_else,omitempty"`
	RecipientAgreed  bool       `json:"recipient_agreed,omitempty"`
	InvoiceRequested bool       `json:"invoice_requested,omitempty"`
	Invoice          *Invoice   `json:"invoice,omitempty"`
	CustomsID        *CustomsID `json:"customs_id,omitempty"`
	// IdempotencyKey is the request's Idempotency-Key header, if any: a
	// retry with it answers with the orders first placed.
	IdempotencyKey string `json:"-"`
}

// Order is an order as its buyer sees it.
type Order struct {
	ID        string     `json:"id"`
	Number    string     `json:"number"`
	Status    Status     `json:"status"`
	Shop      string     `json:"shop"`
	CreatedAt time.Time  `json:"created_at"`
	Lines     []Line     `json:"items"`
	Discounts []Discount `json:"discounts"`
	// TotalFen is the sum of the lines; AmountFen what is payable after
	// discounts. Both in fen.
	TotalFen       int64     `json:"total_fen"`
	AmountFen      int64     `json:"amount_fen"`
	Recipient      Recipient `json:"recipient"`
	Remark         string    `json:"remark,omitempty"`
	ForSomeoneElse bool      `json:"for_someone_else"`
	// RecipientRestricted: the recipient asked to delete their data from
	// this completed order; it is kept for its retention, not shown (四).
	RecipientRestricted bool      `json:"recipient_restricted,omitempty"`
	Invoice             *Invoice  `json:"invoice,omitempty"`
	CrossBorder         bool      `json:"cross_border"`
	CustomsDeclared     bool      `json:"customs_declared"`
	Payment             *Payment  `json:"payment,omitempty"`
	Shipment            *Shipment `json:"shipment,omitempty"`
}

// SellerView is what the seller sees of an order: what shipping needs
// (policy 三(五)1), opened through the guard for delivery.
type SellerView struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	Shop      string    `json:"shop"`
	Lines     []Line    `json:"items"`
	Recipient Recipient `json:"recipient"`
}

// Summary is a line of "my orders".
type Summary struct {
	ID        string    `json:"id"`
	Number    string    `json:"number"`
	Status    Status    `json:"status"`
	Shop      string    `json:"shop"`
	CreatedAt time.Time `json:"created_at"`
	AmountFen int64     `json:"amount_fen"`
	Items     int64     `json:"item_count"`
}

var (
	landline         = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}$`)
	taxpayerPattern  = regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{15,20}$`)
	emailPattern     = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$`)
	idNumberPattern  = regexp.MustCompile(`^\d{17}[\dX]$`)
	idempotencyShape = regexp.MustCompile(`^[A-Za-z0-9._:-]{8,64}$`)
)

// normalized puts *p in the one stored form of a mobile number, the same
// for recipients and payers as for accounts, and reports whether it is one.
func normalized(p *string) bool {
	n, err := mobile.Normalize(*p)
	if err == nil {
		*p = n
	}
	return err == nil
}

func invalid(op, msg string) error { return minimall.Errorf(minimall.Invalid, op, "%s", msg) }

// invalidAt is invalid blaming one field of the request, so a checkout
// form can point at it.
func invalidAt(op, field string, rule minimall.Rule, msg string) error {
	return minimall.InvalidField(op, field, rule, "%s", msg)
}

// shapeRule says which rule a value of the wrong shape broke: an empty
// one is missing.
func shapeRule(s string) minimall.Rule {
	if strings.TrimSpace(s) == "" {
		return minimall.RuleRequired
	}
	return minimall.RuleFormat
}

// textRule says which rule a text that failed text broke: empty
// (required), bad characters (format) or its length.
func textRule(s string) minimall.Rule {
	switch {
	case s == "":
		return minimall.RuleRequired
	case !utf8.ValidString(s) || strings.ContainsAny(s, "\x00"):
		return minimall.RuleFormat
	}
	return minimall.RuleLength
}

func text(s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && n >= min && n <= max && !strings.ContainsAny(s, "\x00")
}

// Validate checks the request's shape; the rule that needs the items
// (cross-border goods) is ValidateGoods, checked when they are known.
func (r *PlaceRequest) Validate() error {
	const op = "order.Place"
	rc := &r.Recipient
	rc.Name, rc.Address = strings.TrimSpace(rc.Name), strings.TrimSpace(rc.Address)
	switch {
	case r.IdempotencyKey != "" && !ValidIdempotencyKey(r.IdempotencyKey):
		return invalid(op, "Idempotency-Key is 8-64 of A-Z a-z 0-9 . _ : -. 幂等键格式错误。")
	case r.FromCart && len(r.Items) > 0:
		return invalidAt(op, "items", minimall.RuleCombination, "Order from the cart or buy items now, not both. 请从购物车下单或立即购买，二者选一。")
	case !r.FromCart && len(r.CartItems) > 0:
		return invalidAt(op, "cart_items", minimall.RuleCombination, "cart_items needs from_cart. 指定购物车商品须同时设置 from_cart。")
	case !r.FromCart && len(r.Items) == 0:
		return invalidAt(op, "items", minimall.RuleRequired, "Nothing to order: give items or order from the cart. 没有要购买的商品。")
	case len(r.CartItems) > cart.MaxLines:
		return invalidAt(op, "cart_items", minimall.RuleLength, "At most 120 items in one order. 一次最多120件商品。")
	case len(r.Items) > cart.MaxLines:
		return invalidAt(op, "items", minimall.RuleLength, "At most 120 items in one order. 一次最多120件商品。")
	case !text(rc.Name, 1, 30):
		return invalidAt(op, "recipient.name", textRule(rc.Name), "The recipient's name is required (at most 30 characters). 须填写收货人姓名（最多30个字符）。")
	case !text(rc.Address, 5, 200):
		return invalidAt(op, "recipient.address", textRule(rc.Address), "The delivery address is required (5 to 200 characters). 须填写收货地址（5至200个字符）。")
	case !normalized(&rc.Phone):
		return invalidAt(op, "recipient.phone", shapeRule(rc.Phone), "The recipient's phone is an 11-digit mobile number. 收货人电话须为11位手机号。")
	case rc.ExtraPhone != "" && !normalized(&rc.ExtraPhone) && !landline.MatchString(rc.ExtraPhone):
		return invalidAt(op, "recipient.extra_phone", minimall.RuleFormat, "The extra phone is a mobile or landline number. 其他联系电话格式错误。")
	case !text(rc.DeliveryTime, 0, 40):
		return invalidAt(op, "recipient.delivery_time", textRule(rc.DeliveryTime), "The delivery time has at most 40 characters. 收货时间最多40个字符。")
	case !text(r.Remark, 0, 200):
		return invalidAt(op, "remark", textRule(r.Remark), "A remark has at most 200 characters. 备注最多200个字符。")
	case r.ForSomeoneElse && !r.RecipientAgreed:
		return invalidAt(op, "recipient_agreed", minimall.RuleRequired, "Ordering for someone else: confirm the recipient agreed to give you their details. 为他人下单须确认已取得实际收货人的同意。")
	case !r.ForSomeoneElse && r.RecipientAgreed:
		return invalidAt(op, "recipient_agreed", minimall.RuleCombination, "recipient_agreed is only for ordering for someone else. 仅为他人下单时需确认收货人同意。")
	case !r.InvoiceRequested && r.Invoice != nil:
		// Minimisation: invoice data is collected only when an invoice is asked for.
		return invalidAt(op, "invoice", minimall.RuleCombination, "Invoice details are taken only when you ask for an invoice. 未申请开具发票时不收集发票信息。")
	case r.InvoiceRequested && r.Invoice == nil:
		return invalidAt(op, "invoice", minimall.RuleRequired, "An invoice needs a title, taxpayer ID and e-mail. 开具发票须填写发票抬头、纳税人识别号和电子邮箱。")
	}
	for _, l := range r.Items {
		if l.Item == "" || l.Quantity < 1 || l.Quantity > cart.MaxQuantity {
			return invalidAt(op, "items", minimall.RuleFormat, "Each item needs an id and a quantity from 1 to 999. 每件商品须有编号，数量为1至999。")
		}
	}
	if inv := r.Invoice; inv != nil {
		inv.Title, inv.TaxpayerID, inv.Email = strings.TrimSpace(inv.Title), strings.ToUpper(strings.TrimSpace(inv.TaxpayerID)), strings.TrimSpace(inv.Email)
		if !text(inv.Title, 1, 100) || !taxpayerPattern.MatchString(inv.TaxpayerID) || !emailPattern.MatchString(inv.Email) || len(inv.Email) > 254 {
			return invalidAt(op, "invoice", minimall.RuleFormat, "An invoice needs a title, a taxpayer ID (15-20 characters) and an e-mail address. 发票须填写抬头、纳税人识别号（15至20位）和电子邮箱。")
		}
	}
	if c := r.CustomsID; c != nil {
		c.Name, c.Number = strings.TrimSpace(c.Name), strings.ToUpper(strings.TrimSpace(c.Number))
		if !text(c.Name, 1, 30) || !idNumberPattern.MatchString(c.Number) {
			return invalidAt(op, "customs_id", minimall.RuleFormat, "Customs clearance needs the name and 18-character ID number of the orderer. 跨境清关须填写订购人姓名和18位身份证号。")
		}
	}
	return nil
}

// ValidateGoods checks the request against the goods it buys: the
// orderer's ID is taken for cross-border goods, and only for them.
func (r *PlaceRequest) ValidateGoods(priced []catalog.Priced) error {
	const op = "order.Place"
	cross := false
	for _, p := range priced {
		cross = cross || p.CrossBorder
	}
	switch {
	case cross && r.CustomsID == nil:
		return invalidAt(op, "customs_id", minimall.RuleRequired, "Cross-border goods need the orderer's ID for customs clearance. 跨境商品须提供订购人身份证件信息以完成清关。")
	case !cross && r.CustomsID != nil:
		// 二(三)2: the ID is collected only for cross-border goods.
		return invalidAt(op, "customs_id", minimall.RuleCombination, "An ID number is taken only for cross-border goods. 仅跨境商品需提供身份证件信息。")
	}
	return nil
}

// ValidIdempotencyKey reports whether k is usable as an Idempotency-Key.
func ValidIdempotencyKey(k string) bool { return idempotencyShape.MatchString(k) }
