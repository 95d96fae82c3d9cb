package http

import (
	nethttp "net/http"

	"minimall/addressbook"
)

// registerAddressPages registers the address book (二(三)2): saved
// recipients to pick at checkout.
func (s *Server) registerAddressPages() {
	s.handlePage("GET /account/addresses", s.pageAddresses)
	s.handlePage("POST /account/addresses", s.pageAddressAdd)
	s.handlePage("POST /account/addresses/{id}/remove", s.pageAddressRemove)
}

type addressesData struct {
	Addresses []addressbook.Address
	Form      addressbook.Address
	Error     string
}

// pageAddresses handles "GET /account/addresses".
func (s *Server) pageAddresses(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok {
		return
	}
	list, err := s.AddressBook.List(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, nethttp.StatusOK, "addresses", "addresses.title", addressesData{Addresses: list})
}

// pageAddressAdd handles "POST /account/addresses".
func (s *Server) pageAddressAdd(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	n := addressbook.Address{Name: r.PostForm.Get("name"), Address: r.PostForm.Get("address"), Phone: r.PostForm.Get("phone")}
	if _, err := s.AddressBook.Add(r.Context(), a, n); err != nil {
		list, lerr := s.AddressBook.List(r.Context(), a)
		if lerr != nil {
			s.pageError(w, r, lerr)
			return
		}
		d := &addressesData{Addresses: list, Form: n}
		s.formError(w, r, err, "addresses", "addresses.title", d, &d.Error)
		return
	}
	seeOther(w, r, "/account/addresses")
}

// pageAddressRemove handles "POST /account/addresses/{id}/remove".
func (s *Server) pageAddressRemove(w nethttp.ResponseWriter, r *nethttp.Request) {
	a, ok := s.signedInPage(w, r)
	if !ok || !s.checkForm(w, r) {
		return
	}
	if err := s.AddressBook.Remove(r.Context(), a, r.PathValue("id")); err != nil {
		s.pageError(w, r, err)
		return
	}
	seeOther(w, r, "/account/addresses")
}
