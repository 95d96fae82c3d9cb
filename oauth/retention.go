package oauth

import (
	"context"
	"time"

	"minimall/lifecycle"
	"minimall/privacy"
	"minimall/sqldb"
)

// credentialGrace keeps an expired code or token a day, so a replay of it
// is still recognised and refused as spent rather than unknown.
const credentialGrace = 24 * time.Hour

// Sweeper removes authorization codes and access tokens once they are past
// use, and, when the platform shuts down, every grant (privacy.
// AuthorizedLoginGrant is kept until revoked or erased). The lifecycle
// sweeper calls it.
type Sweeper struct{ DB *sqldb.DB }

// Area names the area in sweep reports.
func (Sweeper) Area() string { return "oauth" }

// Sweep deletes expired codes and tokens, and grants at shutdown.
func (w Sweeper) Sweep(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
	rep := lifecycle.NewReport("oauth")
	where, at := "expires_at < ?", sqldb.Micros(r.Now.Add(-credentialGrace))
	grantCutoff, grantsGo := r.Cutoff(privacy.AuthorizedLoginGrant)
	if grantsGo {
		// Codes and tokens hang off grants: when grants go, all of them do.
		where, at = "created_at < ?", sqldb.Micros(grantCutoff)
	}
	n, err := lifecycle.DeleteWhere(ctx, w.DB, r, "oauth_tokens", "id", where, at)
	rep.Removed["oauth_tokens"] = n
	if err != nil {
		return rep, err
	}
	n, err = lifecycle.DeleteWhere(ctx, w.DB, r, "oauth_codes", "id", where, at)
	rep.Removed["oauth_codes"] = n
	if err != nil || !grantsGo {
		return rep, err
	}
	n, err = lifecycle.DeleteWhere(ctx, w.DB, r, "oauth_grants", "id",
		"created_at < ? AND id NOT IN (SELECT grant_id FROM oauth_codes) AND id NOT IN (SELECT grant_id FROM oauth_tokens)", sqldb.Micros(grantCutoff))
	rep.Removed["oauth_grants"] = n
	return rep, err
}
