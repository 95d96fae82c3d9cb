package http_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/outbox"
	"minimall/privacy"
)

// codeLogin asks for a login code for phone and signs in with it.
func codeLogin(t *testing.T, e *testenv.Env, phone string) *testenv.Response {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": phone, "purpose": "login"})
	wantStatus(t, r, 202, "send login code")
	return e.Do(t, "POST", "/api/v1/sessions", map[string]string{"phone": phone, "code": e.SMS.Code(t, phone)})
}

// passwordLogin signs sh in again and returns the new token.
func passwordLogin(t *testing.T, e *testenv.Env, sh *testenv.Shopper) string {
	t.Helper()
	r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password})
	wantStatus(t, r, 201, "password sign-in")
	var s account.Session
	r.JSON(t, &s)
	return s.Token
}

// backdateBinding makes sh's account one that bound its number at
// boundAt (RFC 3339). The fake clock only moves forward, so an account
// that bound a 170 number before the sandbox carrier reassigned those
// numbers (2026-01-01) is made the way a migrated account would be: its
// sealed binding time written through the guard.
func backdateBinding(t *testing.T, e *testenv.Env, sh *testenv.Shopper, boundAt string) {
	t.Helper()
	ctx := context.Background()
	sealed, err := e.Kernel.Guard().Seal(ctx, sh.Subject, privacy.PhoneBoundAt, string(sh.Subject), []byte(boundAt))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.DB.ExecContext(ctx, `UPDATE accounts SET phone_bound_at_sealed = ? WHERE subject = ?`, sealed, string(sh.Subject)); err != nil {
		t.Fatal(err)
	}
}

// carrierRequests lists what the carrier sandbox received, by operation,
// and checks every request against the registry: only the phone for a
// risk check, the phone and the binding date for a recycled check, always
// for the phone-check purpose, none refused.
func carrierRequests(t *testing.T, e *testenv.Env) map[string][]map[privacy.Field]string {
	t.Helper()
	want := map[string]string{
		"carrier/risk":     "account.phone",
		"carrier/recycled": "account.phone,account.phone_bound_at",
	}
	out := map[string][]map[privacy.Field]string{}
	for _, q := range sandboxRequests(t, e.Sandbox.Carrier) {
		var got []string
		for f := range q.Fields {
			spec, ok := privacy.Spec(f)
			if !ok || !spec.MayReceive(privacy.PartnerCarrier, q.Purpose) {
				t.Errorf("carrier got %s for %s", f, q.Purpose)
			}
			got = append(got, string(f))
		}
		sort.Strings(got)
		if joined := strings.Join(got, ","); joined != want[q.Operation] || q.Purpose != privacy.ForPhoneCheck || q.Rejected != "" || len(q.Params) != 0 {
			t.Errorf("carrier %s got fields %s params %v for %s (rejected %q)", q.Operation, joined, q.Params, q.Purpose, q.Rejected)
		}
		out[q.Operation] = append(out[q.Operation], q.Fields)
	}
	return out
}

// topicCount counts change-feed events of topic for subject.
func topicCount(t *testing.T, e *testenv.Env, topic string, subject minimall.SubjectID) int {
	t.Helper()
	evs, err := outbox.NewFeed(e.Store.DB).Read(context.Background(), 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Topic == topic && ev.Subject == subject {
			if string(ev.Payload) != "{}" {
				t.Errorf("%s carries a payload: %s", topic, ev.Payload)
			}
			n++
		}
	}
	return n
}

