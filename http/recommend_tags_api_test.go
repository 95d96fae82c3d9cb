package http_test

import (
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/recommend"
)

// TestAPIPreferenceTags (二(二)4 偏好特征): the person sees the interests the
// recommender inferred, in plain words, and why each item is on their
// list; a deleted interest no longer shapes the list, no explanation names
// it, and later behaviour in that category does not bring it back. With
// recommendation off there is nothing; a visitor gets 401.
func TestAPIPreferenceTags(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		byCat := recoCatalogue(t, e, 6)
		sh := e.Register(t, "13900010101", "tags_a")
		h := testenv.Bearer(sh.Token)
		tags := func() recommend.Tags {
			t.Helper()
			var got recommend.Tags
			r := e.Do(t, "GET", "/api/v1/recommendations/tags", nil, h...)
			wantStatus(t, r, 200, "tags")
			r.JSON(t, &got)
			return got
		}
		wantStatus(t, e.Do(t, "GET", "/api/v1/recommendations/tags", nil), 401, "visitor")
		if got := tags(); len(got.Tags) != 0 {
			t.Fatalf("tags with recommendation off: %+v", got)
		}
		wantStatus(t, e.Do(t, "DELETE", "/api/v1/recommendations/tags/dress", nil, h...), 409, "delete with recommendation off")
		setReco(t, e, sh, map[string]bool{"recommendation": true})
		click := func(cat string, n int) {
			for _, id := range byCat[cat][:n] {
				wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/feedback", map[string]string{"item": id, "kind": "click"}, h...), 202, "feedback")
			}
		}
		click("dress", 3)
		click("earphone", 2)
		syncReco(t, e)

		got := tags()
		if len(got.Tags) != 2 || got.Tags[0].Category != "dress" || got.Tags[0].Name == "" || got.Tags[0].Strength != "strong" {
			t.Fatalf("tags: %+v", got)
		}
		dressName := got.Tags[0].Name
		l := recommendations(t, e, 1, h...)
		if !explains(l, dressName) {
			t.Fatalf("no item is explained by the interest in %s: %v", dressName, l.Why)
		}

		r := e.Do(t, "DELETE", "/api/v1/recommendations/tags/dress", nil, h...)
		wantStatus(t, r, 200, "delete the interest")
		wantStatus(t, e.Do(t, "DELETE", "/api/v1/recommendations/tags/dress", nil, h...), 404, "delete it again")
		click("dress", 3)
		syncReco(t, e)
		got = tags()
		for _, tg := range got.Tags {
			if tg.Category == "dress" {
				t.Fatalf("a deleted interest came back: %+v", got)
			}
		}
		if len(got.Deleted) != 1 || got.Deleted[0].Category != "dress" {
			t.Fatalf("deleted: %+v", got.Deleted)
		}
		for page := 1; page != 0; {
			l := recommendations(t, e, page, h...)
			if explains(l, dressName) {
				t.Fatalf("page %d explains an item by the deleted interest: %v", page, l.Why)
			}
			page = l.NextPage
		}
	})
}

func explains(l *recommend.List, name string) bool {
	for _, why := range l.Why {
		if strings.Contains(why, name) {
			return true
		}
	}
	return false
}
