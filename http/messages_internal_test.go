package http

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"minimall/order"
	"minimall/privacy"
	"minimall/rights"
)

// TestMessagesComplete: every message a template asks for exists, in
// Chinese and in English, and no message is unused.
func TestMessagesComplete(t *testing.T) {
	if _, err := parsePages(); err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	// Asked for as (print "sort." .) and the like.
	for _, s := range searchSorts {
		used["sort."+s] = true
	}
	for _, s := range []order.Status{order.PendingPayment, order.Paid, order.Shipped, order.Delivered, order.Cancelled, order.Refunded} {
		used["status."+string(s)] = true
	}
	for _, s := range []string{"created", "in_transit", "delivered"} {
		used["track."+s] = true
	}
	for _, st := range []string{"none", "appealed", "answered"} {
		used["appeal.state."+st] = true
	}
	for _, l := range engageLists {
		used[l.title], used[l.note], used[l.none] = true, true, true
	}
	for _, k := range []string{"initial", "major", "minor", "none"} {
		used["policy.kind."+k] = true
	}
	for _, topic := range rights.ComplaintTopics {
		used["topic."+topic] = true
	}
	for _, k := range []rights.Kind{rights.Access, rights.Copy, rights.Correct, rights.Delete, rights.Deregister, rights.Appeal, rights.Complaint, rights.Recipient} {
		used["kind."+string(k)] = true
	}
	for _, ev := range []string{"exposure_began", "exposure_ended", "recorded", "people_notified"} { // incident.Report's timeline
		used["incident.event."+ev] = true
	}
	for _, st := range []rights.State{rights.Received, rights.IdentityChecked, rights.InProgress, rights.Answered, rights.Refused} {
		used["state."+string(st)] = true
	}
	for _, k := range privacy.HoldKinds() {
		used["hold.kind."+string(k)] = true
	}
	// The states of the cross-border consent (transfer.Notice.Consent).
	for _, s := range []string{"granted", "withdrawn", "never_asked", "outdated"} {
		used["cb.consent."+s] = true
	}
	// Asked for in Go: page titles and messages by key.
	titles := regexp.MustCompile(`s\.render\(w, r, [^,]+, "[^"]+", "([^"]+)"|message\("([^"]+)"`)
	goFiles, _ := filepath.Glob("page*.go")
	for _, name := range goFiles {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range titles.FindAllStringSubmatch(string(b), -1) {
			used[m[1]+m[2]] = true
		}
	}
	keyUse := regexp.MustCompile(`\.T "([^"]+)"`)
	err := fs.WalkDir(htmlFiles, "html", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := htmlFiles.ReadFile(path)
		for _, m := range keyUse.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range used {
		m, ok := messages[key]
		if !ok || m[zh] == "" || m[en] == "" {
			t.Errorf("message %q is missing in a language: %q", key, m)
		}
	}
	for key := range messages {
		if !used[key] {
			t.Errorf("message %q is used nowhere", key)
		}
	}
}

// TestLocalize: an area's bilingual message splits at its first Chinese
// character.
func TestLocalize(t *testing.T) {
	for _, tc := range []struct{ msg, zh, en string }{
		{"Sign in first. 请先登录。", "请先登录。", "Sign in first."},
		{"only English", "only English", "only English"},
		{"只有中文。", "只有中文。", "只有中文。"},
	} {
		if got := localize(tc.msg, zh); got != tc.zh {
			t.Errorf("zh of %q: %q", tc.msg, got)
		}
		if got := localize(tc.msg, en); got != tc.en {
			t.Errorf("en of %q: %q", tc.msg, got)
		}
	}
}
