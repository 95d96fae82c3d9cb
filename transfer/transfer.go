// Package transfer hands order data to recipients abroad (policy 五(二),
// PIPL art. 38-39): only after the person's separate consent, given once
// they were told who receives what, why, how and how to exercise their
// rights with the recipient; the waybill is de-identified where the
// purpose allows, sent through the partner gateway, and every transfer is
// logged.
package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"minimall/privacy"
)

// Recipient is the overseas recipient of cross-border order data.
const Recipient = privacy.PartnerOverseas

// Operation is the recipient's path a waybill goes to.
const Operation = "overseas/waybills"

// Rule states how the waybill is de-identified before it leaves (policy
// 五(二) "对跨境传输的运单信息采取去标识化处理"): what the recipient needs to
// deliver and clear the parcel goes in full, the rest is masked.
const Rule = "收件人姓名仅保留姓氏首字，其余以 * 代替；收件人电话仅保留前 3 位和后 4 位；收件地址、订单号和商品信息完整提供（投递和清关所必需）。 / " +
	"Recipient name: first character only, the rest masked with *; recipient phone: first 3 and last 4 digits only; " +
	"address, order number and items in full (needed to deliver and clear the parcel)."

// Fields are what a waybill carries, in order.
var Fields = []privacy.Field{privacy.RecipientName, privacy.RecipientPhone, privacy.RecipientAddress, privacy.OrderNumber, privacy.OrderItems}

// FieldInfo names one kind of data in the notice.
type FieldInfo struct {
	Field  privacy.Field `json:"field"`
	Name   string        `json:"name"`
	NameEN string        `json:"name_en"`
}

// RecipientInfo is who receives the data.
type RecipientInfo struct {
	ID      privacy.PartnerID `json:"id"`
	Name    string            `json:"name"`
	NameEN  string            `json:"name_en"`
	Contact string            `json:"contact"`
	Abroad  bool              `json:"abroad"`
	Role    string            `json:"role"`
}

// Notice is what the person is told before they consent (PIPL art. 39).
type Notice struct {
	Version   string        `json:"version"`
	Order     string        `json:"order,omitempty"`
	Recipient RecipientInfo `json:"recipient"`
	Purpose   string        `json:"purpose"`
	Method    string        `json:"method"`
	Data      []FieldInfo   `json:"data"`
	Rule      string        `json:"deidentification"`
	Rights    string        `json:"rights"`
	Consent   string        `json:"consent"` // granted, withdrawn, never_asked, outdated
}

// ConsentRequest grants or withdraws the separate consent.
type ConsentRequest struct {
	Action        privacy.ConsentAction `json:"action"` // grant (default) or withdraw
	NoticeVersion string                `json:"notice_version"`
}

// ConsentResult is the consent as recorded.
type ConsentResult struct {
	ConsentID     string                `json:"consent_id"`
	Action        privacy.ConsentAction `json:"action"`
	NoticeVersion string                `json:"notice_version"`
	At            time.Time             `json:"at"`
}

// Transfer is one hand-over of a waybill abroad, as logged.
type Transfer struct {
	ID        string            `json:"id"`
	Order     string            `json:"order"`
	Recipient privacy.PartnerID `json:"recipient"`
	Fields    []privacy.Field   `json:"fields"`
	Rule      string            `json:"deidentification"`
	Status    string            `json:"status"` // sent, failed
	At        time.Time         `json:"at"`
}

// notice is the fixed part of the notice; Version is a hash of it, so any
// change of wording, recipient or data is a new version to consent to.
var notice = func() Notice {
	p, _ := privacy.Partner(Recipient)
	purpose, _ := privacy.PurposeOf(privacy.ForCrossBorder)
	n := Notice{
		Recipient: RecipientInfo{ID: p.ID, Name: p.Name, NameEN: p.NameEN, Contact: p.Contact, Abroad: p.Abroad, Role: p.Role.String()},
		Purpose: purpose.Name + "：完成跨境交易、跨境物流寄递及清关与售后。 / " + purpose.NameEN +
			": to complete the cross-border purchase, its delivery, customs clearance and after-sales service.",
		Method: "经签名的 HTTPS 接口逐单传输去标识化运单，接收方仅为上述目的处理。 / " +
			"Each de-identified waybill is sent over signed HTTPS; the recipient processes it for that purpose only.",
		Rule: Rule,
		Rights: "您可通过 " + p.Contact + " 向境外接收方查阅、复制、更正、删除您的信息；也可联系 minimall 个人信息保护负责人代为转达，并可随时撤回本单独同意。 / " +
			"You can access, copy, correct or delete your information with the recipient at " + p.Contact +
			", or ask minimall's DPO to pass your request on; you can withdraw this separate consent at any time.",
	}
	for _, f := range Fields {
		s, _ := privacy.Spec(f)
		n.Data = append(n.Data, FieldInfo{Field: f, Name: s.Name, NameEN: s.NameEN})
	}
	b, _ := json.Marshal(n)
	sum := sha256.Sum256(b)
	n.Version = "cb-" + hex.EncodeToString(sum[:6])
	return n
}()

// NoticeVersion is the version of the current notice.
func NoticeVersion() string { return notice.Version }

// maskName keeps the first character (the surname, mostly) of a name.
func maskName(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return "*"
	}
	return string(r) + strings.Repeat("*", max(1, utf8.RuneCountInString(s[size:])))
}

// maskPhone keeps the first 3 and last 4 characters of a phone number.
func maskPhone(s string) string {
	if len(s) <= 7 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}
