// Package recommend holds personalised recommendations, the hot lists and
// the ad slots (policy 二(二)3-4, 三(一)5(2)). It keeps one rule above all:
// with personalisation off, nothing of the person's behaviour is collected
// or read for ranking, and prices never depend on anyone's profile (PIPL
// art. 24) — items come from the catalogue exactly as everyone sees them.
//
// Behaviour reaches it on the change feed: the area where a person viewed,
// searched, added to the cart or ordered writes an event naming the row it
// wrote, and, only while the person's recommendation consent is granted,
// the follower reads that row back through the area (and the guard) into
// their interest profile and the hot list. Feedback on recommendations
// (Observe) is recommend's own: an event naming no one feeds the hot list. Profiles live in recommend_profiles keyed
// by a pseudonym derived from the person's key, sealed under that key.
package recommend

import (
	"time"

	"minimall/catalog"
)

// Kind is what a person did with an item.
type Kind string

// Signal kinds, with how much each tells about a person's interest.
const (
	View   Kind = "view"   // item detail or footprint (engage)
	Click  Kind = "click"  // a recommended item opened
	Search Kind = "search" // a search whose results fell mostly in Category
	Cart   Kind = "cart"   // added to cart
	Order  Kind = "order"  // ordered
)

var weights = map[Kind]float64{View: 1, Click: 1, Search: 2, Cart: 3, Order: 5}

// Signal is one thing a person did. Item or Category must be set.
type Signal struct {
	Kind     Kind   `json:"k"`
	Item     string `json:"i,omitempty"`
	Category string `json:"c,omitempty"`
}

// Page sizes and the diversity rule: at most MaxPerCategory items of one
// category in a page (policy 二(二)4: 避免同类型内容过度集中).
const (
	PageSize       = 20
	MaxPerCategory = 4
	MaxPage        = 5
)

// List is a page of recommendations.
type List struct {
	// Personalised says whether the person's profile was read.
	Personalised   bool            `json:"personalised"`
	Items          []*catalog.Item `json:"items"`
	Page           int             `json:"page"`
	NextPage       int             `json:"next_page"`
	MaxPerCategory int             `json:"max_per_category"`
	// Why explains, by item id, the items a person's interest brought in
	// (二(二)4: the person sees why); the others come from the hot list.
	Why map[string]string `json:"why,omitempty"`
}

// Blocks are what a person asked not to see (policy 二(二)4 措施3).
type Blocks struct {
	// Categories are blocked with their subcategories.
	Categories []string `json:"categories"`
	// Similar are items whose look-alikes (same category and shop) are blocked.
	Similar []Similar `json:"similar"`
}

// Similar is one "block similar items" choice.
type Similar struct {
	Item     string `json:"item"`
	Category string `json:"category"`
	Shop     string `json:"shop"`
}

// Settings are the 推荐管理 and 广告管理 switches.
type Settings struct {
	Recommendation  bool `json:"recommendation"`
	PersonalisedAds bool `json:"personalised_ads"`
	// Scope is "account" (kept as consents in the ledger) or "device" (a
	// visitor's choice, kept on their device only).
	Scope string `json:"scope"`
	// Ask is set after sign-in when a switch was never answered on the
	// account: a choice made before signing in does not carry over, the
	// person is asked again (policy 二(二)4 措施4).
	Ask bool `json:"ask"`
}

// AdSlots are the places an ad may be shown.
var AdSlots = []string{"home_banner", "item_detail", "pay_done"}

// Ad is one ad the partner placed in a slot.
type Ad struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// AdFill is what fills a slot.
type AdFill struct {
	Slot         string `json:"slot"`
	Personalised bool   `json:"personalised"`
	Ads          []Ad   `json:"ads"`
}

// Config tunes the service.
type Config struct {
	// Interval is how often the follower polls the change feed: the bound
	// on how long a signal takes to reach the profile. Default 100 ms.
	Interval time.Duration
	// Grace overrides the change feed's wait for a gap in event ids.
	Grace time.Duration
	// HalfLife is how fast old interests fade. Default 7 days.
	HalfLife time.Duration
	// The areas the follower reads behaviour from (footprints, favourites
	// and likes; cart adds; orders placed; searches); nil reads none.
	Engage   Engagements
	Carts    CartLines
	Orders   OrderLines
	Searches Searches
}
