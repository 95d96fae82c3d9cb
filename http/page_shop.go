package http

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	nethttp "net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"minimall"
	"minimall/catalog"
	"minimall/recommend"
	"minimall/search"
)

// registerShopPages registers the shop's pages: home, categories, search
// and items. Everyone browses and searches, signed in or not (policy
// 二(一)1).
func (s *Server) registerShopPages() {
	s.handlePage("GET /{$}", s.pageHome)
	s.handlePage("GET /categories/{id}", s.pageCategory)
	s.handlePage("GET /items/{id}", s.pageItem)
	if s.Search != nil {
		s.handlePage("GET /search", s.pageSearch)
		s.handlePage("POST /search", s.pageSearchPost)
	}
}

type homeData struct {
	Recent     []*catalog.Item // a consenting visitor's, from the optional cookie
	Categories []*catalog.Category
	Lists      template.HTML // the hot list and the feed, rendered
}

// homeLists is what the home page's lists show.
type homeLists struct {
	Feed         []*catalog.Item
	Personalised bool
	// Why says, by item id, which of the person's interests brought an
	// item into their feed (二(二)4); their interests page lets them delete it.
	Why      map[string]string
	OnDevice bool // a visitor's feed, ranked by the recent items their device keeps
	Hot      []*catalog.Item
}