// TestAPIPhoneRiskCheck (二(一)3 号码验证): the holder asks the carrier
// how risky their number is; only the number goes, the answer is kept
// sealed and shown back.
func TestAPIPhoneRiskCheck(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		low := e.Register(t, "13812345678", "riskcheck01")
		high := e.Register(t, "13912340000", "riskcheck02")

		var pc account.PhoneCheck
		r := e.Do(t, "GET", "/api/v1/account/phone-check", nil, testenv.Bearer(low.Token)...)
		wantStatus(t, r, 200, "phone check state")
		r.JSON(t, &pc)
		if pc.Risk != "" || pc.Recycled || !pc.CodeLogin || time.Since(pc.BoundAt) > time.Hour || len(carrierRequests(t, e)) != 0 {
			t.Fatalf("before any check: %+v", pc)
		}
		for _, tc := range []struct {
			sh   *testenv.Shopper
			risk string
		}{{low, account.RiskLow}, {high, account.RiskHigh}} { // the sandbox grades numbers ending 0000 high
			r := e.Do(t, "POST", "/api/v1/account/phone-check", nil, testenv.Bearer(tc.sh.Token)...)
			wantStatus(t, r, 200, "risk check")
			r.JSON(t, &pc)
			if pc.Risk != tc.risk || pc.RiskCheckedAt == nil {
				t.Fatalf("risk of %s: %+v", tc.sh.MemberName, pc)
			}
			var again account.PhoneCheck
			e.Do(t, "GET", "/api/v1/account/phone-check", nil, testenv.Bearer(tc.sh.Token)...).JSON(t, &again)
			if again.Risk != tc.risk {
				t.Fatalf("stored risk: %+v", again)
			}
			if n := topicCount(t, e, account.TopicPhoneChecked, tc.sh.Subject); n != 1 {
				t.Fatalf("%d phone_checked events", n)
			}
		}
		sent := carrierRequests(t, e)
		if len(sent["carrier/risk"]) != 2 || len(sent["carrier/recycled"]) != 0 || sent["carrier/risk"][0][privacy.AccountPhone] != low.Phone {
			t.Fatalf("carrier received %v", sent)
		}

		t.Run("ErrVisitor", func(t *testing.T) {
			wantProblem(t, e.Do(t, "GET", "/api/v1/account/phone-check", nil), 401, "unauthorized", "")
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/phone-check", nil), 401, "unauthorized", "")
		})
		t.Run("ErrTooMany", func(t *testing.T) {
			for i := 0; i < 4; i++ { // five an hour, one spent above
				wantStatus(t, e.Do(t, "POST", "/api/v1/account/phone-check", nil, testenv.Bearer(low.Token)...), 200, "risk check")
			}
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/phone-check", nil, testenv.Bearer(low.Token)...), 429, "too_many", "")
		})
		t.Run("ErrCarrierDown", func(t *testing.T) {
			e.Sandbox.Carrier.Close()
			wantProblem(t, e.Do(t, "POST", "/api/v1/account/phone-check", nil, testenv.Bearer(high.Token)...), 503, "unavailable", "")
			var kept account.PhoneCheck
			e.Do(t, "GET", "/api/v1/account/phone-check", nil, testenv.Bearer(high.Token)...).JSON(t, &kept)
			if kept.Risk != account.RiskHigh {
				t.Fatalf("a failed check lost the last answer: %+v", kept)
			}
		})
		if strings.Contains(e.Logs.String(), low.Phone) || strings.Contains(e.Logs.String(), high.Phone) {
			t.Fatal("a phone number reached the log")
		}
	})
}

