package http

import (
	nethttp "net/http"

	"minimall"
	"minimall/pickup"
)

// geoRefusedCookie remembers on a visitor's device that they declined the
// location prompt, so the page does not offer it again for 48 hours (a
// necessary cookie: it exists to respect the refusal).
const geoRefusedCookie = "minimall_geo_refused"

// registerPickupPages registers the pick-up points page (二(八)1): the list
// by city; sorting by distance is done by the browser, asked only when the
// person taps it.
func (s *Server) registerPickupPages() {
	if s.Pickup == nil {
		return
	}
	s.handlePage("GET /pickup-points", s.pagePickupPoints)
	s.handlePage("POST /pickup-points/location-refused", s.pageLocationRefused)
}

type pickupData struct {
	Points []pickup.Point
	Ask    bool // the page may offer to sort by distance
	Next   string
}

// pagePickupPoints handles "GET /pickup-points".
func (s *Server) pagePickupPoints(w nethttp.ResponseWriter, r *nethttp.Request) {
	points, err := s.Pickup.List(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ask, err := s.Pickup.MayAsk(r.Context(), minimall.ActorFromContext(r.Context()))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if c, err := r.Cookie(geoRefusedCookie); err == nil && c.Value != "" {
		ask = false
	}
	next := ""
	if r.URL.Query().Get("next") == "checkout" {
		next = "checkout"
	}
	s.render(w, r, nethttp.StatusOK, "pickup", "pickup.title", pickupData{Points: points, Ask: ask, Next: next})
}

// pageLocationRefused handles "POST /pickup-points/location-refused": the
// browser reports that the person declined the location prompt; it is not
// offered again for 48 hours (in the consent ledger for an account, in a
// necessary cookie for a visitor).
func (s *Server) pageLocationRefused(w nethttp.ResponseWriter, r *nethttp.Request) {
	if !s.checkForm(w, r) {
		return
	}
	a := minimall.ActorFromContext(r.Context())
	if a.Kind == minimall.Shopper {
		if err := s.Pickup.Refused(r.Context(), a); err != nil {
			s.pageError(w, r, err)
			return
		}
	} else {
		s.setCookie(w, nethttp.Cookie{Name: geoRefusedCookie, Value: "1", MaxAge: seconds(pickup.RefusalPause)})
	}
	if r.PostForm.Get("js") == "1" {
		w.WriteHeader(nethttp.StatusNoContent)
		return
	}
	seeOther(w, r, "/pickup-points")
}
