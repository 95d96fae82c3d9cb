// Package decision records the automated decisions that affect a person
// (PIPL art. 24; policy 四(六) 约束信息系统自动决策): risk control (a code
// sign-in refused, the wait after wrong passwords) and personalised
// ranking, each with its main factors, sealed through the guard. The
// person lists them, asks for an explanation and appeals with a reason
// from a closed list; a dpo or security operator answers, and overturning
// a risk-control decision undoes it through the area that made it.
package decision

import (
	"context"
	"time"

	"minimall"
	"minimall/rights"
	"minimall/sqldb"
)

// Kind is what was decided.
type Kind string

// Decision kinds.
const (
	// CodeLoginRefused: an SMS-code sign-in refused because the carrier
	// said the number changed hands after the account bound it.
	CodeLoginRefused Kind = "risk.code_login_refused"
	// LoginThrottled: password sign-in made to wait after wrong passwords
	// (a texted code still signs in).
	LoginThrottled Kind = "risk.login_throttled"
	// LoginLocked: sign-in locked after too many wrong passwords, as
	// decided before throttling replaced the lock-out; kept so those
	// records still read, and can still be appealed.
	LoginLocked Kind = "risk.login_locked"
	// SearchRanking: search results ranked by the person's own searches.
	SearchRanking Kind = "ranking.personalised_search"
)

// Risk reports whether k is a risk-control decision, one an operator can
// undo.
func (k Kind) Risk() bool { return k == CodeLoginRefused || k == LoginThrottled || k == LoginLocked }

// Factor is one main factor of a decision: a code from a closed list and,
// where it helps, a value (a date, a count, a category).
type Factor struct {
	Code  string `json:"code"`
	Value string `json:"value,omitempty"`
}

// Factor codes.
const (
	FactorNumberReassigned = "carrier_number_reassigned" // value: the binding date sent to the carrier
	FactorFailedPasswords  = "failed_passwords"          // value: how many in a row
	FactorLockMinutes      = "lock_minutes"              // value: how long (records before throttling)
	FactorThrottleScope    = "throttle_scope"            // value: ScopeOneClient or ScopeAllClients
	FactorWaitSeconds      = "wait_seconds"              // value: the first wait
	FactorMaxWaitMinutes   = "max_wait_minutes"          // value: the longest wait
	FactorSearchCategory   = "own_search_category"       // value: a category of the person's searches
)

// Values of FactorThrottleScope: whose wrong passwords were counted.
const (
	ScopeOneClient  = "one_client"  // from one network address
	ScopeAllClients = "all_clients" // from every network address together
)

// Made is a decision as the deciding area reports it.
type Made struct {
	Subject minimall.SubjectID
	Kind    Kind
	Factors []Factor
	// Daily keeps at most one decision of this kind per person per day.
	Daily bool
}

// Recorder records decisions; Log implements it. Areas receive it when
// they are built; a nil Recorder records nothing.
type Recorder interface {
	Record(ctx context.Context, d Made) error
}

// Reverser undoes a risk-control decision an operator overturned, in the
// area that made it (account.Service implements it).
type Reverser interface {
	ReverseDecision(ctx context.Context, subject minimall.SubjectID, kind Kind) error
}

// Appeal reasons: a closed list, so no free text (and no personal
// information) lands in the record.
const (
	ReasonFactsWrong  = "facts_wrong"
	ReasonStillMine   = "number_still_mine"
	ReasonItWasMe     = "it_was_me"
	ReasonWantHuman   = "want_human_review"
	ReasonNoProfiling = "refuse_personalised"
)

var reasons = map[string][2]string{
	ReasonFactsWrong:  {"决策依据的事实有误", "the facts the decision rests on are wrong"},
	ReasonStillMine:   {"该手机号仍归本人使用，未被二次放号", "the number is still mine; it did not change hands"},
	ReasonItWasMe:     {"失败的登录尝试是本人所为", "the failed sign-ins were my own"},
	ReasonWantHuman:   {"要求人工复核", "I want a person to review it"},
	ReasonNoProfiling: {"拒绝仅凭个人特征进行排序", "I refuse ranking by my personal characteristics"},
}

// Outcomes of an appeal.
const (
	Upheld     = rights.AppealUpheld
	Overturned = rights.AppealOverturned
)

// Decision is one recorded decision as the person sees it.
type Decision struct {
	ID          string             `json:"id"`
	Subject     minimall.SubjectID `json:"-"`
	Kind        Kind               `json:"kind"`
	Summary     string             `json:"summary"` // Chinese, then English
	MadeAt      time.Time          `json:"made_at"`
	Factors     []Factor           `json:"factors,omitempty"`
	Appeal      *Appeal            `json:"appeal,omitempty"`
	AppealState string             `json:"appeal_state"` // none, appealed, answered
}

