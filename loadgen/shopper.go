package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sync"

	"minimall/catalog/seed"
)

// Users is how many seeded shoppers the flows sign in as (shopper000001
// onward, passwords derived as `minimall seed` sets them); worker w signs
// in as shopper 1 + w mod Users.
var Users = 100

// shopper is a worker's state: a signed-in seeded shopper, the catalogue
// it walks, and its own random source.
type shopper struct {
	token string
	cat   *catalogue
	rnd   *rand.Rand
}

// catalogue is what the flows pick from, read once per run from the API.
type catalogue struct {
	leaves  []string // leaf category ids
	items   []string // item ids from the first pages of each leaf
	stocked []string // those of them with plenty in stock, for checkout
}

// plenty is the stock an item needs to be bought in a run without selling
// out (a sold-out item answers 409, which is right, but not a checkout).
const plenty = 2000

var catOnce struct {
	sync.Mutex
	base string
	c    *catalogue
}

// loadCatalogue reads the categories and a page of items of each leaf.
func loadCatalogue(ctx context.Context, c *Client) (*catalogue, error) {
	catOnce.Lock()
	defer catOnce.Unlock()
	if catOnce.c != nil && catOnce.base == c.Base {
		return catOnce.c, nil
	}
	type category struct {
		ID       string      `json:"id"`
		Children []*category `json:"children"`
	}
	var tree struct{ Categories []*category }
	if err := c.Call(ctx, "GET", "/api/v1/categories", "", nil, &tree, http.StatusOK); err != nil {
		return nil, err
	}
	cat := &catalogue{}
	var walk func([]*category)
	walk = func(cs []*category) {
		for _, x := range cs {
			if len(x.Children) == 0 {
				cat.leaves = append(cat.leaves, x.ID)
			}
			walk(x.Children)
		}
	}
	walk(tree.Categories)
	for _, leaf := range cat.leaves {
		var page struct {
			Items []struct {
				ID    string
				Stock int64
			}
		}
		if err := c.Call(ctx, "GET", "/api/v1/categories/"+url.PathEscape(leaf)+"/items", "", nil, &page, http.StatusOK); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			cat.items = append(cat.items, it.ID)
			if it.Stock >= plenty {
				cat.stocked = append(cat.stocked, it.ID)
			}
		}
	}
	if len(cat.items) == 0 {
		return nil, errors.New("the catalogue is empty: run `minimall seed` first")
	}
	if len(cat.stocked) == 0 {
		cat.stocked = cat.items // a small catalogue: checkouts may sell out
	}
	catOnce.base, catOnce.c = c.Base, cat
	return cat, nil
}

// sessions keeps each worker's session across flows, so a run signs each
// shopper in once, not once per flow.
var sessions struct {
	sync.Mutex
	m map[string]string
}

// signIn signs worker w in as its seeded shopper through the login API.
func signIn(ctx context.Context, c *Client, w int) (*shopper, error) {
	cat, err := loadCatalogue(ctx, c)
	if err != nil {
		return nil, err
	}
	name := seed.MemberName(1 + w%max(Users, 1))
	key := c.Base + " " + name
	sessions.Lock()
	token, ok := sessions.m[key]
	sessions.Unlock()
	if ok {
		return &shopper{token: token, cat: cat, rnd: rand.New(rand.NewPCG(uint64(w), 7))}, nil
	}
	var sess struct{ Token string }
	if err := c.Call(ctx, "POST", "/api/v1/sessions", "", map[string]string{"login": name, "password": seed.PasswordFor(name)}, &sess, http.StatusCreated); err != nil {
		return nil, fmt.Errorf("sign in as %s (seeded?): %w", name, err)
	}
	sessions.Lock()
	if sessions.m == nil {
		sessions.m = map[string]string{}
	}
	sessions.m[key] = sess.Token
	sessions.Unlock()
	return &shopper{token: sess.Token, cat: cat, rnd: rand.New(rand.NewPCG(uint64(w), 7))}, nil
}

// visitor is a worker that does not sign in.
func visitor(ctx context.Context, c *Client, w int) (any, error) {
	cat, err := loadCatalogue(ctx, c)
	if err != nil {
		return nil, err
	}
	return &shopper{cat: cat, rnd: rand.New(rand.NewPCG(uint64(w), 7))}, nil
}

func signedIn(ctx context.Context, c *Client, w int) (any, error) { return signIn(ctx, c, w) }

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// Queries are the search flow's Chinese queries, two-character terms among them.
var Queries = []string{"连衣裙", "耳机", "蓝牙耳机", "运动鞋", "手机壳", "面霜", "零食", "茶叶", "背包", "台灯", "键盘", "T恤"}

