package order

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/echo"
	"minimall/mobile"
)

// FuzzPlaceRequestValidate: checkout's shape check never panics, refuses
// with an Invalid problem that echoes no value of the request, and leaves
// an accepted request in its stored form: validating it again accepts it
// unchanged, its phones are stored forms, a customs ID is 18 characters.
func FuzzPlaceRequestValidate(f *testing.F) {
	for _, s := range []string{
		`{"items":[{"item":"it_1","quantity":1}],"recipient":{"name":" 张三 ","address":"浙江省杭州市余杭区文一西路969号","phone":"+86 138 0013 8000"}}`,
		`{"from_cart":true,"recipient":{"name":"张三","address":"浙江省杭州市","phone":"13800138000","extra_phone":"0571-88888888"},"invoice_requested":true,"invoice":{"title":"某公司","taxpayer_id":"91330100ma2xxxxx1x","email":"a@b.cn"}}`,
		`{"items":[{"item":"it_1","quantity":1}],"recipient":{"name":"张三","address":"浙江省杭州市","phone":"13800138000"},"customs_id":{"name":"张三","number":"11010519491231002x"}}`,
		`{"items":[{"item":"it_1","quantity":1000}],"recipient":{"name":"\u0000","address":"","phone":"1"}}`,
		`{"from_cart":true,"recipient":{"name":"张三","address":"浙江省杭州市","phone":"13800138000","extra_phone":"１３８００１３８０００"},"for_someone_else":true,"recipient_agreed":true}`,
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte(`{"from_cart":true}`), "key-12345678")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		var r PlaceRequest
		if json.Unmarshal(body, &r) != nil {
			return
		}
		r.IdempotencyKey = key
		values := requestValues(r)
		if err := r.Validate(); err != nil {
			checkRefusal(t, err, values, func(old, new string) error {
				again := deepCopy(t, r)
				echo.ReplaceIn(&again, old, new)
				return again.Validate()
			})
			return
		}
		again := deepCopy(t, r)
		if err := again.Validate(); err != nil || !reflect.DeepEqual(again, r) {
			t.Fatalf("validated request %+v: again %v, %+v", r, err, again)
		}
		for _, p := range []string{r.Recipient.Phone, r.Recipient.ExtraPhone} {
			if n, err := mobile.Normalize(p); err == nil && n != p {
				t.Fatalf("phone %q kept, not its stored form %q", p, n)
			}
		}
		if c := r.CustomsID; c != nil && len(c.Number) != 18 {
			t.Fatalf("customs ID %q accepted", c.Number)
		}
	})
}

// requestValues returns the free-text values of a request a refusal must
// not echo.
func requestValues(r PlaceRequest) []string {
	rc := r.Recipient
	v := []string{rc.Name, rc.Address, rc.Phone, rc.ExtraPhone, rc.DeliveryTime, r.Remark, r.IdempotencyKey}
	if r.Invoice != nil {
		v = append(v, r.Invoice.Title, r.Invoice.TaxpayerID, r.Invoice.Email)
	}
	if r.CustomsID != nil {
		v = append(v, r.CustomsID.Name, r.CustomsID.Number)
	}
	return v
}

// checkRefusal: err is an Invalid problem that carries none of values
// back; retry validates again with one value changed (echo.Carried).
func checkRefusal(t *testing.T, err error, values []string, retry func(old, new string) error) {
	t.Helper()
	var e *minimall.Error
	if !errors.As(err, &e) || e.Code != minimall.Invalid {
		t.Fatalf("%v is not an Invalid problem", err)
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if echo.Carried(e.Message, v, func(other string) string { return minimall.ErrorMessage(retry(v, other)) }) {
			t.Fatalf("problem %q echoes %q", e.Message, v)
		}
	}
}

func deepCopy(t *testing.T, r PlaceRequest) PlaceRequest {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c PlaceRequest
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c.IdempotencyKey = r.IdempotencyKey
	return c
}