// Appeal is the person's appeal and the operator's answer. An appeal is
// a rights request of kind appeal (Request), due 15 days after it was
// received like every request; Overdue flags it while it is unanswered
// past DueAt.
type Appeal struct {
	Reason     string     `json:"reason"`
	AppealedAt time.Time  `json:"appealed_at"`
	Request    string     `json:"request,omitempty"`
	DueAt      time.Time  `json:"due_at"`
	Overdue    bool       `json:"overdue"`
	Outcome    string     `json:"outcome,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
}

// Appeals is the rights queue appeals go through (rights.Service): the
// appeal is filed, and later closed, in one transaction with the change
// here.
type Appeals interface {
	FileAppeal(ctx context.Context, a minimall.Actor, decisionID, reason string, inTx func(*sqldb.Tx, *rights.Request) error) (*rights.Request, error)
	CloseAppeal(ctx context.Context, a minimall.Actor, requestID, outcome string, inTx func(*sqldb.Tx) error) error
}

// Explanation is a decision with its factors in plain words.
type Explanation struct {
	*Decision
	Explained []ExplainedFactor `json:"explained"`
	// HowToAppeal says how to contest it, with the reason codes allowed.
	HowToAppeal   string   `json:"how_to_appeal,omitempty"`
	AppealReasons []string `json:"appeal_reasons,omitempty"`
}

// ExplainedFactor is one factor in Chinese and English.
type ExplainedFactor struct {
	Factor
	Text   string `json:"text"`
	TextEN string `json:"text_en"`
}

var summaries = map[Kind][2]string{
	CodeLoginRefused: {"短信验证码登录被拒绝，并停用本账号的验证码登录", "SMS-code sign-in refused and turned off for the account"},
	LoginThrottled:   {"多次密码错误后，密码登录须等待一段时间（短信验证码登录不受影响）", "password sign-in made to wait after repeated wrong passwords (sign-in with a texted code is not held back)"},
	LoginLocked:      {"多次密码错误后账号被暂时锁定", "account locked for a while after repeated wrong passwords"},
	SearchRanking:    {"搜索结果按您的搜索记录个性化排序", "search results ranked using your own searches"},
}

func summary(k Kind) string {
	s := summaries[k]
	return s[0] + " / " + s[1]
}

// explain puts a factor in plain words.
func explain(f Factor) ExplainedFactor {
	e := ExplainedFactor{Factor: f}
	switch f.Code {
	case FactorNumberReassigned:
		e.Text = "运营商核验：该手机号在绑定本账号（" + f.Value + "）之后已被运营商重新分配给他人（二次放号）"
		e.TextEN = "the mobile carrier reported that the number was given to someone new after it was bound to the account (" + f.Value + ")"
	case FactorFailedPasswords:
		e.Text = "连续 " + f.Value + " 次输入错误密码"
		e.TextEN = f.Value + " wrong passwords in a row"
	case FactorLockMinutes:
		e.Text = "为防止密码被猜中，登录锁定 " + f.Value + " 分钟"
		e.TextEN = "sign-in locked for " + f.Value + " minutes to stop password guessing"
	case FactorThrottleScope:
		e.Text, e.TextEN = "统计的是来自同一网络地址的尝试", "counted over the tries from one network address"
		if f.Value == ScopeAllClients {
			e.Text, e.TextEN = "统计的是来自所有网络地址的尝试", "counted over the tries from every network address together"
		}
	case FactorWaitSeconds:
		e.Text = "为防止密码被猜中，下次用密码登录前须等待 " + f.Value + " 秒；此后每再错一次，等待时间加倍"
		e.TextEN = "to stop password guessing, the next password try had to wait " + f.Value + " seconds, doubling with each further wrong password"
	case FactorMaxWaitMinutes:
		e.Text = "等待最长 " + f.Value + " 分钟；其间可随时用短信验证码登录，登录成功即解除等待"
		e.TextEN = "the wait is at most " + f.Value + " minutes; meanwhile a texted code signs in at any time, and signing in ends the wait"
	case FactorSearchCategory:
		e.Text = "您近期搜索中出现的类目「" + f.Value + "」的商品排序靠前"
		e.TextEN = "items in category \"" + f.Value + "\", which appeared in your recent searches, were ranked higher"
	default:
		e.Text, e.TextEN = f.Code, f.Code
	}
	return e
}
