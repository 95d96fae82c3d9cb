package policy

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"text/template"

	"minimall/privacy"
)

// templates holds the hand-written sections of the policy (scope, rights,
// storage, updates, minors, contact...), one file per section, executed
// in name order around the generated collection and sharing sections.
//
//go:embed template/*.tmpl
var templates embed.FS

// ReplyDays is the deadline for answering a request or complaint (policy
// 四(七), 八; PIPL art. 50 and GB/T 35273 8.7).
const ReplyDays = 15

// Paths the policy names.
const (
	ComplaintPath = "/api/v1/complaints"
	ContactPath   = "/api/v1/contact"
)

var sections = func() *template.Template {
	t := template.New("policy").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }})
	return template.Must(t.ParseFS(templates, "template/*.tmpl"))
}()

type textData struct {
	Version       int
	Published     string
	Contact       Contact
	Collection    string
	Sharing       string
	Grounds       []GroundSpec
	ReplyDays     int
	ComplaintPath string
	ContactPath   string
}

// Render returns the full policy text of version v, published on the date
// given (empty for a draft), with contact c: Chinese first, English beside
// it, sections 一 to 八 as in the seed.
func Render(v int, published string, c Contact) (string, error) {
	d := textData{Version: v, Published: published, Contact: c, Collection: collectionText(), Sharing: sharingText(),
		Grounds: Grounds(), ReplyDays: ReplyDays, ComplaintPath: ComplaintPath, ContactPath: ContactPath}
	names, err := fs.Glob(templates, "template/*.tmpl")
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		if err := sections.ExecuteTemplate(&b, n[len("template/"):], d); err != nil {
			return "", fmt.Errorf("policy: render %s: %w", n, err)
		}
	}
	return b.String(), nil
}

var chineseNumbers = []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
	"十六", "十七", "十八", "十九", "二十", "二十一", "二十二", "二十三", "二十四", "二十五", "二十六", "二十七", "二十八", "二十九", "三十",
	"三十一", "三十二", "三十三", "三十四", "三十五", "三十六", "三十七", "三十八", "三十九", "四十"}

func chineseNumber(i int) string {
	if i < len(chineseNumbers) {
		return chineseNumbers[i]
	}
	return fmt.Sprint(i + 1)
}

// collectionText lists every field under the function that collects it,
// functions in declaration order.
func collectionText() string {
	byFeature := map[privacy.FeatureID][]CollectionRow{}
	for _, r := range CollectionList() {
		byFeature[privacy.FeatureID(r.Feature.Code)] = append(byFeature[privacy.FeatureID(r.Feature.Code)], r)
	}
	var b strings.Builder
	n := 0
	for _, f := range privacy.Features() {
		rows := byFeature[f.ID]
		if len(rows) == 0 {
			continue
		}
		kind := "基本功能 / basic function"
		switch {
		case f.SeparateConsent:
			kind = "附加功能，需您单独同意 / additional function, separate consent"
		case !f.Basic:
			kind = "附加功能，可拒绝 / additional function, may be refused"
		}
		fmt.Fprintf(&b, "\n（%s）%s / %s（%s；%s）\n", chineseNumber(n), f.Name, f.NameEN, kind, f.Clause)
		n++
		for _, r := range rows {
			var zh, en []string
			for _, p := range r.Purposes {
				zh = append(zh, p.Purpose.Name)
				en = append(en, p.Purpose.NameEN)
			}
			keep := both(r.Retention.Rule)
			if r.Retention.Period != "" {
				keep += " " + r.Retention.Period
			}
			sensitive := ""
			if r.Sensitive {
				sensitive = "【敏感个人信息 / sensitive】"
			}
			fmt.Fprintf(&b, "  - %s%s / %s：用于 %s / for %s；%s；依据 %s；保存 %s",
				sensitive, r.Name, r.NameEN, strings.Join(zh, "、"), strings.Join(en, ", "),
				both(r.Necessity), both(r.Basis), keep)
			if r.CrossBorder {
				b.WriteString("；经单独同意可能向境外提供 / may go abroad with separate consent")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// sharingText lists the sharing list: who receives what, for what.
func sharingText() string {
	var b strings.Builder
	for _, r := range SharingList() {
		var fields, bases []string
		for _, f := range r.Fields {
			fields = append(fields, f.Name)
		}
		for _, x := range r.Bases {
			bases = append(bases, x.Name)
		}
		abroad := ""
		if r.Abroad {
			abroad = "【境外 / abroad】"
		}
		fmt.Fprintf(&b, "  - %s%s / %s（%s；联系方式 / contact：%s）——目的 / purpose：%s / %s；依据：%s；信息：%s\n",
			abroad, r.Name, r.NameEN, both(r.Role), r.Contact, r.Purpose.Name, r.Purpose.NameEN,
			strings.Join(bases, "、"), strings.Join(fields, "、"))
	}
	return b.String()
}
