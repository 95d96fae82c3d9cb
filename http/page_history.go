package http

import (
	nethttp "net/http"
	"net/url"

	"minimall"

	"minimall/engage"
	"minimall/privacy"
	"minimall/privacy/policy"
	"minimall/rights"
)

// registerHistoryPages registers what the person left behind and can see
// and clear (二(二)1, 四(三)): footprints, searches, the consent history,
// and how to reach the DPO with a complaint (八).
func (s *Server) registerHistoryPages() {
	if s.Engage != nil {
		for _, l := range engageLists {
			s.handlePage("GET "+l.path, s.pageEngageList(l))
			s.handlePage("POST "+l.path+"/clear", s.pageEngageClear(l))
			s.handlePage("POST "+l.path+"/{id}/remove", s.pageEngageRemove(l))
		}
		s.handlePage("POST /account/favourites", s.pageFavourite)
	}
	if s.Search != nil {
		s.handlePage("GET /account/searches", s.pageSearches)
		s.handlePage("POST /account/searches/clear", s.pageSearchesClear)
	}
	s.handlePage("GET /account/consents", s.pageConsents)
	if s.Policy != nil && s.Rights != nil {
		s.handlePage("GET /contact", s.pageContact)
		s.handlePage("POST /contact/complaints", s.pageComplaint)
	}
}

// engageList is one of the person's lists of items (二(二)1): what they
// viewed and what they saved, each entry removable, the list clearable.
type engageList struct {
	kind  engage.Kind
	path  string
	title string // message keys
	note  string
	none  string
}

var engageLists = []engageList{
	{engage.Footprint, "/account/footprints", "footprints.title", "footprints.note", "footprints.none"},
	{engage.Favourite, "/account/favourites", "favourites.title", "favourites.note", "favourites.none"},
}

type engageEntry struct {
	engage.Entry
	Title string // the item's title now, if it is still in the catalogue
}

type engageListData struct {
	Path, Note, None string
	Entries          []engageEntry
	Page             int
	NextPage         int
}

// pageEngageList handles "GET /account/footprints" and the like: the
// list, newest first, with each item's title.
func (s *Server) pageEngageList(l engageList) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		a, ok := s.signedInPage(w, r)
		if !ok {
			return
		}
		page, err := pageParam(r)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		p, err := s.Engage.List(r.Context(), a, l.kind, page, 0)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		ids := make([]string, len(p.Entries))
		for i, e := range p.Entries {
			ids[i] = e.Target
		}
		items, err := s.Catalog.CachedItems(r.Context(), ids)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		d := engageListData{Path: l.path, Note: message(l.note, langOf(r)), None: message(l.none, langOf(r)), Page: p.Page, NextPage: p.NextPage}
		for _, e := range p.Entries {
			v := engageEntry{Entry: e, Title: e.Target}
			if it, ok := items[e.Target]; ok {
				v.Title = it.Title
			}
			d.Entries = append(d.Entries, v)
		}
		s.render(w, r, nethttp.StatusOK, "engage", l.title, d)
	}
}

// pageEngageClear handles "POST /account/footprints/clear" and the like.
func (s *Server) pageEngageClear(l engageList) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		a, ok := s.signedInPage(w, r)
		if !ok || !s.checkForm(w, r) {
			return
		}
		if _, err := s.Engage.Clear(r.Context(), a, l.kind); err != nil {
			s.pageError(w, r, err)
			return
		}
		seeOther(w, r, l.path)
	}
}

// pageEngageRemove handles "POST /account/footprints/{id}/remove" and the like.
func (s *Server) pageEngageRemove(l engageList) nethttp.HandlerFunc {
	return func(w nethttp.ResponseWriter, r *nethttp.Request) {
		a, ok := s.signedInPage(w, r)
		if !ok || !s.checkForm(w, r) {
			return
		}
		if err := s.Engage.Remove(r.Context(), a, l.kind, r.PathValue("id")); err != nil {
			s.pageError(w, r, err)
			return
		}
		seeOther(w, r, l.path)
	}
}

// pageFavourite handles "POST /account/favourites": the item page's
// favourite button; a visitor signs in first and comes back to the item.
func (s *Server) pageFavourite(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	item := r.PostForm.Get("item")
	back := "/items/" + url.PathEscape(item)
	a := minimall.ActorFromContext(r.Context())
	if a.Kind != minimall.Shopper {
		seeOther(w, r, "/signin?"+url.Values{"next": {back}}.Encode())
		return
	}
	if _, _, err := s.Engage.Add(r.Context(), a, engage.Favourite, engage.NewEntry{Type: engage.Item, Target: item}); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, back)
}

// pageSearches handles "GET /account/searches": the search history.
func (s *Server) pageSearches(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	list, err := s.Search.History(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "searches", "searches.title", list)
}

// pageSearchesClear handles "POST /account/searches/clear".
func (s *Server) pageSearchesClear(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Search.ClearHistory(r.Context(), a); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/searches")
}

// pageConsents handles "GET /account/consents": every grant and withdrawal
// the ledger holds, newest first; the switches are on /account/privacy.
func (s *Server) pageConsents(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	hist, err := s.Kernel.Consents.History(r.Context(), a.Subject)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	newest := make([]privacy.ConsentRecord, len(hist))
	for i, rec := range hist {
		newest[len(hist)-1-i] = rec
	}
	s.render(w, r, nethttp.StatusOK, "consents", "consents.title", newest)
}

type contactData struct {
	DPO string
	// Controller is set once the information moved to another controller
	// (三(二)): who processes it now and how to reach them.
	Controller policy.Controller
	Topics     []string
	Filed      *rights.ComplaintRequest
	Error      string
}

// pageContact handles "GET /contact": the DPO's address, and for a
// signed-in person a complaint form (八).
func (s *Server) pageContact(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "contact", "contact.title", s.contactData())
}

func (s *Server) contactData() contactData {
	c := s.Policy.Contact()
	return contactData{DPO: c.DPO, Controller: c.Controller, Topics: rights.ComplaintTopics}
}

// pageComplaint handles "POST /contact/complaints": a complaint, which
// joins the rights queue with its 15-day deadline.
func (s *Server) pageComplaint(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	d := s.contactData()
	c, err := s.Rights.FileComplaint(r.Context(), a, rights.NewComplaint{Topic: r.PostForm.Get("topic"), Text: r.PostForm.Get("text")})
	if err != nil {
		s.formError(w, r, err, "contact", "contact.title", &d, &d.Error)
		return
	}
	d.Filed = c
	s.render(w, r, nethttp.StatusCreated, "contact", "contact.title", d)
}
