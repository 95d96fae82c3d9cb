package http

import (
	"html/template"
	nethttp "net/http"
	"strings"
	"time"

	"minimall"
	"minimall/catalog"
)

// The optional cookies: a visitor's recently viewed items and their
// recommendation and ad switches, kept on their device only after they
// agree. Before a choice, and after a no, nothing but the necessary
// cookies is set; withdrawing deletes them. With recommendation switched
// on, the visitor's home feed is ranked by their recent items' categories
// for that answer only: the server keeps nothing.

const (
	choiceCookie = "minimall_cookie_choice" // necessary: the answer itself
	recentCookie = "minimall_recent"        // optional: item ids, comma-separated
	recentMax    = 10
	recentLife   = 90 * 24 * time.Hour
	choiceLife   = 365 * 24 * time.Hour
)

// cookieChoice returns "yes", "no" or "" (not asked yet).
func cookieChoice(r *nethttp.Request) string {
	if c, err := r.Cookie(choiceCookie); err == nil && (c.Value == "yes" || c.Value == "no") {
		return c.Value
	}
	return ""
}

// pageCookieChoice handles "POST /cookies/choice": yes or no to the
// optional cookie; no (or a withdrawal) deletes it.
func (s *Server) pageCookieChoice(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	choice := r.PostForm.Get("choice")
	if choice != "yes" && choice != "no" {
		s.pageError(w, r, minimall.Errorf(minimall.Invalid, "", "Choose yes or no. 请选择允许或拒绝。"))
		return
	}
	s.setCookie(w, nethttp.Cookie{Name: choiceCookie, Value: choice, MaxAge: seconds(choiceLife)})
	if choice == "no" {
		s.setCookie(w, nethttp.Cookie{Name: recentCookie, MaxAge: -1})
		s.setCookie(w, nethttp.Cookie{Name: deviceCookie, MaxAge: -1})
	}
	seeOther(w, r, localPath(r.PostForm.Get("next")))
}

// rememberView keeps item first in a consenting visitor's recent items.
func (s *Server) rememberView(w nethttp.ResponseWriter, r *nethttp.Request, item string) {
	if cookieChoice(r) != "yes" || minimall.ActorFromContext(r.Context()).Kind == minimall.Shopper {
		return
	}
	ids := []string{item}
	for _, id := range recentItems(r) {
		if id != item && len(ids) < recentMax {
			ids = append(ids, id)
		}
	}
	s.setCookie(w, nethttp.Cookie{Name: recentCookie, Value: strings.Join(ids, "."), MaxAge: seconds(recentLife)})
}

// recentItems returns the item ids in the optional cookie, if allowed.
func recentItems(r *nethttp.Request) []string {
	if cookieChoice(r) != "yes" {
		return nil
	}
	c, err := r.Cookie(recentCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	var ids []string
	for _, id := range strings.Split(c.Value, ".") {
		if validItemID(id) && len(ids) < recentMax {
			ids = append(ids, id)
		}
	}
	return ids
}

// recentlyViewed returns a consenting visitor's recent items, in order.
func (s *Server) recentlyViewed(r *nethttp.Request) ([]*catalog.Item, error) {
	ids := recentItems(r)
	if len(ids) == 0 || minimall.ActorFromContext(r.Context()).Kind == minimall.Shopper {
		return nil, nil
	}
	items, err := s.Catalog.CachedItems(r.Context(), ids)
	if err != nil {
		return nil, err
	}
	var out []*catalog.Item
	for _, id := range ids {
		if it, ok := items[id]; ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// pageDeviceSwitches handles "POST /cookies/switches": a visitor's
// recommendation and ad switches, kept in the optional cookie; only after
// they allowed optional cookies.
func (s *Server) pageDeviceSwitches(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	if cookieChoice(r) != "yes" {
		s.pageError(w, r, minimall.Errorf(minimall.Conflict, "", "Allow optional cookies first: a visitor's switches are kept only there. 请先允许可选 Cookie，访客的开关只保存在其中。"))
		return
	}
	v := "r" + bit(r.PostForm.Get("recommendation") == "on") + "a" + bit(r.PostForm.Get("personalised_ads") == "on")
	s.setCookie(w, nethttp.Cookie{Name: deviceCookie, Value: v, MaxAge: seconds(choiceLife)})
	seeOther(w, r, "/cookies")
}

// deviceFeed is a visitor's home lists ranked by their recent items, when
// their device keeps the switch on; nil otherwise.
func (s *Server) deviceFeed(r *nethttp.Request, recent []*catalog.Item, l lang) (template.HTML, bool, error) {
	if len(recent) == 0 || !deviceSettings(r).Recommendation || s.Recommend == nil {
		return "", false, nil
	}
	cats := make([]string, len(recent))
	for i, it := range recent {
		cats[i] = it.Category
	}
	list, err := s.Recommend.RecommendOnDevice(r.Context(), cats, 1)
	if err != nil {
		return "", false, err
	}
	html, err := s.renderListsOf(r.Context(), list, l, true)
	return html, true, err
}
