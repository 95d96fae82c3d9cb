package http_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// wantFieldProblem checks a refusal: its status, the field it blames
// (or none) and the rule, and that it echoes none of the values.
func wantFieldProblem(t *testing.T, r *testenv.Response, status int, field, rule string, values ...string) {
	t.Helper()
	p := r.Problem(t)
	if r.Status != status || p.Field != field || p.Rule != rule {
		t.Fatalf("got %d field %q rule %q; want %d field %q rule %q: %s", r.Status, p.Field, p.Rule, status, field, rule, r.Body)
	}
	for _, v := range append(values, `\ufffd`, "\ufffd") {
		if strings.Contains(string(r.Body), v) {
			t.Fatalf("the problem echoes %q: %s", v, r.Body)
		}
	}
}

// TestAPIDuplicateKeyRefused: a key given twice in one object, at any
// depth and in any case, is refused with a problem naming the key (when
// it is shaped like a field name), never the values; nothing is done. (A
// key shaped like a value is not named: TestFindJSONFlaw.)
func TestAPIDuplicateKeyRefused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13900004401", "dup_keys")
		auth := testenv.Bearer(sh.Token)
		tests := []struct {
			name, path, body, field string
			values                  []string
		}{
			{"Top", "/api/v1/accounts/codes", `{"phone":"13900004402","purpose":"register","phone":"13900004403"}`, "phone", []string{"13900004402", "13900004403"}},
			{"OtherCase", "/api/v1/accounts/codes", `{"phone":"13900004402","Phone":"13900004403","purpose":"register"}`, "Phone", []string{"13900004402", "13900004403"}},
			{"Escaped", "/api/v1/accounts/codes", `{"phone":"13900004402","\u0070hone":"13900004403","purpose":"register"}`, "phone", []string{"13900004403"}},
			{"Nested", "/api/v1/orders", `{"items":[{"item":"it_x","quantity":1}],"recipient":{"name":"李四","address":"浙江省杭州市西湖区文三路100号","phone":"13966660001","name":"王五"}}`,
				"recipient.name", []string{"李四", "王五", "13966660001"}},
			{"InArray", "/api/v1/orders", `{"items":[{"item":"it_x","quantity":1,"quantity":2}],"recipient":{"name":"李四","address":"浙江省杭州市西湖区文三路100号","phone":"13966660001"}}`,
				"items.quantity", []string{"李四"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do(t, "POST", tt.path, tt.body, auth...)
				wantFieldProblem(t, r, 400, tt.field, "duplicate", tt.values...)
			})
		}
		if text := e.SMS.Text(t, "13900004403"); text != "" {
			t.Fatal("a refused body still sent a code")
		}
	})
}

// TestAPIInvalidUTF8Refused: text that is not valid UTF-8, in a value or
// a key, raw or as a lone surrogate escape, is refused with a problem
// naming the field, never stored as U+FFFD. (A bad key is not named:
// TestFindJSONFlaw.)
func TestAPIInvalidUTF8Refused(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13900004411", "bad_utf8")
		auth := testenv.Bearer(sh.Token)
		tests := []struct {
			name, path, body, field string
		}{
			{"MemberName", "/api/v1/accounts", "{\"phone\":\"13900004412\",\"code\":\"123456\",\"member_name\":\"ab\xffcd\",\"password\":\"good-pass-1\",\"accept_policy_version\":1}", "member_name"},
			{"RecipientAddress", "/api/v1/orders", "{\"items\":[{\"item\":\"it_x\",\"quantity\":1}],\"recipient\":{\"name\":\"李四\",\"address\":\"浙江省杭州市\xe8\xa5\",\"phone\":\"13966660001\"}}", "recipient.address"},
			{"InArray", "/api/v1/orders", "{\"from_cart\":true,\"cart_items\":[\"ci_1\",\"ci\xc3\"],\"recipient\":{\"name\":\"李四\",\"address\":\"浙江省杭州市西湖区\",\"phone\":\"13966660001\"}}", "cart_items"},
			{"LoneSurrogate", "/api/v1/accounts/codes", `{"phone":"13900004412","purpose":"\ud800register"}`, "purpose"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do(t, "POST", tt.path, tt.body, auth...)
				wantFieldProblem(t, r, 400, tt.field, "encoding", "13966660001", "13900004412", "李四", "浙江")
			})
		}
	})
}

