// Package catalog holds the shop catalogue (policy 二(二)): categories,
// shops, items and channels. Sellers write their own shops' items,
// operators the categories and channels; everyone, signed in or not, reads.
// Nothing here depends on who reads it: a price is the item's price for
// every person (PIPL art. 24).
package catalog

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"minimall"
)

// TopicItemsChanged is the change-feed topic of item writes; its payload
// lists the changed item ids, so followers (the search index) reload them.
const TopicItemsChanged = "catalog.items_changed"

// ItemsChanged is the payload of TopicItemsChanged.
type ItemsChanged struct {
	Items []string `json:"items"`
}

// Item statuses.
const (
	OnSale   = "on_sale"
	OffShelf = "off_shelf"
	Removed  = "removed" // gone for buyers; kept for orders that name it
)

// PageSize is the number of items on a category or shop page.
const PageSize = 20

// Category is a node of the category tree (two levels).
type Category struct {
	ID       string `json:"id"`
	Parent   string `json:"parent,omitempty"`
	Name     string `json:"name"`
	Position int    `json:"position"`
	// Children is filled by the tree listing only.
	Children []*Category `json:"children,omitempty"`
}

// Shop is a seller's shop.
type Shop struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	// Owner is the seller's subject; shown to the seller and operators only.
	Owner minimall.SubjectID `json:"-"`
}

// Item is an item as a buyer sees it.
type Item struct {
	ID          string            `json:"id"`
	Shop        string            `json:"shop"`
	ShopName    string            `json:"shop_name,omitempty"`
	Category    string            `json:"category"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	PriceFen    int64             `json:"price_fen"`
	Stock       int64             `json:"stock"`
	Attributes  map[string]string `json:"attributes,omitempty"`
	Images      []string          `json:"images"`
	Status      string            `json:"status"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// Page is one page of items.
type Page struct {
	Items []*Item `json:"items"`
	Page  int     `json:"page"`
	// NextPage is the next page number, or 0 on the last page.
	NextPage int `json:"next_page"`
}

// Channel is an operator-curated list of items (频道).
type Channel struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Items       []string  `json:"items,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// NewItem is what a seller submits for a new item.
type NewItem struct {
	Category    string            `json:"category"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	PriceFen    int64             `json:"price_fen"`
	Stock       int64             `json:"stock"`
	Attributes  map[string]string `json:"attributes"`
	Images      []string          `json:"images"`
	// Status is on_sale (the default) or off_shelf.
	Status string `json:"status"`
}

// ItemUpdate changes an item; nil fields stay as they are.
type ItemUpdate struct {
	Category    *string            `json:"category"`
	Title       *string            `json:"title"`
	Description *string            `json:"description"`
	PriceFen    *int64             `json:"price_fen"`
	Stock       *int64             `json:"stock"`
	Attributes  *map[string]string `json:"attributes"`
	Images      *[]string          `json:"images"`
	Status      *string            `json:"status"`
}

// Limits on item data.
const (
	MaxTitle       = 60
	MaxDescription = 5000
	MaxPriceFen    = 10_000_000_000 // 100 million yuan
	MaxStock       = 10_000_000
	MaxAttributes  = 30
	MaxImages      = 10
)

func invalid(op, msg string) error { return minimall.Errorf(minimall.Invalid, op, "%s", msg) }

// validText checks a required or optional line of text.
func validText(s string, min, max int) bool {
	n := utf8.RuneCountInString(s)
	return utf8.ValidString(s) && n >= min && n <= max && !strings.ContainsAny(s, "\x00")
}

// Validate checks a new item; Returns Invalid with the rule broken.
func (n *NewItem) Validate() error {
	const op = "catalog.NewItem"
	n.Title = strings.TrimSpace(n.Title)
	if n.Status == "" {
		n.Status = OnSale
	}
	switch {
	case n.Category == "":
		return invalid(op, "category is required. 须选择类目。")
	case !validText(n.Title, 1, MaxTitle) || strings.ContainsAny(n.Title, "\r\n"):
		return invalid(op, "A title has 1 to 60 characters on one line. 标题须为1至60个字符。")
	case !validText(n.Description, 0, MaxDescription):
		return invalid(op, "A description has at most 5000 characters. 描述最多5000个字符。")
	case n.PriceFen <= 0 || n.PriceFen > MaxPriceFen:
		return invalid(op, "price_fen is a whole number of fen from 1 to 10000000000. 价格须为1分至1亿元之间的整数（分）。")
	case n.Stock < 0 || n.Stock > MaxStock:
		return invalid(op, "stock is from 0 to 10000000. 库存须为0至1000万。")
	case n.Status != OnSale && n.Status != OffShelf:
		return invalid(op, "status is on_sale or off_shelf. 状态须为 on_sale 或 off_shelf。")
	}
	if err := validAttributes(n.Attributes); err != nil {
		return err
	}
	return validImages(n.Images)
}

func validAttributes(attrs map[string]string) error {
	const op = "catalog.attributes"
	if len(attrs) > MaxAttributes {
		return invalid(op, "At most 30 attributes. 属性最多30项。")
	}
	for k, v := range attrs {
		if !validText(k, 1, 20) || !validText(v, 0, 100) {
			return invalid(op, "An attribute name has 1 to 20 characters, its value at most 100. 属性名须为1至20个字符，属性值最多100个字符。")
		}
	}
	return nil
}

func validImages(images []string) error {
	const op = "catalog.images"
	if len(images) > MaxImages {
		return invalid(op, "At most 10 images. 图片最多10张。")
	}
	for _, s := range images {
		u, err := url.Parse(s)
		if err != nil || len(s) > 500 || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return invalid(op, "An image is an http(s) URL of at most 500 characters. 图片须为 http(s) 链接，最多500个字符。")
		}
	}
	return nil
}

// apply returns the item with u applied, validated.
func (u ItemUpdate) apply(it *Item) (*NewItem, error) {
	n := &NewItem{Category: it.Category, Title: it.Title, Description: it.Description, PriceFen: it.PriceFen,
		Stock: it.Stock, Attributes: it.Attributes, Images: it.Images, Status: it.Status}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&n.Category, u.Category)
	set(&n.Title, u.Title)
	set(&n.Description, u.Description)
	set(&n.Status, u.Status)
	if u.PriceFen != nil {
		n.PriceFen = *u.PriceFen
	}
	if u.Stock != nil {
		n.Stock = *u.Stock
	}
	if u.Attributes != nil {
		n.Attributes = *u.Attributes
	}
	if u.Images != nil {
		n.Images = *u.Images
	}
	if n.Status == Removed {
		return nil, invalid("catalog.UpdateItem", "Delete an item with DELETE, not by status. 请使用删除接口下架并删除商品。")
	}
	return n, n.Validate()
}
