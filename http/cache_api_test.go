package http_test

import (
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestAPINoStoreOnPersonalAnswers: every API answer that may carry
// personal information says Cache-Control: no-store (a signed-in or
// operator request, a sign-in's token, a member's page), while a
// visitor's copy of the public catalogue and policy may be kept.
func TestAPINoStoreOnPersonalAnswers(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13900004431", "no_store")
		auth := testenv.Bearer(sh.Token)
		ops := lifecycleOps(t, e, minimall.RoleDPO)
		private := []struct {
			name, method, path string
			body               any
			headers            []string
		}{
			{"Account", "GET", "/api/v1/account", nil, auth},
			{"Orders", "GET", "/api/v1/orders", nil, auth},
			{"Consents", "GET", "/api/v1/consents", nil, auth},
			{"SignIn", "POST", "/api/v1/sessions", map[string]string{"login": "no_store", "password": sh.Password}, nil},
			{"Member", "GET", "/api/v1/members/" + string(sh.Subject), nil, nil},
			{"Operator", "GET", "/api/v1/ops/rights/requests", nil, ops},
			{"SignedInCatalogue", "GET", "/api/v1/policy", nil, auth},
		}
		for _, tt := range private {
			r := e.Do(t, tt.method, tt.path, tt.body, tt.headers...)
			if r.Status >= 500 || r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: %d, Cache-Control %q; want no-store", tt.name, r.Status, r.Header.Get("Cache-Control"))
			}
		}
		for _, path := range []string{"/api/v1/policy", "/api/v1/categories", "/api/v1/openapi.json"} {
			r := e.Do(t, "GET", path, nil)
			if r.Status != 200 || r.Header.Get("Cache-Control") == "no-store" {
				t.Errorf("visitor's %s: %d, Cache-Control %q; want cacheable", path, r.Status, r.Header.Get("Cache-Control"))
			}
		}
	})
}
