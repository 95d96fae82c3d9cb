// Package engage holds a signed-in person's browsing and engagement records
// (policy 二(二)1): favourites, shop subscriptions, footprints (browsing
// history), follows, shares and likes, each listable and deletable by the
// person ("我的淘宝 — 收藏 / 订阅店铺 / 足迹 / 关注").
//
// What a person keeps or looked at describes them, so every record's target
// is sealed under the person's keys through the privacy kernel; the only
// thing kept beside it is the person's keyed pseudonym of the target, which
// finds a duplicate and means nothing once their keys are destroyed.
package engage

import (
	"context"
	"regexp"
	"slices"
	"time"

	"minimall"
	"minimall/privacy"
)

// Kind names one kind of engagement record.
type Kind string

// Kinds of records (二(二)1: 收藏/订阅/足迹/关注/分享/点赞).
const (
	Favourite    Kind = "favourite"
	Subscription Kind = "subscription"
	Footprint    Kind = "footprint"
	Follow       Kind = "follow"
	Share        Kind = "share"
	Like         Kind = "like"
)

// Kinds lists every kind, in the order "my" pages show them.
var Kinds = []Kind{Favourite, Subscription, Footprint, Follow, Share, Like}

// TargetType says what a record points at.
type TargetType string

// Target types.
const (
	Item   TargetType = "item"
	Shop   TargetType = "shop"
	Member TargetType = "member" // another member, by subject id (a content creator)
)

// ShareChannels are where a share may go; a closed list, so no free text
// (which could hold personal information) is stored as a channel.
var ShareChannels = []string{"wechat", "weibo", "qq", "dingtalk", "alipay", "link"}

// kindSpec is what differs between kinds. Where a kind is stored comes from
// its field in the registry (privacy/fields.go), so storage cannot drift
// from what the policy declares.
type kindSpec struct {
	field   privacy.Field
	purpose privacy.Purpose // what the person's own "my" view opens it for
	types   []TargetType    // the first is the default
	unique  bool            // one record per target (a share is an event: not unique)
	prefix  string          // of row ids
	name    string          // for messages
}

var kinds = map[Kind]kindSpec{
	Favourite:    {privacy.Favourite, privacy.ForBrowsing, []TargetType{Item}, true, "fv_", "favourite 收藏"},
	Subscription: {privacy.ShopSubscription, privacy.ForBrowsing, []TargetType{Shop}, true, "sb_", "subscription 订阅"},
	Footprint:    {privacy.Footprint, privacy.ForBrowsing, []TargetType{Item}, true, "fp_", "footprint 足迹"},
	Follow:       {privacy.Follow, privacy.ForBrowsing, []TargetType{Member, Shop}, true, "fo_", "follow 关注"},
	Share:        {privacy.Share, privacy.ForShare, []TargetType{Item, Shop}, false, "sr_", "share 分享"},
	Like:         {privacy.Like, privacy.ForBrowsing, []TargetType{Item}, true, "lk_", "like 点赞"},
}

// table and column return where the registry says kind k is stored. Both
// are fixed names from code, never from input.
func (k kindSpec) table() string  { s, _ := privacy.Spec(k.field); return s.Table }
func (k kindSpec) column() string { s, _ := privacy.Spec(k.field); return s.Column }

// Entry is one record as its owner sees it.
type Entry struct {
	ID      string     `json:"id"`
	Kind    Kind       `json:"kind"`
	Type    TargetType `json:"type"`
	Target  string     `json:"target"`
	Channel string     `json:"channel,omitempty"`
	At      time.Time  `json:"at"`
}

// NewEntry is a request to add a record. Type may be left out when the kind
// takes one type only; Channel is for shares (default "link").
type NewEntry struct {
	Type    TargetType `json:"type,omitempty"`
	Target  string     `json:"target"`
	Channel string     `json:"channel,omitempty"`
}

// Page is one page of a person's records, newest first.
type Page struct {
	Entries  []Entry `json:"entries"`
	Total    int     `json:"total"`
	Page     int     `json:"page"`
	PerPage  int     `json:"per_page"`
	NextPage int     `json:"next_page,omitempty"` // 0 on the last page
}

// Paging limits.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
)

// sealedTarget is what is sealed: the target and, for a share, its channel.
type sealedTarget struct {
	Type    TargetType `json:"t"`
	ID      string     `json:"i"`
	Channel string     `json:"c,omitempty"`
}

// Catalog answers whether items and shops exist; the catalogue implements
// it. A nil Catalog means no check.
type Catalog interface {
	ItemExists(ctx context.Context, id string) (bool, error)
	ShopExists(ctx context.Context, id string) (bool, error)
}

// Members answers whether a member exists, for follows; a nil Members
// means no check.
type Members interface {
	MemberExists(ctx context.Context, s minimall.SubjectID) (bool, error)
}

// Change-feed topics. Payloads (Changed) hold record ids only, never the
// target: a follower such as the recommendation area reads the target
// through Service.Target, that is, through the guard and the consent the
// purpose needs.
const (
	TopicAdded   = "engage.added"
	TopicRemoved = "engage.removed"
)

// Changed is the payload of both topics.
type Changed struct {
	Kind    Kind     `json:"kind"`
	Entries []string `json:"entries,omitempty"`
	All     bool     `json:"all,omitempty"`    // every record of the kind went
	Reason  string   `json:"reason,omitempty"` // removed by "user", "retention" or "erased"
}

var validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func invalid(op, msg string) error { return minimall.Errorf(minimall.Invalid, op, "%s", msg) }

// spec returns the spec of kind k, or Invalid.
func spec(op string, k Kind) (kindSpec, error) {
	ks, ok := kinds[k]
	if !ok {
		return ks, invalid(op, "Unknown kind of record. 未知的记录类型。")
	}
	return ks, nil
}

// validate fills defaults and checks n's shape for kind k.
func (n *NewEntry) validate(op string, ks kindSpec, k Kind) error {
	if n.Type == "" {
		n.Type = ks.types[0]
	}
	if !slices.Contains(ks.types, n.Type) {
		return invalid(op, "This kind of record cannot point at a "+string(n.Type)+". 记录对象类型不符。")
	}
	if !validID.MatchString(n.Target) {
		return invalid(op, "target must be an id of 1 to 64 letters, digits, _ or -. 对象标识格式错误。")
	}
	if k != Share {
		if n.Channel != "" {
			return invalid(op, "Only a share has a channel. 只有分享记录有分享渠道。")
		}
		return nil
	}
	if n.Channel == "" {
		n.Channel = "link"
	}
	if !slices.Contains(ShareChannels, n.Channel) {
		return invalid(op, "Unknown share channel. 未知的分享渠道。")
	}
	return nil
}
