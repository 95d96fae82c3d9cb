package app

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

// Sweepers lists every area's part of a retention sweep (五(一)). The
// schedule in New and the `retention run` command sweep the same list.
func Sweepers(db *sqldb.DB, k *privacy.Kernel, eng *engage.Service, srch *search.Service) []lifecycle.Sweeper {
	return []lifecycle.Sweeper{
		account.Sweeper{DB: db, Kernel: k, Minors: identity.Minors{}}, security.Sweeper{DB: db}, search.Sweeper{DB: db, Service: srch}, cart.Sweeper{DB: db},
		oauth.Sweeper{DB: db}, identity.Sweeper{DB: db}, partner.Sweeper{DB: db}, order.Sweeper{DB: db},
		decision.Sweeper{DB: db}, transfer.Sweeper{DB: db},
		lifecycle.SweepFunc{Name: "engage", Fn: func(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
			rep := lifecycle.NewReport("engage")
			if r.DryRun {
				return rep, nil
			}
			n, err := eng.SweepFootprints(ctx)
			rep.Removed["footprints"] = n
			return rep, err
		}},
		lifecycle.SweepFunc{Name: "audit", Fn: func(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
			// 五(三)1: audit entries past privacy.AuditRetention are archived
			// (privacy.Config.AuditArchiveDir) or dropped, under the log's base.
			rep := lifecycle.NewReport("audit")
			res, err := k.SweepAudit(ctx, r.Now, k.AuditArchiveFile(r.Now), r.DryRun)
			if res != nil {
				rep.Removed["audit_log"] = int(res.Removed)
			}
			return rep, err
		}},
	}
}