// List is a category page of 20 items, as a visitor sees it.
func List() Flow {
	return Flow{Name: "list", Setup: visitor, Do: func(ctx context.Context, c *Client, st any) error {
		s := st.(*shopper)
		return c.Call(ctx, "GET", "/api/v1/categories/"+url.PathEscape(pick(s.rnd, s.cat.leaves))+"/items", "", nil, nil, http.StatusOK)
	}}
}

// Item is an item's detail page, signed in, so a footprint is recorded.
func Item() Flow {
	return Flow{Name: "item", Setup: signedIn, Do: func(ctx context.Context, c *Client, st any) error {
		s := st.(*shopper)
		return c.Call(ctx, "GET", "/api/v1/items/"+url.PathEscape(pick(s.rnd, s.cat.items)), s.token, nil, nil, http.StatusOK)
	}}
}

// Search is a signed-in search, so the query goes into the person's
// sealed history, as it does for a real shopper.
func Search() Flow {
	return Flow{Name: "search", Setup: signedIn, Do: func(ctx context.Context, c *Client, st any) error {
		s := st.(*shopper)
		return c.Call(ctx, "GET", "/api/v1/search?q="+url.QueryEscape(pick(s.rnd, Queries)), s.token, nil, nil, http.StatusOK)
	}}
}

// Cart adds an item to the signed-in shopper's cart. The items come from
// the first cartItems of the catalogue, so a cart never passes its limit
// of distinct lines: most adds raise a line's quantity, as repeat adds do.
func Cart() Flow {
	return Flow{Name: "cart", Setup: signedIn, Do: func(ctx context.Context, c *Client, st any) error {
		s := st.(*shopper)
		items := s.cat.items[:min(cartItems, len(s.cat.items))]
		return c.Call(ctx, "POST", "/api/v1/cart/items", s.token, map[string]any{"item": pick(s.rnd, items)}, nil, http.StatusCreated)
	}}
}

const cartItems = 100 // below the cart's 120 distinct lines

// checkoutRecipient is where the load tool's parcels go.
var checkoutRecipient = map[string]string{"name": "压测收件人", "address": "浙江省杭州市西湖区文三路100号", "phone": "13900009999"}

// Checkout is one whole purchase: one item into an empty cart, an order
// from the cart, a payment started at the payment sandbox, paid there, and
// the sandbox's signed notice marking the order paid. Its shoppers are the
// second half of the seeded ones, not the cart flow's, whose carts are
// full: seed at least twice as many shoppers as the concurrency.
func Checkout() Flow {
	return Flow{
		Name: "checkout",
		Setup: func(ctx context.Context, c *Client, w int) (any, error) {
			s, err := signIn(ctx, c, w+Users/2)
			if err != nil {
				return nil, err
			}
			return s, emptyCart(ctx, c, s)
		},
		Do: func(ctx context.Context, c *Client, st any) error {
			s := st.(*shopper)
			if err := c.Call(ctx, "POST", "/api/v1/cart/items", s.token, map[string]any{"item": pick(s.rnd, s.cat.stocked)}, nil, http.StatusCreated); err != nil {
				return err
			}
			var placed struct{ Orders []struct{ ID string } }
			if err := c.Call(ctx, "POST", "/api/v1/orders", s.token, map[string]any{"from_cart": true, "recipient": checkoutRecipient}, &placed, http.StatusCreated); err != nil {
				return err
			}
			if len(placed.Orders) != 1 {
				return fmt.Errorf("checkout: want one order from a one-item cart, got %d", len(placed.Orders))
			}
			var pay struct {
				PayURL string `json:"pay_url"`
			}
			if err := c.Call(ctx, "POST", "/api/v1/orders/"+url.PathEscape(placed.Orders[0].ID)+"/payments", s.token, nil, &pay, http.StatusCreated); err != nil {
				return err
			}
			var paid struct {
				Notified int `json:"notified"`
			}
			if err := c.callURL(ctx, "POST", pay.PayURL, &paid, http.StatusOK); err != nil {
				return err
			}
			if paid.Notified != http.StatusOK {
				return fmt.Errorf("checkout: the payment notice was answered %d", paid.Notified)
			}
			return nil
		},
	}
}

// emptyCart removes what an earlier, interrupted run left in s's cart, so
// each checkout orders exactly one item.
func emptyCart(ctx context.Context, c *Client, s *shopper) error {
	var cart struct {
		Items []struct{ ID string }
	}
	if err := c.Call(ctx, "GET", "/api/v1/cart", s.token, nil, &cart, http.StatusOK); err != nil {
		return err
	}
	for _, l := range cart.Items {
		if err := c.Call(ctx, "DELETE", "/api/v1/cart/items/"+url.PathEscape(l.ID), s.token, nil, nil, http.StatusNoContent); err != nil {
			return err
		}
	}
	return nil
}
