package testenv

import (
	"context"

	"minimall/account"
	"minimall/cart"
	"minimall/decision"
	"minimall/engage"
	"minimall/identity"
	"minimall/lifecycle"
	"minimall/oauth"
	"minimall/order"
	"minimall/partner"
	"minimall/privacy"
	"minimall/search"
	"minimall/security"
	"minimall/sqldb"
	"minimall/transfer"
)

// Sweepers lists every area's part of a retention sweep, as cmd wires it.
func Sweepers(db *sqldb.DB, k *privacy.Kernel, eng *engage.Service, srch *search.Service) []lifecycle.Sweeper {
	out := []lifecycle.Sweeper{
		account.Sweeper{DB: db, Kernel: k, Minors: identity.Minors{}}, security.Sweeper{DB: db}, search.Sweeper{DB: db, Service: srch}, cart.Sweeper{DB: db},
		oauth.Sweeper{DB: db}, identity.Sweeper{DB: db}, partner.Sweeper{DB: db}, order.Sweeper{DB: db}, decision.Sweeper{DB: db}, transfer.Sweeper{DB: db},
	}
	if eng != nil {
		out = append(out, lifecycle.SweepFunc{Name: "engage", Fn: func(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
			rep := lifecycle.NewReport("engage")
			if r.DryRun {
				return rep, nil
			}
			n, err := eng.SweepFootprints(ctx)
			rep.Removed["footprints"] = n
			return rep, err
		}})
	}
	return out
}

func newLifecycle(db *sqldb.DB, k *privacy.Kernel, eng *engage.Service, srch *search.Service) *lifecycle.Service {
	return lifecycle.NewService(db, k, account.Holders{DB: db}, Sweepers(db, k, eng, srch)...)
}