// TestAPIValidationProblemNamesField: a validation problem names the
// field it blames and the rule broken, in members a form can read
// (field, rule), for the decoder's own refusals and for registration,
// sign-in, order placement and rights requests; never a value.
func TestAPIValidationProblemNamesField(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13900004421", "field_named")
		auth := testenv.Bearer(sh.Token)
		v := e.Kernel.PolicyVersion()
		reg := func(kv ...any) map[string]any {
			m := map[string]any{"phone": "13900004422", "code": "123456", "member_name": "new_member", "password": "good-pass-1", "accept_policy_version": v}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		order := func(rc map[string]any, kv ...any) map[string]any {
			m := map[string]any{"items": []map[string]any{{"item": "it_x", "quantity": 1}}, "recipient": rc}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		tests := []struct {
			name, path string
			body       any
			status     int
			field      string
			rule       string
		}{
			{"Syntax", "/api/v1/accounts/codes", `{"phone":`, 400, "", "syntax"},
			{"Type", "/api/v1/accounts/codes", `{"phone":13900004422,"purpose":"register"}`, 400, "phone", "type"},
			{"Unknown", "/api/v1/accounts/codes", map[string]any{"phone": "13900004422", "purpose": "register", "id_number": "110101199003074578"}, 400, "id_number", "unknown"},
			{"CodePhone", "/api/v1/accounts/codes", map[string]any{"phone": "12345", "purpose": "register"}, 400, "phone", "format"},
			{"CodePurpose", "/api/v1/accounts/codes", map[string]any{"phone": "13900004422", "purpose": "spam"}, 400, "purpose", "choice"},
			{"RegisterPhone", "/api/v1/accounts", reg("phone", "23900004422"), 400, "phone", "format"},
			{"RegisterMemberName", "/api/v1/accounts", reg("member_name", "12345"), 400, "member_name", "format"},
			{"RegisterMemberNameLength", "/api/v1/accounts", reg("member_name", "x"), 400, "member_name", "length"},
			{"RegisterPasswordWeak", "/api/v1/accounts", reg("password", "onlyletters"), 400, "password", "weak"},
			{"RegisterPasswordLength", "/api/v1/accounts", reg("password", "a1"), 400, "password", "length"},
			{"RegisterPolicy", "/api/v1/accounts", reg("accept_policy_version", v-1), 409, "accept_policy_version", "outdated"},
			{"RegisterCode", "/api/v1/accounts", reg(), 400, "code", "mismatch"},
			{"SignInKind", "/api/v1/sessions", map[string]any{"login": "field_named", "password": "x", "kind": "tv"}, 400, "kind", "choice"},
			{"SignInNoPassword", "/api/v1/sessions", map[string]any{"login": "field_named"}, 400, "password", "required"},
			{"OrderRecipientPhone", "/api/v1/orders", order(map[string]any{"name": "李四", "address": "浙江省杭州市西湖区", "phone": "12345"}), 400, "recipient.phone", "format"},
			{"OrderRecipientNoPhone", "/api/v1/orders", order(map[string]any{"name": "李四", "address": "浙江省杭州市西湖区"}), 400, "recipient.phone", "required"},
			{"OrderRecipientName", "/api/v1/orders", order(map[string]any{"address": "浙江省杭州市西湖区", "phone": "13966660001"}), 400, "recipient.name", "required"},
			{"OrderRecipientAddress", "/api/v1/orders", order(map[string]any{"name": "李四", "address": "杭州", "phone": "13966660001"}), 400, "recipient.address", "length"},
			{"OrderForSomeoneElse", "/api/v1/orders", order(recipient, "for_someone_else", true), 400, "recipient_agreed", "required"},
			{"RightsKind", "/api/v1/rights/requests", map[string]any{"kind": "steal"}, 400, "kind", "choice"},
			{"RightsDeleteNothing", "/api/v1/rights/requests", map[string]any{"kind": "delete"}, 400, "fields", "required"},
			{"RightsDeleteGround", "/api/v1/rights/requests", map[string]any{"kind": "delete", "all": true, "ground": "whim"}, 400, "ground", "choice"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.Do(t, "POST", tt.path, tt.body, auth...)
				wantFieldProblem(t, r, tt.status, tt.field, tt.rule, "13900004422", "12345", "110101199003074578", "李四")
			})
		}
	})
}

// TestOpenAPIProblemRules: the API document lists exactly the rules a
// problem may name, in order.
func TestOpenAPIProblemRules(t *testing.T) {
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas struct {
				Problem struct {
					Properties struct {
						Rule struct{ Enum []minimall.Rule }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Components.Schemas.Problem.Properties.Rule.Enum; !slices.Equal(got, minimall.Rules) {
		t.Fatalf("Problem.rule enum %v; want %v", got, minimall.Rules)
	}
}