// pageHome handles "GET /": the feed (personalised only for a signed-in
// person with recommendations on, 二(二)4), the hot list and the
// categories. A visitor's lists are the same for every visitor: they are
// rendered once a second per language and shared (visitorLists).
func (s *Server) pageHome(w nethttp.ResponseWriter, r *nethttp.Request) {
	var d homeData
	var err error
	if d.Categories, err = s.Catalog.Categories(r.Context()); err != nil {
		s.pageError(w, r, err)
		return
	}
	if d.Recent, err = s.recentlyViewed(r); err != nil {
		s.pageError(w, r, err)
		return
	}
	if s.Recommend != nil {
		a, l := minimall.ActorFromContext(r.Context()), langOf(r)
		var onDevice bool
		if a.Kind != minimall.Shopper {
			d.Lists, onDevice, err = s.deviceFeed(r, d.Recent, l)
		}
		switch {
		case err != nil, onDevice:
		case a.Kind == minimall.Shopper:
			d.Lists, err = s.renderLists(r, a, l)
		default:
			d.Lists, err = s.visitorLists[l].Get(catalog.CacheTTL, func() (template.HTML, error) { return s.renderLists(r, a, l) })
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.render(w, r, nethttp.StatusOK, "home", "home.title", d)
}

// renderLists renders the home page's hot list and feed for a.
func (s *Server) renderLists(r *nethttp.Request, a minimall.Actor, l lang) (template.HTML, error) {
	list, err := s.Recommend.Recommend(r.Context(), a, 1)
	if err != nil {
		return "", err
	}
	return s.renderListsOf(r.Context(), list, l, false)
}

// renderListsOf renders the home page's hot list and the feed list.
// onDevice: ranked by a visitor's recent items on their device.
func (s *Server) renderListsOf(ctx context.Context, list *recommend.List, l lang, onDevice bool) (template.HTML, error) {
	d := homeLists{Feed: list.Items, Personalised: list.Personalised, Why: list.Why, OnDevice: onDevice}
	var err error
	if d.Hot, err = s.Recommend.Hot(ctx); err != nil {
		return "", err
	}
	d.Hot = d.Hot[:min(len(d.Hot), 10)]
	var b strings.Builder
	if err := s.pages[l]["home"].ExecuteTemplate(&b, "lists", d); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

type categoryData struct {
	Category *catalog.Category
	Items    []*catalog.Item
	Page     int
	NextPage int
}

// pageCategory handles "GET /categories/{id}": a page of its items.
func (s *Server) pageCategory(w nethttp.ResponseWriter, r *nethttp.Request) {
	page, err := pageParam(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	tree, err := s.Catalog.Categories(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	c := findCategory(tree, r.PathValue("id"))
	if c == nil {
		s.pageError(w, r, minimall.Errorf(minimall.NotFound, "", "No such category. 没有这个类目。"))
		return
	}
	p, err := s.Catalog.CategoryPage(r.Context(), c.ID, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "category", "category.title", categoryData{c, p.Items, p.Page, p.NextPage})
}

func findCategory(tree []*catalog.Category, id string) *catalog.Category {
	for _, c := range tree {
		if c.ID == id {
			return c
		}
		if f := findCategory(c.Children, id); f != nil {
			return f
		}
	}
	return nil
}

// pageItem handles "GET /items/{id}". A signed-in view leaves a footprint,
// as on the API (二(二)1 浏览记录); the page is served even if it does not.
func (s *Server) pageItem(w nethttp.ResponseWriter, r *nethttp.Request) {
	it, err := s.Catalog.Item(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if a := minimall.ActorFromContext(r.Context()); a.Kind == minimall.Shopper && s.Engage != nil {
		if err := s.Engage.RecordView(r.Context(), a.Subject, it.ID); err != nil {
			s.Logger.Debug("footprint not recorded", "request_id", requestIDFrom(r.Context()), "code", minimall.ErrorCode(err).String())
		}
	}
	s.rememberView(w, r, it.ID)
	details, err := s.itemDetails(langOf(r), it)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "item", "item.title", itemData{Item: it, Details: details})
}

type itemData struct {
	Item    *catalog.Item
	Details template.HTML // rendered once per item version and language
}

// itemDetails returns an item's rendered details in language l: the same
// for everyone, and most of what an item page costs to render, so kept
// (fragments) until the item or its stock changes.
func (s *Server) itemDetails(l lang, it *catalog.Item) (template.HTML, error) {
	key := fmt.Sprintf("%d\x00%s\x00%d\x00%d", l, it.ID, it.UpdatedAt.UnixNano(), it.Stock)
	if h, ok := s.fragments.get(key); ok {
		return h, nil
	}
	var b strings.Builder
	if err := s.pages[l]["item"].ExecuteTemplate(&b, "details", it); err != nil {
		return "", err
	}
	h := template.HTML(b.String())
	s.fragments.put(key, h)
	return h, nil
}

// fragmentCache keeps rendered parts of pages that are the same for
// everyone, under keys that change when what they show changes. It is
// bounded: past maxFragments it starts again empty.
type fragmentCache struct {
	mu sync.Mutex
	m  map[string]template.HTML
}

const maxFragments = 20_000

func (c *fragmentCache) get(key string) (template.HTML, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[key]
	return h, ok
}

func (c *fragmentCache) put(key string, h template.HTML) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxFragments {
		c.m = map[string]template.HTML{}
	}
	c.m[key] = h
}

type searchData struct {
	Query  string
	Sort   string
	Result *search.Result
	Sealed string // the query, sealed for the page's links
	// NonPersonalised is the person's 去个性化排序 switch; shown signed in.
	NonPersonalised bool
	Error           string
}

// The sorts a search page offers, in the order shown.
var searchSorts = []string{search.ByRelevance, search.ByPriceAsc, search.ByPriceDesc, search.ByNewest}

// pageSearchPost handles "POST /search": the form's query is sealed into
// the address of the results, so a search never appears in a URL, a log
// or a referrer in clear (a person's searches are personal information).
func (s *Server) pageSearchPost(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	q := url.Values{"r": {s.sealQuery(r.PostForm.Get("q"))}}
	if sort := r.PostForm.Get("sort"); sort != "" {
		q.Set("sort", sort)
	}
	seeOther(w, r, "/search?"+q.Encode())
}

// pageSearch handles "GET /search": the results of a sealed query, or the
// empty form.
func (s *Server) pageSearch(w nethttp.ResponseWriter, r *nethttp.Request) {
	d := searchData{Sort: r.URL.Query().Get("sort")}
	a := minimall.ActorFromContext(r.Context())
	if a.Kind == minimall.Shopper {
		set, err := s.Search.Settings(r.Context(), a)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		d.NonPersonalised = set.NonPersonalised
	}
	sealed := r.URL.Query().Get("r")
	if sealed == "" {
		s.render(w, r, nethttp.StatusOK, "search", "search.title", d)
		return
	}
	query, ok := s.openQuery(sealed)
	if !ok {
		d.Error = message("search.expired", langOf(r))
		s.render(w, r, nethttp.StatusOK, "search", "search.title", d)
		return
	}
	page, err := pageParam(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Query, d.Sealed = query, sealed
	d.Result, err = s.Search.Search(r.Context(), a, search.Request{Query: query, Sort: d.Sort, Page: page})
	if minimall.ErrorCode(err) == minimall.Invalid {
		d.Error = localize(minimall.ErrorMessage(err), langOf(r))
		s.render(w, r, nethttp.StatusBadRequest, "search", "search.title", d)
		return
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Sort = d.Result.Sort
	s.render(w, r, nethttp.StatusOK, "search", "search.title", d)
}

// sealQuery seals a search query under the server's own key (made at
// start: a link outlives a restart only as an empty search form).
func (s *Server) sealQuery(q string) string {
	nonce := make([]byte, s.queryKey.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(s.queryKey.Seal(nonce, nonce, []byte(q), []byte("search")))
}

func (s *Server) openQuery(sealed string) (string, bool) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	n := s.queryKey.NonceSize()
	if err != nil || len(b) < n {
		return "", false
	}
	q, err := s.queryKey.Open(nil, b[:n], b[n:], []byte("search"))
	return string(q), err == nil
}

func newQueryKey() cipher.AEAD {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	return aead
}

// nextPage returns the address of a result page with page n.
func (d searchData) PageURL(n int) string {
	q := url.Values{"r": {d.Sealed}, "page": {strconv.Itoa(n)}}
	if d.Sort != "" {
		q.Set("sort", d.Sort)
	}
	return "/search?" + q.Encode()
}

// SortURL returns the address of the first page sorted by sort.
func (d searchData) SortURL(sort string) string {
	return "/search?" + url.Values{"r": {d.Sealed}, "sort": {sort}}.Encode()
}

// Sorts lists the sorts a search page offers.
func (d searchData) Sorts() []string { return searchSorts }
