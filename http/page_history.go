package http

import (
	nethttp "net/http"

	"minimall/engage"
	"minimall/privacy"
	"minimall/rights"
)

// registerHistoryPages registers what the person left behind and can see
// and clear (二(二)1, 四(三)): footprints, searches, the consent history,
// and how to reach the DPO with a complaint (八).
func (s *Server) registerHistoryPages() {
	if s.Engage != nil {
		s.handlePage("GET /account/footprints", s.pageFootprints)
		s.handlePage("POST /account/footprints/clear", s.pageFootprintsClear)
		s.handlePage("POST /account/footprints/{id}/remove", s.pageFootprintRemove)
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

type footprintView struct {
	engage.Entry
	Title string // the item's title now, if it is still in the catalogue
}

type footprintsData struct {
	Entries  []footprintView
	Page     int
	NextPage int
}

// pageFootprints handles "GET /account/footprints": what the person viewed,
// newest first, each removable, all clearable.
func (s *Server) pageFootprints(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	page, err := pageParam(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, err := s.Engage.List(r.Context(), a, engage.Footprint, page, 0)
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
	d := footprintsData{Page: p.Page, NextPage: p.NextPage}
	for _, e := range p.Entries {
		v := footprintView{Entry: e, Title: e.Target}
		if it, ok := items[e.Target]; ok {
			v.Title = it.Title
		}
		d.Entries = append(d.Entries, v)
	}
	s.render(w, r, nethttp.StatusOK, "footprints", "footprints.title", d)
}

// pageFootprintsClear handles "POST /account/footprints/clear".
func (s *Server) pageFootprintsClear(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if _, err := s.Engage.Clear(r.Context(), a, engage.Footprint); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/footprints")
}

// pageFootprintRemove handles "POST /account/footprints/{id}/remove".
func (s *Server) pageFootprintRemove(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if err := s.Engage.Remove(r.Context(), a, engage.Footprint, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/footprints")
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
	DPO    string
	Topics []string
	Filed  *rights.ComplaintRequest
	Error  string
}

// pageContact handles "GET /contact": the DPO's address, and for a
// signed-in person a complaint form (八).
func (s *Server) pageContact(w nethttp.ResponseWriter, r *nethttp.Request) {
	s.render(w, r, nethttp.StatusOK, "contact", "contact.title", contactData{DPO: s.Policy.Contact().DPO, Topics: rights.ComplaintTopics})
}

// pageComplaint handles "POST /contact/complaints": a complaint, which
// joins the rights queue with its 15-day deadline.
func (s *Server) pageComplaint(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	d := contactData{DPO: s.Policy.Contact().DPO, Topics: rights.ComplaintTopics}
	c, err := s.Rights.FileComplaint(r.Context(), a, rights.NewComplaint{Topic: r.PostForm.Get("topic"), Text: r.PostForm.Get("text")})
	if err != nil {
		s.formError(w, r, err, "contact", "contact.title", &d, &d.Error)
		return
	}
	d.Filed = c
	s.render(w, r, nethttp.StatusCreated, "contact", "contact.title", d)
}
