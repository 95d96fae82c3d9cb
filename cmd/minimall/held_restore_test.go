package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/testenv"
	"minimall/oauth"
	"minimall/privacy"
)

// heldStory is what four shoppers do for their privacy or security
// after a backup: one withdraws a consent and revokes an app's
// authorization, two resets the password, three locks the account, four
// locks it and unlocks it again.
type heldStory struct {
	one, two, three, four *backupShopper
	appToken              string // one's app's access token, from before the backup
	grant                 string // its authorization
	twoOld                string // a session of two's from before the reset
}

// newHeldStory makes the state the acts change, all before the backup.
func newHeldStory(t *testing.T, m *Main, prefix string) *heldStory {
	t.Helper()
	s := &heldStory{one: registerShopper(t, m, prefix+"1", "held_one"), two: registerShopper(t, m, prefix+"2", "held_two"),
		three: registerShopper(t, m, prefix+"3", "held_three"), four: registerShopper(t, m, prefix+"4", "held_four")}
	apiOK(t, m, "POST", "/api/v1/consents", s.one.token, map[string]string{"feature": string(privacy.FeatRecommendation), "action": "grant"})
	s.grant, s.appToken = authorizeApp(t, m, s.one)
	if s.twoOld = signIn(t, m, s.two); s.twoOld == "" {
		t.Fatal("two's second sign-in refused")
	}
	return s
}

// authorizeApp registers an app, has sh authorize it and returns the
// grant and the app's access token.
func authorizeApp(t *testing.T, m *Main, sh *backupShopper) (string, string) {
	t.Helper()
	ctx := context.Background()
	ops := minimall.Actor{Kind: minimall.Operator, Role: minimall.RoleOps, ID: "op_held"}
	c, err := m.App.OAuth.RegisterClient(ctx, ops, oauth.NewClient{Name: "测试应用", RedirectURIs: []string{"https://app.example/cb"}, Scopes: []string{oauth.ScopeProfile}})
	if err != nil {
		t.Fatal(err)
	}
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	req := oauth.AuthRequest{ResponseType: "code", ClientID: c.ID, RedirectURI: "https://app.example/cb", Scope: oauth.ScopeProfile,
		CodeChallenge: base64.RawURLEncoding.EncodeToString(sum[:]), CodeChallengeMethod: "S256"}
	to, err := m.App.OAuth.Decide(ctx, minimall.ShopperActor(sh.subject), oauth.Decision{AuthRequest: req, Approve: true}, "req_held")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := m.App.OAuth.Exchange(ctx, oauth.TokenRequest{GrantType: "authorization_code", Code: u.Query().Get("code"),
		RedirectURI: req.RedirectURI, ClientID: c.ID, ClientSecret: c.Secret, CodeVerifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	list, err := m.App.OAuth.Authorizations(ctx, minimall.ShopperActor(sh.subject))
	if err != nil || len(list) != 1 {
		t.Fatalf("authorizations: %+v %v", list, err)
	}
	return list[0].ID, tok.AccessToken
}

// act does the acts, through the API as a person does, and checks them.
func (s *heldStory) act(t *testing.T, m *Main) {
	t.Helper()
	apiOK(t, m, "POST", "/api/v1/consents", s.one.token, map[string]string{"feature": string(privacy.FeatRecommendation), "action": "withdraw"})
	apiOK(t, m, "DELETE", "/api/v1/account/authorizations/"+s.grant, s.one.token, nil)
	apiOK(t, m, "POST", "/api/v1/accounts/codes", "", map[string]string{"phone": s.two.phone, "purpose": "recover"})
	code := (&testenv.SMSReader{URL: m.Sandboxes.SMS.URL()}).Code(t, s.two.phone)
	apiOK(t, m, "POST", "/api/v1/account-recovery", "", map[string]string{"phone": s.two.phone, "code": code, "new_password": "another-pass2"})
	apiOK(t, m, "POST", "/api/v1/security/lock", s.three.token, nil)
	apiOK(t, m, "POST", "/api/v1/security/lock", s.four.token, nil)
	apiOK(t, m, "POST", "/api/v1/accounts/codes", "", map[string]string{"phone": s.four.phone, "purpose": "unlock"})
	code = (&testenv.SMSReader{URL: m.Sandboxes.SMS.URL()}).Code(t, s.four.phone)
	apiOK(t, m, "POST", "/api/v1/security/unlock", "", map[string]string{"phone": s.four.phone, "code": code})
	s.check(t, m)
}

// check asserts every act holds.
func (s *heldStory) check(t *testing.T, m *Main) {
	t.Helper()
	ctx := context.Background()
	if st, _, err := m.Kernel.Consents.State(ctx, s.one.subject, privacy.FeatureScope(privacy.FeatRecommendation)); err != nil || st != privacy.Withdrawn {
		t.Errorf("one's recommendation consent: %v %v, want withdrawn", st, err)
	}
	if _, err := m.App.OAuth.Authenticate(ctx, s.appToken); err == nil {
		t.Errorf("the app's token from a revoked authorization works")
	}
	if list, err := m.App.OAuth.Authorizations(ctx, minimall.ShopperActor(s.one.subject)); err != nil || len(list) != 1 || list[0].Status != "revoked" {
		t.Errorf("one's authorizations: %+v %v, want the one revoked", list, err)
	}
	if signIn(t, m, s.two) != "" {
		t.Errorf("two's replaced password signs in")
	}
	for _, tok := range []string{s.two.token, s.twoOld, s.three.token} {
		if st, b := callJSON(t, "GET", m.HTTP.URL()+"/api/v1/account", tok, nil); st == 200 {
			t.Errorf("a session ended by a reset or a lock works: %s", b)
		}
	}
	if st, b := callJSON(t, "POST", m.HTTP.URL()+"/api/v1/sessions", "", map[string]string{"login": s.three.name, "password": s.three.password}); st != 403 {
		t.Errorf("three's locked account signs in: %d %s", st, b)
	}
	if signIn(t, m, s.four) == "" {
		t.Errorf("four's account, locked and unlocked again, is refused")
	}
}

// TestBackupRestoreKeepsHeldActs (PIPL art. 15, 47; policy 四(四), 五(三)4):
// what a person did for their privacy or security after a backup was taken
// — a consent withdrawn, an app's authorization revoked, the password
// reset (the old one and the sessions before stop working), the account
// locked (and one locked then unlocked stays unlocked) — still holds when that backup is restored, because the acts
// journalled in the key store are replayed at start.
func TestBackupRestoreKeepsHeldActs(t *testing.T) {
	dir := t.TempDir()
	data, keys, backup := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys"), filepath.Join(dir, "backup")
	m := startHeld(t, data, keys)
	story := newHeldStory(t, m, "1380013830")
	code, backupOut, errOut := runCmd(t, "backup", "--to", backup, "--data", data, "--keys", keys)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, backupOut, errOut)
	}
	story.act(t, m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, restoreHint(t, backupOut)...)
	if code != 0 || !strings.Contains(out, "6 acts since the backup") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	m = startOn(t, data, keys)
	story.check(t, m)
}