// TestAPIPhoneRecycledCheck (二(一)3 二次放号核验): before a code sign-in
// from a number that may have changed hands is trusted, the number and its
// binding date go to the carrier; a reassigned number is refused code
// sign-in, the finding is recorded, and the password still works.
func TestAPIPhoneRecycledCheck(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)

		t.Run("ReassignedNumberRefused", func(t *testing.T) {
			sh := e.Register(t, "17012345678", "recycled01")
			backdateBinding(t, e, sh, "2025-06-01T08:00:00Z")
			r := codeLogin(t, e, sh.Phone)
			wantProblem(t, r, 403, "denied", "")
			if p := r.Problem(t); !strings.Contains(p.Detail, "password") || !strings.Contains(p.Detail, "密码") {
				t.Fatalf("the refusal does not say how to sign in: %s", p.Detail)
			}
			sent := carrierRequests(t, e)["carrier/recycled"]
			if len(sent) != 1 || sent[0][privacy.AccountPhone] != sh.Phone || sent[0][privacy.PhoneBoundAt] != "2025-06-01" {
				t.Fatalf("carrier received %v", sent)
			}
			// Recorded: the account shows it, the change feed has it.
			var pc account.PhoneCheck
			e.Do(t, "GET", "/api/v1/account/phone-check", nil, testenv.Bearer(sh.Token)...).JSON(t, &pc)
			if !pc.Recycled || pc.CodeLogin || pc.RecycledAt == nil {
				t.Fatalf("phone check after the finding: %+v", pc)
			}
			if n := topicCount(t, e, account.TopicPhoneRecycled, sh.Subject); n != 1 {
				t.Fatalf("%d phone_recycled events", n)
			}
			// A second try is refused at once, without asking the carrier again.
			wantProblem(t, codeLogin(t, e, sh.Phone), 403, "denied", "")
			if n := len(carrierRequests(t, e)["carrier/recycled"]); n != 1 {
				t.Fatalf("carrier asked %d times", n)
			}
			// The password still works, and the phone no longer counts as
			// verified for the level.
			token := passwordLogin(t, e, sh)
			var lv account.LevelInfo
			e.Do(t, "GET", "/api/v1/account/level", nil, testenv.Bearer(token)...).JSON(t, &lv)
			if lv.Usage.PhoneVerified || lv.Next == nil || !lv.Next.Missing.PhoneVerified {
				t.Fatalf("level after the finding: %+v", lv)
			}
		})

		t.Run("OldNumberStillTheirs", func(t *testing.T) {
			// Bound long ago but never reassigned (only 170 numbers were).
			sh := e.Register(t, "13612345678", "recycled02")
			backdateBinding(t, e, sh, "2025-06-01T08:00:00Z")
			wantStatus(t, codeLogin(t, e, sh.Phone), 201, "code sign-in")
			var pc account.PhoneCheck
			e.Do(t, "GET", "/api/v1/account/phone-check", nil, testenv.Bearer(sh.Token)...).JSON(t, &pc)
			if pc.Recycled || pc.ConfirmedAt == nil || !pc.NextRecycleCheck.Equal(pc.ConfirmedAt.Add(account.RecycleCooling)) {
				t.Fatalf("phone check: %+v", pc)
			}
			// Confirmed just now: the next code sign-in asks nobody.
			before := len(carrierRequests(t, e)["carrier/recycled"])
			wantStatus(t, codeLogin(t, e, sh.Phone), 201, "code sign-in")
			if n := len(carrierRequests(t, e)["carrier/recycled"]); n != before {
				t.Fatalf("carrier asked again within the cooling period")
			}
		})

		t.Run("FreshNumberCheckedAfterCooling", func(t *testing.T) {
			sh := e.Register(t, "17087654321", "recycled03")
			before := len(carrierRequests(t, e)["carrier/recycled"])
			// Bound today: it cannot have changed hands, the carrier is not asked.
			wantStatus(t, codeLogin(t, e, sh.Phone), 201, "code sign-in")
			if n := len(carrierRequests(t, e)["carrier/recycled"]); n != before {
				t.Fatal("a number bound today was sent to the carrier")
			}
			boundDay := st.Clock.Now().UTC().Format(time.DateOnly)
			st.Clock.Advance(account.RecycleCooling + 24*time.Hour)
			wantStatus(t, codeLogin(t, e, sh.Phone), 201, "code sign-in after the cooling period")
			sent := carrierRequests(t, e)["carrier/recycled"]
			if len(sent) != before+1 || sent[before][privacy.AccountPhone] != sh.Phone || sent[before][privacy.PhoneBoundAt] != boundDay {
				t.Fatalf("carrier received %v", sent[before:])
			}
		})

		t.Run("ErrCarrierDownFailsClosed", func(t *testing.T) {
			sh := e.Register(t, "13712345678", "recycled04")
			backdateBinding(t, e, sh, "2025-06-01T08:00:00Z")
			carrierRequests(t, e) // every request so far held only what the registry allows
			e.Sandbox.Carrier.Close()
			wantProblem(t, codeLogin(t, e, sh.Phone), 503, "unavailable", "")
			passwordLogin(t, e, sh)
		})

		t.Run("ErrWrongCodeNeverReachesCarrier", func(t *testing.T) {
			sh := e.Register(t, "17011112222", "recycled05")
			backdateBinding(t, e, sh, "2025-06-01T08:00:00Z")
			wantStatus(t, e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": sh.Phone, "purpose": "login"}), 202, "send code")
			wantProblem(t, e.Do(t, "POST", "/api/v1/sessions", map[string]string{"phone": sh.Phone, "code": "000000"}), 401, "unauthorized", "")
		})
		if strings.Contains(e.Logs.String(), "17012345678") {
			t.Fatal("a phone number reached the log")
		}
	})
}

