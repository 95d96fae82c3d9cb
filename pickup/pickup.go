// Package pickup holds the pick-up points (驿站) a parcel can go to
// instead of a home address. The list is the same for everyone and sorted
// by city; sorting by distance happens in the person's browser, so their
// position never reaches minimall (policy 二(八)1). A person who declines
// the browser's location prompt is not asked again for RefusalPause (the
// MIIT rule on permission requests): the refusal is kept in the consent
// ledger for an account and in a necessary cookie for a visitor.
package pickup

import (
	"context"
	"time"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// RefusalPause is how long a declined location prompt is not asked again.
const RefusalPause = 48 * time.Hour

// Point is one pick-up point.
type Point struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	City    string  `json:"city"`
	Address string  `json:"address"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
}

// Service lists pick-up points and keeps a person's refusal of the
// location prompt.
type Service struct {
	db *sqldb.DB
	k  *privacy.Kernel
}

// NewService returns the service.
func NewService(db *sqldb.DB, k *privacy.Kernel) *Service { return &Service{db: db, k: k} }

// List returns every pick-up point, by city and then name.
func (s *Service) List(ctx context.Context) ([]Point, error) {
	const op = "pickup.List"
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, city, address, lat_e6, lng_e6 FROM pickup_points ORDER BY city, name, id`)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	var out []Point
	for rows.Next() {
		var p Point
		var lat, lng int64
		if err := rows.Scan(&p.ID, &p.Name, &p.City, &p.Address, &lat, &lng); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		p.Lat, p.Lng = float64(lat)/1e6, float64(lng)/1e6
		out = append(out, p)
	}
	return out, rows.Err()
}

// Find returns one pick-up point. Returns NotFound for an unknown id.
func (s *Service) Find(ctx context.Context, id string) (*Point, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if p.ID == id {
			return &p, nil
		}
	}
	return nil, minimall.Errorf(minimall.NotFound, "pickup.Find", "No such pick-up point. 没有这个驿站。")
}

// MayAsk reports whether the page may offer to ask a's browser for its
// location: not while a refusal they gave is younger than RefusalPause.
func (s *Service) MayAsk(ctx context.Context, a minimall.Actor) (bool, error) {
	if a.Kind != minimall.Shopper {
		return true, nil // a visitor's refusal is in their cookie
	}
	st, rec, err := s.k.Consents.State(ctx, a.Subject, privacy.FeatureScope(privacy.FeatLocation))
	if err != nil || st != privacy.Withdrawn {
		return true, err
	}
	return s.db.Now().Sub(rec.At) >= RefusalPause, nil
}

// Refused records that a signed-in person declined the location prompt,
// as a refusal of the location-based function in the consent ledger (with
// its time, so the pause can be counted and the person can see it).
func (s *Service) Refused(ctx context.Context, a minimall.Actor) error {
	if err := minimall.SignedIn(a, "pickup.Refused"); err != nil {
		return err
	}
	_, err := s.k.Consents.Record(ctx, privacy.ConsentChange{Subject: a.Subject, Scope: privacy.FeatureScope(privacy.FeatLocation),
		Kind: privacy.Separate, Action: privacy.Withdraw, Channel: "web", Evidence: "location_prompt_declined"})
	return err
}
