package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Headings of the two lists.
const (
	CollectionTitle = "个人信息收集清单 / Personal information collection list"
	SharingTitle    = "第三方共享清单 / Third-party sharing list"
)

var collectionHeader = []string{
	"字段 Field", "类别 Category", "敏感 Sensitive", "功能 Feature", "基本/附加 Basic/additional",
	"目的 Purposes", "必要性 Necessity", "法律依据 Legal basis", "保存期限 Retention",
	"出境 Abroad", "可见范围 Visibility", "条款 Clause",
}

var sharingHeader = []string{
	"合作方 Partner", "角色 Role", "联系方式 Contact", "境外 Abroad", "目的 Purpose",
	"法律依据 Legal basis", "个人信息 Fields",
}

// WriteText writes both lists as text tables, Chinese first with English
// beside it.
func WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n（由字段登记表生成 / generated from the field registry）\n\n", CollectionTitle)
	writeRow(tw, collectionHeader)
	for _, r := range CollectionList() {
		writeRow(tw, collectionCells(r))
	}
	// Flush between the tables so each aligns on its own columns.
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(tw, "\n%s\n\n", SharingTitle)
	writeRow(tw, sharingHeader)
	for _, r := range SharingList() {
		writeRow(tw, sharingCells(r))
	}
	return tw.Flush()
}

func collectionCells(r CollectionRow) []string {
	kind := both(Label{Name: "附加功能", NameEN: "additional"})
	if r.Basic {
		kind = both(Label{Name: "基本功能", NameEN: "basic"})
	}
	if r.SeparateConsent {
		kind += "，需单独同意 / separate consent"
	}
	var zh, en []string
	for _, p := range r.Purposes {
		zh = append(zh, p.Purpose.Name)
		en = append(en, p.Purpose.NameEN)
	}
	keep := both(r.Retention.Rule)
	if r.Retention.Period != "" {
		keep += " " + r.Retention.Period
	}
	return []string{
		r.Name + " / " + r.NameEN, both(r.Category), yesNo(r.Sensitive), both(r.Feature), kind,
		strings.Join(zh, "、") + " / " + strings.Join(en, ", "),
		both(r.Necessity), both(r.Basis), keep + "（" + r.Retention.Reason + "）",
		yesNo(r.CrossBorder), both(r.Visibility), r.Clause,
	}
}

func sharingCells(r SharingRow) []string {
	var bases, fields []string
	for _, b := range r.Bases {
		bases = append(bases, both(b))
	}
	for _, f := range r.Fields {
		fields = append(fields, f.Name+" / "+f.NameEN)
	}
	return []string{
		r.Name + " / " + r.NameEN, both(r.Role), r.Contact, yesNo(r.Abroad), both(r.Purpose),
		strings.Join(bases, "；"), strings.Join(fields, "；"),
	}
}

func writeRow(w io.Writer, cells []string) {
	for i, c := range cells {
		// A tab or newline in a cell would break the table.
		cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(c)
	}
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

func both(l Label) string { return l.Name + " / " + l.NameEN }

func yesNo(b bool) string {
	if b {
		return "是 yes"
	}
	return "否 no"
}

// Lists is the JSON document WriteJSON writes.
type Lists struct {
	Collection []CollectionRow `json:"collection"`
	Sharing    []SharingRow    `json:"sharing"`
}

// WriteJSON writes {"collection": [...], "sharing": [...]}, indented.
func WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(Lists{Collection: CollectionList(), Sharing: SharingList()})
}
