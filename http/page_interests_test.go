package http_test

import (
	"net/url"
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/recommend"
)

// TestPagesInterests (二(二)4 偏好特征): in the privacy centre a person sees
// the interests the recommender inferred, deletes one with a button, and
// finds it among the deleted; their home feed says which interest brought
// each item, and none says the deleted one. With recommendation off the
// page says nothing is kept.
func TestPagesInterests(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		byCat := recoCatalogue(t, e, 6)
		sh := e.Register(t, "13900010151", "interest_pages")
		b := newBrowserSignedIn(t, e, sh)
		if p := b.get("/account/interests"); p.Status != 200 || !strings.Contains(p.HTML, "个性化推荐已关闭") {
			t.Fatalf("with recommendation off: %d %.600s", p.Status, p.HTML)
		}
		if p := b.get("/account/privacy"); !strings.Contains(p.HTML, `href="/account/interests"`) {
			t.Fatal("the privacy centre does not lead to the interests page")
		}
		setReco(t, e, sh, map[string]bool{"recommendation": true})
		for _, id := range byCat["dress"][:3] {
			wantStatus(t, e.Do(t, "POST", "/api/v1/recommendations/feedback", map[string]string{"item": id, "kind": "click"}, testenv.Bearer(sh.Token)...), 202, "feedback")
		}
		syncReco(t, e)
		var tags recommend.Tags
		e.Do(t, "GET", "/api/v1/recommendations/tags", nil, testenv.Bearer(sh.Token)...).JSON(t, &tags)
		if len(tags.Tags) == 0 {
			t.Fatal("no interest inferred")
		}
		name := tags.Tags[0].Name
		p := b.get("/account/interests")
		if !strings.Contains(p.HTML, name) || !strings.Contains(p.HTML, `action="/account/interests/dress/delete"`) {
			t.Fatalf("the interests page lacks %s and its delete button: %.1500s", name, p.HTML)
		}
		if home := b.get("/"); !strings.Contains(home.HTML, "因为您对「"+name+"」感兴趣") {
			t.Fatalf("the home feed does not say why: %.2000s", feedOf(home.HTML))
		}
		if home := newBrowserSignedIn(t, e, sh, "en").get("/"); !strings.Contains(home.HTML, "because you showed interest in "+name) {
			t.Fatal("the English home feed does not say why")
		}
		mustPage(t, b.post("/account/interests/dress/delete", url.Values{}), 303, "delete the interest")
		p = b.get("/account/interests")
		if strings.Contains(p.HTML, `action="/account/interests/dress/delete"`) || !strings.Contains(p.HTML, "已删除的偏好") || !strings.Contains(p.HTML, name) {
			t.Fatalf("after deleting: %.1500s", p.HTML)
		}
		if home := b.get("/"); strings.Contains(home.HTML, "因为您对「"+name+"」感兴趣") {
			t.Fatal("the home feed still names the deleted interest")
		}
		if p := b.post("/account/interests/dress/delete", url.Values{}); p.Status != 404 {
			t.Fatalf("deleting it again: %d", p.Status)
		}
	})
}
