package oauth_test

import (
	"testing"

	"minimall"
	"minimall/oauth"
	"minimall/privacy"
)

// TestChallenge: the RFC 7636 appendix B example.
func TestChallenge(t *testing.T) {
	if got := oauth.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Fatalf("challenge %s", got)
	}
}

// TestScopesFollowRegistry: a scope hands over only what the field
// registry lets a third-party app receive for the scope's purpose, and its
// consent is the purpose's feature, a separate consent (二(一)2).
func TestScopesFollowRegistry(t *testing.T) {
	for _, sc := range oauth.Scopes() {
		p, ok := privacy.PurposeOf(sc.Purpose)
		if !ok || p.Feature != sc.Feature {
			t.Errorf("scope %s: purpose %s does not serve feature %s", sc.Name, sc.Purpose, sc.Feature)
		}
		if f, ok := privacy.Feature(sc.Feature); !ok || !f.SeparateConsent {
			t.Errorf("scope %s: feature %s is not a separate consent", sc.Name, sc.Feature)
		}
		for _, f := range sc.Fields {
			spec, ok := privacy.Spec(f)
			if !ok || !spec.MayReceive(privacy.PartnerThirdApp, sc.Purpose) {
				t.Errorf("scope %s: the registry does not let apps receive %s for %s", sc.Name, f, sc.Purpose)
			}
		}
	}
	if sc, ok := oauth.Scope(oauth.ScopeProfile); !ok || len(sc.Fields) != 2 {
		t.Fatal("the profile scope is the avatar and nickname")
	}
}

func TestNewClientValidate(t *testing.T) {
	ok := oauth.NewClient{Name: "应用", RedirectURIs: []string{"https://app.example/cb"}}
	n, err := ok.Validate()
	if err != nil || len(n.Scopes) != 1 || n.Scopes[0] != oauth.ScopeProfile {
		t.Fatalf("profile is always registered: %v %v", n.Scopes, err)
	}
	if n, _ := (oauth.NewClient{Name: "x", RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"phone", "profile", "phone"}}).Validate(); len(n.Scopes) != 2 {
		t.Fatalf("duplicates: %v", n.Scopes)
	}
	for _, uri := range []string{
		"http://127.0.0.1:8080/cb", // loopback may use http (RFC 8252 7.3)
		"https://app.example/cb?from=minimall",
	} {
		if _, err := (oauth.NewClient{Name: "x", RedirectURIs: []string{uri}}).Validate(); err != nil {
			t.Errorf("%s refused: %v", uri, err)
		}
	}
	for _, uri := range []string{
		"http://app.example/cb", // http off loopback
		"https://app.example/cb#frag",
		"/relative",
		"javascript:alert(1)",
		"https://user:pw@app.example/cb",
	} {
		if _, err := (oauth.NewClient{Name: "x", RedirectURIs: []string{uri}}).Validate(); !minimall.IsCode(err, minimall.Invalid) {
			t.Errorf("%s accepted", uri)
		}
	}
}
