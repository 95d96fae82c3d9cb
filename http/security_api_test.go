package http_test

import (
	"strings"
	"testing"

	"minimall/internal/testenv"
	"minimall/internal/testkit"
)

// TestAPISecurityCentre (五(三)4): device list and removal, account lock
// and unlock, fraud reports.
func TestAPISecurityCentre(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		e := testenv.Start(t, st)
		sh := e.Register(t, "13833334444", "secure01")
		other := e.Register(t, "13833335555", "secure02")
		auth := testenv.Bearer(sh.Token)

		r := e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "android-abc123", "params": "phone/Mi 14/Android 15", "carrier": "China Mobile"}, auth...)
		if r.Status != 201 {
			t.Fatalf("report device: %d %s", r.Status, r.Body)
		}
		var dev struct{ ID, Params string }
		r.JSON(t, &dev)
		// The same device reported again is the same device.
		e.Do(t, "POST", "/api/v1/security/devices", map[string]string{"device_id": "android-abc123"}, auth...)
		var list struct{ Devices []struct{ ID, Params string } }
		e.Do(t, "GET", "/api/v1/security/devices", nil, auth...).JSON(t, &list)
		if len(list.Devices) != 1 || list.Devices[0].Params != "phone/Mi 14/Android 15" {
			t.Fatalf("devices %+v", list)
		}
		for name, tc := range map[string]struct {
			body   any
			status int
		}{
			"ErrNoDeviceID": {map[string]string{"params": "x"}, 400},
			// Installed software stays on the device (二(七)): not even a field to send it in.
			"ErrInstalledApps": {map[string]string{"device_id": "d", "installed_apps": "wechat,alipay"}, 400},
			"ErrTooLong":       {map[string]string{"device_id": strings.Repeat("x", 2000)}, 400},
		} {
			t.Run(name, func(t *testing.T) {
				if r := e.Do(t, "POST", "/api/v1/security/devices", tc.body, auth...); r.Status != tc.status {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
			})
		}
		if r := e.Do(t, "DELETE", "/api/v1/security/devices/"+dev.ID, nil, testenv.Bearer(other.Token)...); r.Status != 404 {
			t.Fatalf("removing someone else's device: %d", r.Status)
		}
		if r := e.Do(t, "DELETE", "/api/v1/security/devices/"+dev.ID, nil, auth...); r.Status != 204 {
			t.Fatalf("remove device: %d %s", r.Status, r.Body)
		}

		if r := e.Do(t, "POST", "/api/v1/security/fraud-reports", map[string]string{"text": "有人冒充客服要求转账"}, auth...); r.Status != 201 {
			t.Fatalf("fraud report: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, "POST", "/api/v1/security/fraud-reports", map[string]string{"text": ""}, auth...); r.Status != 400 {
			t.Fatalf("empty report: %d", r.Status)
		}
		if r := e.Do(t, "GET", "/api/v1/security/fraud-reports", nil, testenv.Bearer(other.Token)...); strings.Contains(string(r.Body), "冒充") {
			t.Fatalf("another person sees the report: %s", r.Body)
		}

		// Lock: every session ends and nobody can sign in until the holder unlocks.
		if r := e.Do(t, "POST", "/api/v1/security/lock", nil, auth...); r.Status != 204 {
			t.Fatalf("lock: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, "GET", "/api/v1/account", nil, auth...); r.Status != 401 {
			t.Fatalf("session after lock: %d", r.Status)
		}
		if r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}); r.Status != 403 {
			t.Fatalf("sign in while locked: %d %s", r.Status, r.Body)
		}
		e.Do(t, "POST", "/api/v1/accounts/codes", map[string]string{"phone": sh.Phone, "purpose": "unlock"})
		if r := e.Do(t, "POST", "/api/v1/security/unlock", map[string]string{"phone": sh.Phone, "code": "000000"}); r.Status != 400 {
			t.Fatalf("unlock with a wrong code: %d", r.Status)
		}
		if r := e.Do(t, "POST", "/api/v1/security/unlock", map[string]string{"phone": sh.Phone, "code": e.SMS.Code(t, sh.Phone)}); r.Status != 204 {
			t.Fatalf("unlock: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, "POST", "/api/v1/sessions", map[string]string{"login": sh.MemberName, "password": sh.Password}); r.Status != 201 {
			t.Fatalf("sign in after unlock: %d %s", r.Status, r.Body)
		}
		if r := e.Do(t, "GET", "/api/v1/security/devices", nil); r.Status != 401 {
			t.Fatalf("visitor: %d", r.Status)
		}
	})
}
