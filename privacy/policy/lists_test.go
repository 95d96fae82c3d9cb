package policy_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"minimall/privacy"
	"minimall/privacy/policy"
)

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// TestCollectionListCoversRegistry: every registry field appears exactly
// once, as the registry declares it.
func TestCollectionListCoversRegistry(t *testing.T) {
	rows := policy.CollectionList()
	count := map[string]int{}
	for _, r := range rows {
		count[r.Field]++
	}
	for _, s := range privacy.Fields() {
		if n := count[string(s.Field)]; n != 1 {
			t.Errorf("%s appears %d times", s.Field, n)
		}
	}
	if len(rows) != len(privacy.Fields()) {
		t.Errorf("%d rows for %d fields", len(rows), len(privacy.Fields()))
	}
	for _, r := range rows {
		s, ok := privacy.Spec(privacy.Field(r.Field))
		switch {
		case !ok:
			t.Errorf("row %s is not a registry field", r.Field)
		case r.Sensitive != s.Sensitive, r.CrossBorder != s.CrossBorder, len(r.Purposes) != len(s.Uses),
			r.Name != s.Name, r.Clause != s.Clause:
			t.Errorf("row %s differs from the registry: %+v", r.Field, r)
		}
	}
}

// TestCollectionListRows checks a few rows a reader would look for.
func TestCollectionListRows(t *testing.T) {
	rows := map[string]policy.CollectionRow{}
	for _, r := range policy.CollectionList() {
		rows[r.Field] = r
	}
	tests := []struct {
		field                           privacy.Field
		necessity                       string
		sensitive, basic, separate, out bool
		retention                       string
	}{
		{privacy.AccountPhone, "necessary", false, true, false, false, "until_erased"},
		{privacy.RecipientAddress, "necessary", false, true, false, true, "after_completion"},
		{privacy.FaceData, "optional", true, false, true, false, "until_erased"},
		{privacy.CustomsIDNumber, "legal_duty", true, false, true, false, "after_completion"},
		{privacy.DeviceID, "legal_duty", false, true, false, false, "since_collection"},
		// Never stored: the list says so.
		{privacy.InstalledApps, "legal_duty", false, true, false, false, "not_stored"},
	}
	for _, tt := range tests {
		r, ok := rows[string(tt.field)]
		if !ok {
			t.Errorf("%s missing", tt.field)
			continue
		}
		if r.Necessity.Code != tt.necessity || r.Sensitive != tt.sensitive || r.Basic != tt.basic ||
			r.SeparateConsent != tt.separate || r.CrossBorder != tt.out || r.Retention.Rule.Code != tt.retention {
			t.Errorf("%s: %+v", tt.field, r)
		}
	}
	if p := rows[string(privacy.RecipientName)].Retention; p.PeriodDays != 3*365 || !strings.Contains(p.Period, "3 年") {
		t.Errorf("transaction retention period: %+v", p)
	}
}

// TestListLabelsNamed: every code the lists show has a Chinese and an
// English name (a code without one would show as itself).
func TestListLabelsNamed(t *testing.T) {
	check := func(where string, l policy.Label) {
		t.Helper()
		if !hasHan(l.Name) || l.NameEN == "" || l.NameEN == l.Code && l.Name == l.Code {
			t.Errorf("%s: label %+v has no names", where, l)
		}
	}
	for _, r := range policy.CollectionList() {
		for _, l := range []policy.Label{r.Category, r.Feature, r.Necessity, r.Basis, r.Retention.Rule, r.Visibility} {
			check(r.Field, l)
		}
		for _, p := range r.Purposes {
			check(r.Field, p.Purpose)
			check(r.Field, p.Basis)
		}
	}
	for _, r := range policy.SharingList() {
		check(r.Partner, r.Role)
		check(r.Partner, r.Purpose)
		for _, b := range r.Bases {
			check(r.Partner, b)
		}
	}
}

// TestSharingListCoversRecipients: every declared recipient appears, and
// nothing else does.
func TestSharingListCoversRecipients(t *testing.T) {
	type key struct{ partner, purpose, field string }
	listed := map[key]bool{}
	rows := map[[2]string]bool{}
	for _, r := range policy.SharingList() {
		k := [2]string{r.Partner, r.Purpose.Code}
		if rows[k] {
			t.Errorf("row %v listed twice", k)
		}
		rows[k] = true
		if len(r.Fields) == 0 || len(r.Bases) == 0 {
			t.Errorf("row %v has no fields or bases", k)
		}
		p, ok := privacy.Partner(privacy.PartnerID(r.Partner))
		if !ok || p.Abroad != r.Abroad || p.Name != r.Name {
			t.Errorf("row %v does not match partner %s", k, r.Partner)
		}
		for _, f := range r.Fields {
			listed[key{r.Partner, r.Purpose.Code, f.Field}] = true
		}
	}
	declared := 0
	for _, s := range privacy.Fields() {
		for _, rc := range s.Recipients {
			declared++
			if !listed[key{string(rc.Partner), string(rc.Purpose), string(s.Field)}] {
				t.Errorf("%s to %s for %s is missing from the sharing list", s.Field, rc.Partner, rc.Purpose)
			}
		}
	}
	if len(listed) != declared {
		t.Errorf("sharing list has %d entries, registry declares %d", len(listed), declared)
	}
}

// TestWriteJSONRoundTrip: the JSON document decodes back to the lists.
func TestWriteJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := policy.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &top); err != nil {
		t.Fatal(err)
	}
	if len(top) != 2 || top["collection"] == nil || top["sharing"] == nil {
		t.Fatalf("top-level keys: %v", top)
	}
	var got policy.Lists
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := policy.Lists{Collection: policy.CollectionList(), Sharing: policy.SharingList()}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("JSON does not round-trip")
	}
	if !bytes.Contains(buf.Bytes(), []byte(`"separate_consent": true`)) || !bytes.Contains(buf.Bytes(), []byte("面部识别信息")) {
		t.Error("JSON lacks snake_case keys or Chinese text")
	}
}

// TestWriteText: both tables, their Chinese headings, every field and
// every partner that receives something.
func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := policy.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{"个人信息收集清单", "第三方共享清单", "字段 Field", "合作方 Partner", "法律依据 Legal basis"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	for _, s := range privacy.Fields() {
		if !strings.Contains(text, s.Name+" / "+s.NameEN) {
			t.Errorf("text lacks field %s", s.Field)
		}
	}
	for _, r := range policy.SharingList() {
		if !strings.Contains(text, r.Name) {
			t.Errorf("text lacks partner %s", r.Partner)
		}
	}
	if strings.Index(text, "第三方共享清单") < strings.Index(text, "个人信息收集清单") {
		t.Error("sharing list before collection list")
	}
}
