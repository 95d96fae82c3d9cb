package account

import (
	"context"
	"strconv"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Account levels (policy 二(一)1: "根据您的淘宝平台账户使用情况及平台设置的
// 账户等级计算规则确定您当前的等级，并为您提供相应账户等级所对应的基本权益").
//
// The rule is the Levels table: an account holds the highest level whose
// Needs its Usage meets, every need at once. Usage is account use only:
// the account's age, its sign-ins, whether its phone is still verified
// and its completed orders. No profile field, no real-name data, no
// behaviour outside the account decides a level.
//
// Rights are service rights, never prices: PIPL art. 24 forbids
// unreasonable differences in trading conditions such as price decided
// by automated processing of personal information, so no level changes
// what anything costs. The person sees the rule, their usage and what the
// next level needs (GET /api/v1/account/level), which is the transparency
// art. 24 asks of automated decisions.

// Usage is the account use the level rule reads.
type Usage struct {
	AccountAgeDays int `json:"account_age_days"`
	// SignIns counts the sessions ever opened (every successful sign-in
	// opens one).
	SignIns int `json:"sign_ins"`
	// PhoneVerified: the number was verified by SMS code at registration
	// and the carrier has not said it changed hands since.
	PhoneVerified bool `json:"phone_verified"`
	// CompletedOrders counts orders delivered; zero until the orders area
	// is given (Deps.Orders).
	CompletedOrders int `json:"completed_orders"`
}

// Needs is the least usage a level asks for; every field must be met.
type Needs Usage

// MetBy reports whether u meets every need.
func (n Needs) MetBy(u Usage) bool {
	return u.AccountAgeDays >= n.AccountAgeDays && u.SignIns >= n.SignIns &&
		(u.PhoneVerified || !n.PhoneVerified) && u.CompletedOrders >= n.CompletedOrders
}

// Missing returns what u still lacks of n: the shortfall of each count, and
// PhoneVerified set when a verified phone is needed and missing.
func (n Needs) Missing(u Usage) Needs {
	return Needs{
		AccountAgeDays: max(0, n.AccountAgeDays-u.AccountAgeDays), SignIns: max(0, n.SignIns-u.SignIns),
		PhoneVerified: n.PhoneVerified && !u.PhoneVerified, CompletedOrders: max(0, n.CompletedOrders-u.CompletedOrders),
	}
}

// Rights are the basic rights of a level: limits and service, never price.
type Rights struct {
	SupportPriority    string `json:"support_priority"`     // standard, priority or dedicated customer-service queue
	OpenSupportTickets int    `json:"open_support_tickets"` // customer-service tickets open at once
	SavedAddresses     int    `json:"saved_addresses"`      // addresses kept in the address book
	PriceDropReminders int    `json:"price_drop_reminders"` // cart items watched for price drops
}

// RightDoc names one right for people, in Chinese and English.
type RightDoc struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

// RightDocs explains each field of Rights, in order.
var RightDocs = []RightDoc{
	{"support_priority", "客服接待优先级", "customer-service queue"},
	{"open_support_tickets", "可同时处理的客服工单数", "customer-service tickets open at once"},
	{"saved_addresses", "可保存的收货地址数", "saved delivery addresses"},
	{"price_drop_reminders", "降价提醒商品数", "items watched for price drops"},
}

// LevelSpec is one row of the level table.
type LevelSpec struct {
	Level  int    `json:"level"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
	Needs  Needs  `json:"needs"`
	Rights Rights `json:"rights"`
}

// Levels is the level rule and the rights of each level, lowest first.
// Level 1 needs nothing: every account has it from registration, and its
// rights are enough for every basic function.
var Levels = []LevelSpec{
	{Level: 1, Name: "新会员", NameEN: "new member",
		Rights: Rights{SupportPriority: "standard", OpenSupportTickets: 2, SavedAddresses: 10, PriceDropReminders: 20}},
	{Level: 2, Name: "普通会员", NameEN: "member",
		Needs:  Needs{AccountAgeDays: 30, SignIns: 3, PhoneVerified: true},
		Rights: Rights{SupportPriority: "standard", OpenSupportTickets: 3, SavedAddresses: 20, PriceDropReminders: 50}},
	{Level: 3, Name: "活跃会员", NameEN: "active member",
		Needs:  Needs{AccountAgeDays: 180, SignIns: 20, PhoneVerified: true, CompletedOrders: 3},
		Rights: Rights{SupportPriority: "priority", OpenSupportTickets: 5, SavedAddresses: 30, PriceDropReminders: 100}},
	{Level: 4, Name: "资深会员", NameEN: "senior member",
		Needs:  Needs{AccountAgeDays: 365, SignIns: 50, PhoneVerified: true, CompletedOrders: 10},
		Rights: Rights{SupportPriority: "dedicated", OpenSupportTickets: 10, SavedAddresses: 50, PriceDropReminders: 200}},
}

// LevelRule states the rule in words, as the API shows it.
const (
	LevelRule   = "账户等级由账户使用情况决定：注册时长、成功登录次数、手机号是否仍经验证、已完成订单数；满足某一等级的全部条件即获得该等级中最高者。等级只决定服务权益（客服优先级与各项上限），不影响任何价格。"
	LevelRuleEN = "The level follows account use only: account age, successful sign-ins, whether the phone is still verified, and completed orders; an account holds the highest level whose every need it meets. Levels give service rights (support priority and limits), never a different price (PIPL art. 24)."
)

// LevelFor applies the rule: the highest level whose needs u meets.
func LevelFor(u Usage) int {
	level := Levels[0].Level
	for _, l := range Levels {
		if l.Needs.MetBy(u) {
			level = l.Level
		}
	}
	return level
}

// LevelSpecOf returns the row of level, or level 1's for an unknown one.
func LevelSpecOf(level int) LevelSpec {
	for _, l := range Levels {
		if l.Level == level {
			return l
		}
	}
	return Levels[0]
}

// OrderHistory is what the level rule needs from the orders area. The
// orders area implements it; it is given in Deps.
type OrderHistory interface {
	// CompletedOrders counts subject's orders that were delivered.
	CompletedOrders(ctx context.Context, subject minimall.SubjectID) (int, error)
}

// TopicLevelChanged is the change-feed topic of a level change. Its
// payload is empty: the level is personal information (sealed); followers
// read it through the service.
const TopicLevelChanged = "account.level_changed"

// LevelInfo is the level page: the rule, the person's usage, their level
// and rights, and what the next level needs.
type LevelInfo struct {
	Level     int         `json:"level"`
	Name      string      `json:"name"`
	NameEN    string      `json:"name_en"`
	Usage     Usage       `json:"usage"`
	Rights    Rights      `json:"rights"`
	Next      *NextLevel  `json:"next"` // null at the top level
	Rule      string      `json:"rule"`
	RuleEN    string      `json:"rule_en"`
	Levels    []LevelSpec `json:"levels"`
	RightDocs []RightDoc  `json:"right_docs"`
}

// NextLevel is the level above and what is still missing for it.
type NextLevel struct {
	Level   int    `json:"level"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
	Needs   Needs  `json:"needs"`
	Missing Needs  `json:"missing"`
}

// Level recomputes the actor's level and returns the level page. Returns
// Unauthorized for a visitor.
func (s *Service) Level(ctx context.Context, a minimall.Actor) (*LevelInfo, error) {
	if err := minimall.SignedIn(a, "account.Level"); err != nil {
		return nil, err
	}
	u, err := s.refreshLevel(ctx, a, a.Subject)
	if err != nil {
		return nil, err
	}
	cur := LevelSpecOf(LevelFor(*u))
	info := &LevelInfo{Level: cur.Level, Name: cur.Name, NameEN: cur.NameEN, Usage: *u, Rights: cur.Rights,
		Rule: LevelRule, RuleEN: LevelRuleEN, Levels: Levels, RightDocs: RightDocs}
	for _, l := range Levels {
		if l.Level == cur.Level+1 {
			info.Next = &NextLevel{Level: l.Level, Name: l.Name, NameEN: l.NameEN, Needs: l.Needs, Missing: l.Needs.Missing(*u)}
		}
	}
	return info, nil
}

// RefreshLevel recomputes subject's level from its usage, as the orders
// area may ask after an order completes. A change is stored sealed and
// goes to the change feed.
func (s *Service) RefreshLevel(ctx context.Context, subject minimall.SubjectID) (int, error) {
	u, err := s.refreshLevel(ctx, minimall.SystemActor("account-level"), subject)
	if err != nil {
		return 0, err
	}
	return LevelFor(*u), nil
}

// refreshLevel reads subject's usage and stores the level it earns if it
// differs from the stored one, on behalf of actor a.
func (s *Service) refreshLevel(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) (*Usage, error) {
	const op = "account.Level"
	u, sealed, version, err := s.usage(ctx, subject)
	if err != nil {
		return nil, err
	}
	g, row := s.k.Guard(), string(subject)
	stored, err := g.OpenVersionString(ctx, a, subject, privacy.AccountLevel, privacy.ForAccountLevel, row, version, sealed)
	if err != nil {
		return nil, err
	}
	level := strconv.Itoa(LevelFor(*u))
	if stored == level {
		return u, nil
	}
	next, err := g.SealVersion(ctx, subject, privacy.AccountLevel, row, version+1, []byte(level))
	if err != nil {
		return nil, err
	}
	var out *Usage
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		// Compare-and-set on the counter: of two refreshes racing, one
		// stores the change and announces it.
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET level_sealed = ?, level_version = ? WHERE subject = ? AND level_version = ?`, next, version+1, row, version)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if err := outbox.Emit(ctx, tx, TopicLevelChanged, subject, nil); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	return out, err
}

// usage reads what the level rule counts, and the sealed stored level
// with its counter.
func (s *Service) usage(ctx context.Context, subject minimall.SubjectID) (*Usage, []byte, uint64, error) {
	const op = "account.Level"
	var created, recycled int64
	var sealed []byte
	var version uint64
	err := s.db.QueryRowContext(ctx, `SELECT created_at, phone_recycled_at, level_sealed, level_version FROM accounts WHERE subject = ?`,
		string(subject)).Scan(&created, &recycled, &sealed, &version)
	if err != nil {
		return nil, nil, 0, sqldb.FormatError(op, err)
	}
	u := &Usage{AccountAgeDays: int(s.db.Now().Sub(sqldb.FromMicros(created)) / (24 * time.Hour)), PhoneVerified: recycled == 0}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE subject = ?`, string(subject)).Scan(&u.SignIns); err != nil {
		return nil, nil, 0, sqldb.FormatError(op, err)
	}
	if s.orders != nil {
		if u.CompletedOrders, err = s.orders.CompletedOrders(ctx, subject); err != nil {
			return nil, nil, 0, err
		}
	}
	return u, sealed, version, nil
}