// TestAPIAccountLevel (二(一)1): the level follows account use by the
// declared rule, the page shows the rule, the rights and what the next
// level needs, changes go to the change feed, and no level changes a price
// (PIPL art. 24).
func TestAPIAccountLevel(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.StartWith(t, st, func(c *account.Config) {
			c.PasswordMemoryKiB, c.PasswordTime = 64, 1
			c.LoginsPerMinute = 1000 // this test signs in many times
		})
		fx := newShop(t, e, "13811110000", "levelshop")
		itemID := fx.item(t, e, "保温杯", 5900, 10, nil)
		sh := e.Register(t, "13822223333", "level01")
		other := e.Register(t, "13822224444", "level02")

		var acct account.Account
		e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(sh.Token)...).JSON(t, &acct)
		if acct.Level != 1 {
			t.Fatalf("new account level %d", acct.Level)
		}
		lv := level(t, e, sh.Token)
		if lv.Level != 1 || lv.Rights != account.Levels[0].Rights || lv.Rule == "" || lv.RuleEN == "" || len(lv.Levels) != len(account.Levels) ||
			lv.Next == nil || lv.Next.Level != 2 || lv.Next.Missing.AccountAgeDays != 30 || lv.Next.Missing.SignIns != 2 || lv.Next.Missing.PhoneVerified {
			t.Fatalf("level page of a new account: %+v", lv)
		}
		if lv.Usage != (account.Usage{SignIns: 1, PhoneVerified: true}) {
			t.Fatalf("usage %+v", lv.Usage)
		}

		// Level 2: 30 days and three sign-ins.
		passwordLogin(t, e, sh)
		passwordLogin(t, e, sh)
		if lv := level(t, e, sh.Token); lv.Level != 1 || lv.Next.Missing != (account.Needs{AccountAgeDays: 30}) {
			t.Fatalf("before 30 days: %+v", lv)
		}
		st.Clock.Advance(31 * 24 * time.Hour) // sessions last 30 days: sign in again
		sh.Token = passwordLogin(t, e, sh)
		e.Do(t, "GET", "/api/v1/account", nil, testenv.Bearer(sh.Token)...).JSON(t, &acct)
		if acct.Level != 2 {
			t.Fatalf("after 31 days and 4 sign-ins: level %d", acct.Level)
		}
		if n := topicCount(t, e, account.TopicLevelChanged, sh.Subject); n != 1 {
			t.Fatalf("%d level_changed events", n)
		}

		// Level 3 needs completed orders, through the orders area.
		st.Clock.Advance(150 * 24 * time.Hour)
		for i := 0; i < 16; i++ {
			sh.Token = passwordLogin(t, e, sh)
		}
		if lv := level(t, e, sh.Token); lv.Level != 2 || lv.Next.Missing != (account.Needs{CompletedOrders: 3}) {
			t.Fatalf("without orders: %+v", lv)
		}
		fx.seller.Token = passwordLogin(t, e, fx.seller)
		for i := 0; i < 3; i++ {
			o := placeOrder(t, e, sh, buyNow(itemID, 1))
			deliver(t, e, sh, fx.seller, o.ID)
		}
		lv = level(t, e, sh.Token)
		if lv.Level != 3 || lv.Rights.SupportPriority != "priority" || lv.Next.Level != 4 {
			t.Fatalf("with 3 orders: %+v", lv)
		}
		if n := topicCount(t, e, account.TopicLevelChanged, sh.Subject); n != 2 {
			t.Fatalf("%d level_changed events", n)
		}

		// PIPL art. 24: the rights are service rights, and an item costs the
		// same at every level and for a visitor.
		for _, d := range lv.RightDocs {
			if strings.Contains(d.Key, "discount") || strings.Contains(d.Key, "coupon") || strings.HasSuffix(d.Key, "price") {
				t.Errorf("right %s looks like a price", d.Key)
			}
		}
		rights, _ := json.Marshal(lv.Rights)
		var keys map[string]any
		json.Unmarshal(rights, &keys)
		if len(keys) != len(lv.RightDocs) {
			t.Errorf("rights %s are not all documented", rights)
		}
		other.Token = passwordLogin(t, e, other)
		visitor := e.Do(t, "GET", "/api/v1/items/"+itemID, nil)
		for _, tok := range []string{sh.Token, other.Token} {
			if r := e.Do(t, "GET", "/api/v1/items/"+itemID, nil, testenv.Bearer(tok)...); string(r.Body) != string(visitor.Body) {
				t.Fatalf("the item differs by level:\n%s\n%s", r.Body, visitor.Body)
			}
		}

		t.Run("ErrVisitor", func(t *testing.T) {
			wantProblem(t, e.Do(t, "GET", "/api/v1/account/level", nil), 401, "unauthorized", "")
		})
	})
}

func level(t *testing.T, e *testenv.Env, token string) account.LevelInfo {
	t.Helper()
	r := e.Do(t, "GET", "/api/v1/account/level", nil, testenv.Bearer(token)...)
	wantStatus(t, r, 200, "level")
	var lv account.LevelInfo
	r.JSON(t, &lv)
	return lv
}
