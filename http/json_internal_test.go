package http

import (
	"bytes"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"minimall/order"
)

// checkoutBody is a typical order placement: cart lines, a recipient with
// Chinese text, an invoice.
var checkoutBody = []byte(`{"from_cart":true,"cart_items":["ci_0001","ci_0002","ci_0003"],` +
	`"recipient":{"name":"张三","address":"浙江省杭州市余杭区文一西路969号","phone":"13800138000","delivery_time":"工作日"},` +
	`"remark":"请放门口","invoice_requested":true,"invoice":{"title":"杭州某某科技有限公司","taxpayer_id":"91330100MA2XXXXX1X","email":"inv@example.com"}}`)

// BenchmarkDecodeJSON measures decodeJSON on the checkout body.
func BenchmarkDecodeJSON(b *testing.B) {
	r := httptest.NewRequest("POST", "/api/v1/orders", nil)
	r.Header.Set("Content-Type", "application/json")
	body := bytes.NewReader(checkoutBody)
	r.Body, r.ContentLength = io.NopCloser(body), int64(len(checkoutBody))
	b.ReportAllocs()
	for b.Loop() {
		body.Reset(checkoutBody)
		var req order.PlaceRequest
		if err := decodeJSON(r, &req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFindJSONFlaw: repeated keys and text that is not valid UTF-8 are
// found at any depth, named by their path; sound bodies pass.
func TestFindJSONFlaw(t *testing.T) {
	tests := []struct {
		body  string
		field string // "" for a sound body
		dup   bool
	}{
		{string(checkoutBody), "", false},
		{`{"a":1,"b":[1,"x",{"c":null}],"d":{"e":true}}`, "", false},
		{`{"s":"\"\\\u00e9\ud83d\ude00"}`, "", false}, // escapes and a surrogate pair
		{`{"phone":"1","phone":"2"}`, "phone", true},
		{`{"phone":"1","Phone":"2"}`, "Phone", true}, // one struct field, set twice
		{`{"phone":"1","\u0070hone":"2"}`, "phone", true},
		{`{"recipient":{"name":"a","name":"b"}}`, "recipient.name", true},
		{`{"items":[{"item":"a","quantity":1},{"item":"b","item":"c"}]}`, "items.item", true},
		{`{"a":{},"b":{"x":1},"a":2}`, "a", true},
		{"{\"recipient\":{\"name\":\"\xff\"}}", "recipient.name", false},
		{"{\"tags\":[\"ok\",\"\xc3\"]}", "tags", false},
		{`{"name":"\ud800"}`, "name", false},            // a lone high surrogate
		{`{"name":"\udc00x"}`, "name", false},           // a lone low surrogate
		{`{"name":"\ud800\u0041"}`, "name", false},      // high, then not a low one
		{"{\"\xff\":1}", "", false},                     // a bad key is not named
		{`{"13800138000":1,"13800138000":2}`, "", true}, // nor a key shaped like a value
	}
	for _, tt := range tests {
		f := findJSONFlaw([]byte(tt.body))
		var field string
		if f != nil {
			field, _ = f.field()
		}
		sound := tt.field == "" && !tt.dup && !strings.Contains(tt.body, "\xff")
		switch {
		case sound && f != nil:
			t.Errorf("%s: flaw %q (dup %v) in a sound body", tt.body, field, f.dup)
		case !sound && f == nil:
			t.Errorf("%s: no flaw found", tt.body)
		case !sound && (field != tt.field || f.dup != tt.dup):
			t.Errorf("%s: flaw %q dup %v; want %q dup %v", tt.body, field, f.dup, tt.field, tt.dup)
		}
	}
}

// TestFindJSONFlawLargeObject: past smallObject keys, repeats are found
// through the map, case folded too.
func TestFindJSONFlawLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		fmt.Fprintf(&b, `"k%d":%d,`, i, i)
	}
	if f := findJSONFlaw([]byte(b.String() + `"last":0}`)); f != nil {
		t.Fatalf("flaw in 41 distinct keys: %+v", f)
	}
	f := findJSONFlaw([]byte(b.String() + `"K30":0}`))
	if field, _ := f.field(); f == nil || !f.dup || field != "K30" {
		t.Fatalf("repeat past the small set: %+v", f)
	}
}
