package http_test

import (
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestAPIUnknownFieldNamed: a body with a field the API does not take is
// a 400 problem that names the field, never echoing its value.
func TestAPIUnknownFieldNamed(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		tests := []struct {
			name string
			body any
			want string // in the detail
		}{
			{"Top", map[string]any{"phone": "13900005555", "purpose": "register", "id_number": "110101199003074578"}, `unknown field "id_number"`},
			// A key shaped like a value is not echoed: it may be one.
			{"ValueAsKey", map[string]any{"phone": "13900005555", "purpose": "register", "13900005555": true}, "name not shown"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do(t, "POST", "/api/v1/accounts/codes", tt.body)
				p := r.Problem(t)
				if r.Status != 400 || p.Code != "invalid" || !strings.Contains(p.Detail, tt.want) {
					t.Fatalf("got %d %s; want 400 invalid naming %s", r.Status, r.Body, tt.want)
				}
				if strings.Contains(p.Detail, "110101199003074578") || strings.Count(string(r.Body), "13900005555") > 0 {
					t.Fatalf("detail echoes a value: %s", r.Body)
				}
			})
		}
	})
}