// startHeld is startOn with no pause between two texted codes to a phone:
// the story texts a registration code and then a recovery code.
func startHeld(t *testing.T, data, keys string) *Main {
	t.Helper()
	m := NewMain()
	m.Config.Addr, m.Config.DataDir, m.Config.KeysDir = "127.0.0.1:0", data, keys
	m.Config.Accounts.CodeCooldown = 0
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// TestBackupRestoreKeepsHeldActsPostgres is TestBackupRestoreKeepsHeldActs
// on PostgreSQL: the dump taken while serving, the acts, the dump
// restored with pg_restore, then `minimall restore` as backup printed it.
func TestBackupRestoreKeepsHeldActsPostgres(t *testing.T) {
	pg := newPgDatabase(t)
	dir := t.TempDir()
	data, keys, backup := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys"), filepath.Join(dir, "backup")
	start := func() *Main {
		m := NewMain()
		m.Config.Addr, m.Config.DataDir, m.Config.KeysDir, m.Config.DB = "127.0.0.1:0", data, keys, pg.dsn
		m.Config.Accounts.CodeCooldown = 0
		if err := m.Run(context.Background()); err != nil {
			m.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	m := start()
	story := newHeldStory(t, m, "1380013840")
	code, backupOut, errOut := runCmd(t, "backup", "--to", backup, "--db", pg.dsn, "--data", data, "--keys", keys)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, backupOut, errOut)
	}
	story.act(t, m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	pg.restoreDump(t, filepath.Join(backup, "minimall.dump"))
	code, out, errOut := runCmd(t, restoreHint(t, backupOut)...)
	if code != 0 || !strings.Contains(out, "6 acts since the backup") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	story.check(t, start())
}
