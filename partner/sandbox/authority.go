package sandbox

import (
	"net/http"

	"minimall"
	"minimall/privacy"
)

// authorityKind is an authority receiving what it asked for under the law
// (policy 三(五)2), purpose legal_duty:
//
//	POST /authority/disclose  the fields its request named, among those the registry lets
//	                          go to an authority; params request_id, authority_kind,
//	                          authority, authority_ref, legal_basis → {"receipt"}
//
// Its GET /requests shows exactly what arrived, so a test can check that
// nothing but the named fields did.
func authorityKind() kind {
	var fields []privacy.Field
	for _, s := range privacy.Fields() {
		if privacy.AuthorityMayReceive(s.Field) {
			fields = append(fields, s.Field)
		}
	}
	return kind{ops: map[string]operation{
		"authority/disclose": {
			purposes: []privacy.Purpose{privacy.ForLegalDuty},
			fields:   fields,
			handle: func(s *Sandbox, q *Request) (int, any) {
				if id, _ := q.Params["request_id"].(string); id == "" || len(q.Fields) == 0 {
					return bad("request_incomplete")
				}
				return http.StatusOK, map[string]string{"receipt": "AR" + minimall.RandomToken(6)}
			},
		},
	}}
}
