package privacy_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"minimall/privacy"
	"minimall/privacy/policy"
)

var fieldIDPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*\.[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

var categories = []privacy.Category{
	privacy.CatAccount, privacy.CatProfile, privacy.CatContact, privacy.CatIdentity,
	privacy.CatBiometric, privacy.CatTransaction, privacy.CatDelivery, privacy.CatFinancial,
	privacy.CatBehaviour, privacy.CatDevice, privacy.CatLocation, privacy.CatContent, privacy.CatSupport,
}

func stored(s *privacy.FieldSpec) bool { return s.Retention.Rule != privacy.NotStored }

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

func mustFeature(t *testing.T, id privacy.FeatureID) *privacy.FeatureSpec {
	t.Helper()
	f, ok := privacy.Feature(id)
	if !ok {
		t.Fatalf("feature %q is not declared", id)
	}
	return f
}

// TestRegistryFieldsDeclared: every field is fully described and refers
// only to declared features and purposes.
func TestRegistryFieldsDeclared(t *testing.T) {
	fields := privacy.Fields()
	if len(fields) < 50 {
		t.Fatalf("registry has only %d fields", len(fields))
	}
	for _, s := range fields {
		t.Run(string(s.Field), func(t *testing.T) {
			switch {
			case !fieldIDPattern.MatchString(string(s.Field)):
				t.Errorf("id %q is not area.name in lower case", s.Field)
			case !hasHan(s.Name):
				t.Errorf("Chinese name %q", s.Name)
			case s.NameEN == "" || hasHan(s.NameEN):
				t.Errorf("English name %q", s.NameEN)
			case !slices.Contains(categories, s.Category):
				t.Errorf("unknown category %q", s.Category)
			case s.Clause == "":
				t.Error("no seed clause")
			case len(s.Uses) == 0:
				t.Error("no uses")
			case s.Retention.Reason == "":
				t.Error("retention has no reason")
			}
			if got, ok := privacy.Spec(s.Field); !ok || got != s {
				t.Error("Spec does not return the declaration")
			}
			mustFeature(t, s.Feature)
			seen := map[privacy.Purpose]bool{}
			for _, u := range s.Uses {
				if _, ok := privacy.PurposeOf(u.Purpose); !ok {
					t.Errorf("use of undeclared purpose %q", u.Purpose)
				}
				if seen[u.Purpose] {
					t.Errorf("purpose %q declared twice", u.Purpose)
				}
				seen[u.Purpose] = true
			}
		})
	}
}

// TestRegistryPurposesAndFeatures: the lists the registry refers to are
// themselves consistent.
func TestRegistryPurposesAndFeatures(t *testing.T) {
	for _, p := range privacy.Purposes() {
		if _, ok := privacy.Feature(p.Feature); !ok {
			t.Errorf("purpose %s: undeclared feature %q", p.Purpose, p.Feature)
		}
		if !hasHan(p.Name) || p.NameEN == "" {
			t.Errorf("purpose %s: names %q / %q", p.Purpose, p.Name, p.NameEN)
		}
	}
	for _, f := range privacy.Features() {
		if !hasHan(f.Name) || f.NameEN == "" || f.Clause == "" {
			t.Errorf("feature %s: names or clause missing", f.ID)
		}
	}
	for _, p := range privacy.Partners() {
		if !hasHan(p.Name) || p.NameEN == "" || p.Contact == "" {
			t.Errorf("partner %s: names or contact missing", p.ID)
		}
	}
}

// TestRegistryRecipients: every recipient is a declared partner, receives
// the field for one of the field's own uses, and the field says it is
// shared.
func TestRegistryRecipients(t *testing.T) {
	for _, s := range privacy.Fields() {
		seen := map[privacy.Recipient]bool{}
		for _, r := range s.Recipients {
			if _, ok := privacy.Partner(r.Partner); !ok {
				t.Errorf("%s: undeclared partner %q", s.Field, r.Partner)
			}
			if _, ok := s.Allows(r.Purpose); !ok {
				t.Errorf("%s: given to %s for %s, which is not among its uses", s.Field, r.Partner, r.Purpose)
			}
			if !s.MayReceive(r.Partner, r.Purpose) {
				t.Errorf("%s: MayReceive(%s, %s) is false", s.Field, r.Partner, r.Purpose)
			}
			if seen[r] {
				t.Errorf("%s: recipient %v declared twice", s.Field, r)
			}
			seen[r] = true
		}
		if len(s.Recipients) > 0 && s.Visibility == privacy.Private {
			t.Errorf("%s: has recipients but is Private", s.Field)
		}
		if len(s.Recipients) == 0 && s.Visibility == privacy.Shared {
			t.Errorf("%s: Shared without recipients", s.Field)
		}
	}
}

// TestRegistryNecessaryFields: the 2021 rules on necessary personal
// information for online shopping allow exactly these; everything else may
// be refused without losing a basic function.
func TestRegistryNecessaryFields(t *testing.T) {
	want := []privacy.Field{
		privacy.AccountPhone,
		privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone,
		privacy.PaymentTime, privacy.PaymentAmount, privacy.PaymentChannel,
	}
	var got []privacy.Field
	for _, s := range privacy.Fields() {
		if s.Necessity == privacy.Necessary {
			got = append(got, s.Field)
		}
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("necessary fields:\n got %v\nwant %v", got, want)
	}
}

// TestRegistryBasis: necessity, legal basis and the feature agree.
func TestRegistryBasis(t *testing.T) {
	for _, s := range privacy.Fields() {
		feat := mustFeature(t, s.Feature)
		switch {
		case s.Necessity == privacy.Necessary && (s.Basis != privacy.Contract || !feat.Basic):
			t.Errorf("%s: necessary data rests on a basic function's contract", s.Field)
		case (s.Necessity == privacy.Required) != (s.Basis == privacy.LegalDuty):
			t.Errorf("%s: Required if and only if the basis is a legal duty", s.Field)
		case s.Basis == privacy.Contract && !feat.Basic:
			// Refusing an additional function must never block a basic one,
			// so its data rests on an opt-in (or a duty the opt-in triggers,
			// like the customs ID for a cross-border order).
			t.Errorf("%s: contract basis for additional feature %s", s.Field, s.Feature)
		case feat.SeparateConsent && s.Basis != privacy.SeparateConsent && s.Basis != privacy.LegalDuty:
			t.Errorf("%s: feature %s needs separate consent", s.Field, s.Feature)
		}
	}
}

// TestRegistrySensitive: PIPL art. 28-29. Sensitive data never rests on a
// plain consent, and the kinds the law names are marked sensitive.
func TestRegistrySensitive(t *testing.T) {
	for _, s := range privacy.Fields() {
		if !s.Sensitive {
			continue
		}
		if s.Basis == privacy.Consent {
			t.Errorf("%s: sensitive data collected on plain consent", s.Field)
		}
		for _, u := range s.Uses {
			if u.Basis == privacy.Consent {
				t.Errorf("%s: sensitive data used for %s on plain consent", s.Field, u.Purpose)
			}
		}
	}
	mustBe := []privacy.Field{
		privacy.FaceData, privacy.IDNumber, privacy.RecoveryRealName, privacy.CustomsIDNumber,
		privacy.PaymentAccount, privacy.BankCard, privacy.PayerAlipayAccount,
		privacy.Location, privacy.WLANMAC, privacy.FaceEffectFeatures,
		privacy.MinorUnder14, privacy.GuardianIdentity, privacy.GuardianConsentEvidence,
		privacy.NextOfKinEvidence,
	}
	for _, f := range mustBe {
		if s, ok := privacy.Spec(f); !ok || !s.Sensitive {
			t.Errorf("%s must be declared sensitive", f)
		}
	}
	for _, s := range privacy.Fields() {
		switch s.Category {
		case privacy.CatBiometric, privacy.CatFinancial, privacy.CatLocation:
			if !s.Sensitive {
				t.Errorf("%s: category %s is sensitive", s.Field, s.Category)
			}
		}
		if s.Feature == privacy.FeatMinor && !s.Sensitive {
			t.Errorf("%s: under-14s' data is sensitive", s.Field)
		}
	}
}

// TestRegistryStorage: where each field is kept.
func TestRegistryStorage(t *testing.T) {
	type place struct{ table, column string }
	owner := map[place]privacy.Field{}
	for _, s := range privacy.Fields() {
		if !stored(s) {
			if s.Table != "" || s.Column != "" {
				t.Errorf("%s: never stored, yet declares %s.%s", s.Field, s.Table, s.Column)
			}
			continue
		}
		if s.Table == "" || s.Column == "" {
			t.Errorf("%s: stored but has no table or column", s.Field)
			continue
		}
		want := privacy.SealedPI
		if s.Field == privacy.PasswordHash {
			want = privacy.OneWayHash // argon2id, not sealed
		} else if !strings.HasSuffix(s.Column, "_sealed") {
			t.Errorf("%s: column %s must end in _sealed", s.Field, s.Column)
		}
		// A clash with a kernel table's column would classify differently.
		if c, ok := privacy.Classify(s.Table, s.Column); !ok || c != want {
			t.Errorf("%s: %s.%s classifies as %v, want %v", s.Field, s.Table, s.Column, c, want)
		}
		p := place{s.Table, s.Column}
		if other, dup := owner[p]; dup {
			t.Errorf("%s and %s share %s.%s", s.Field, other, s.Table, s.Column)
		}
		owner[p] = s.Field
		// Rights exports (PIPL art. 45) open every stored field.
		if u, ok := s.Allows(privacy.ForRightsRequest); !ok || u.Basis != privacy.LegalDuty {
			t.Errorf("%s: stored but not open to rights requests on the legal duty", s.Field)
		}
	}
}

// TestRegistryRetention: transaction records and security logs are kept as
// long as the law requires.
func TestRegistryRetention(t *testing.T) {
	transactionTables := []string{"orders", "invoices", "payments", "shipments"}
	for _, s := range privacy.Fields() {
		r := s.Retention
		if s.Category == privacy.CatTransaction || (slices.Contains(transactionTables, s.Table) && stored(s)) {
			// E-commerce Law art. 31.
			if r.Rule != privacy.AfterCompletion || r.Period != privacy.ThreeYears {
				t.Errorf("%s: transaction record kept %v for %v, want after completion for three years", s.Field, r.Rule, r.Period)
			}
		}
		if r.Rule == privacy.AfterCompletion {
			if _, ok := s.Allows(privacy.ForLegalDuty); !ok {
				t.Errorf("%s: kept for a legal duty the registry does not allow", s.Field)
			}
			if r.Period < privacy.ThreeYears {
				t.Errorf("%s: kept only %v after completion", s.Field, r.Period)
			}
			if s.PersonMayEdit {
				t.Errorf("%s: a kept record must stay complete (E-commerce Law art. 31)", s.Field)
			}
		}
		if s.Feature == privacy.FeatSecurity && stored(s) {
			// Cybersecurity Law art. 21.
			if r.Rule != privacy.SinceCollection || r.Period < privacy.SixMonths {
				t.Errorf("%s: security log kept %v for %v, want at least six months since collection", s.Field, r.Rule, r.Period)
			}
		}
		if (r.Rule == privacy.SinceCollection || r.Rule == privacy.AfterCompletion) && r.Period <= 0 {
			t.Errorf("%s: %v without a period", s.Field, r.Rule)
		}
	}
}

// receivers returns the fields each partner may receive.
func receivers() map[privacy.PartnerID][]privacy.Field {
	out := map[privacy.PartnerID][]privacy.Field{}
	for _, s := range privacy.Fields() {
		for _, r := range s.Recipients {
			if !slices.Contains(out[r.Partner], s.Field) {
				out[r.Partner] = append(out[r.Partner], s.Field)
			}
		}
	}
	return out
}

// TestRegistryPartnerMinimisation: each partner gets only what its task
// needs (policy 三(一)1(1), 三(一)3). A new partner or a new field for a
// partner must be added here on purpose.
func TestRegistryPartnerMinimisation(t *testing.T) {
	allowed := map[privacy.PartnerID][]privacy.Field{
		// Payment data only.
		privacy.PartnerPayment: {privacy.OrderNumber, privacy.OrderAmount, privacy.PaymentAmount,
			privacy.PaymentAccount, privacy.BankCard, privacy.PayerAlipayAccount, privacy.PayerPhone},
		// The recipient's name, address and phone, and what is in the parcel.
		privacy.PartnerLogistics: {privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone, privacy.OrderItems},
		privacy.PartnerIdentity:  {privacy.RealName, privacy.IDNumber, privacy.IDType, privacy.FaceData},
		privacy.PartnerCarrier:   {privacy.AccountPhone, privacy.PhoneBoundAt},
		privacy.PartnerSMS:       {privacy.AccountPhone, privacy.ContactPhone},
		privacy.PartnerEmail:     {privacy.ContactEmail},
		privacy.PartnerAds:       {privacy.AdID},
		privacy.PartnerThirdApp:  {privacy.Nickname, privacy.Avatar, privacy.AccountPhone},
		privacy.PartnerSeller: {privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone,
			privacy.ExtraPhone, privacy.DeliveryTime, privacy.OrderRemark, privacy.OrderNumber, privacy.OrderItems,
			privacy.OrderTime, privacy.OrderDiscounts, privacy.OrderAmount, privacy.InvoiceTitle,
			privacy.InvoiceTaxpayerID, privacy.InvoiceEmail, privacy.ShopMessage},
		privacy.PartnerOverseas: {privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone,
			privacy.OrderNumber, privacy.OrderItems},
		privacy.PartnerCustoms:   {privacy.CustomsIDName, privacy.CustomsIDNumber, privacy.OrderItems, privacy.OrderAmount},
		privacy.PartnerSecurity:  {privacy.DeviceID, privacy.DeviceParams, privacy.ServiceLog},
		privacy.PartnerAnalytics: {}, // device signals serve security only (issue 3, point 10)
		privacy.PartnerCoHost:    {privacy.ActivityContact, privacy.ActivityDelivery, privacy.ActivityParticipation},
		// 三(五)2: for the legal duty only, the kept transaction record and the real-name result.
		privacy.PartnerAuthority: {privacy.RealName, privacy.IDNumber, privacy.RecipientName, privacy.RecipientAddress,
			privacy.RecipientPhone, privacy.OrderNumber, privacy.OrderItems, privacy.OrderTime, privacy.OrderAmount, privacy.PaymentAmount},
	}
	got := receivers()
	for _, p := range privacy.Partners() {
		want, ok := allowed[p.ID]
		if !ok {
			t.Errorf("partner %s: say here what it may receive", p.ID)
			continue
		}
		for _, f := range got[p.ID] {
			if !slices.Contains(want, f) {
				t.Errorf("partner %s receives %s", p.ID, f)
			}
		}
	}
	t.Run("LogisticsNeverGetsAccountPhone", func(t *testing.T) {
		if slices.Contains(got[privacy.PartnerLogistics], privacy.AccountPhone) {
			t.Fatal("the logistics partner receives the account phone")
		}
	})
	t.Run("AdsGetOnlyPseudonyms", func(t *testing.T) {
		pseudonymous := []privacy.Field{privacy.AdID}
		for _, f := range got[privacy.PartnerAds] {
			if !slices.Contains(pseudonymous, f) {
				t.Errorf("the ads partner receives %s, which is not pseudonymous", f)
			}
		}
	})
	t.Run("ThirdAppsOnlyWhatTheConsentScreenNames", func(t *testing.T) {
		for _, f := range got[privacy.PartnerThirdApp] {
			s, _ := privacy.Spec(f)
			for _, r := range s.Recipients {
				if r.Partner != privacy.PartnerThirdApp {
					continue
				}
				if u, _ := s.Allows(r.Purpose); u.Basis != privacy.SeparateConsent {
					t.Errorf("%s goes to third-party apps for %s without separate consent", f, r.Purpose)
				}
			}
		}
	})
}

// TestRegistryCrossBorder: only cross-border order data may leave the
// country, and only on separate consent (PIPL art. 39).
func TestRegistryCrossBorder(t *testing.T) {
	for _, s := range privacy.Fields() {
		abroad := false
		for _, r := range s.Recipients {
			p, _ := privacy.Partner(r.Partner)
			if p == nil || !p.Abroad {
				continue
			}
			abroad = true
			if u, _ := s.Allows(r.Purpose); u.Basis != privacy.SeparateConsent {
				t.Errorf("%s: provided abroad to %s without separate consent", s.Field, r.Partner)
			}
		}
		if abroad != s.CrossBorder {
			t.Errorf("%s: CrossBorder is %v but an abroad recipient is %v", s.Field, s.CrossBorder, abroad)
		}
		if s.CrossBorder && s.Table != "orders" {
			t.Errorf("%s: only order data may leave the country", s.Field)
		}
	}
}

// TestRegistryPublicDisplay: what is shown publicly is shown because the
// person chose to publish it, and they can take it back.
func TestRegistryPublicDisplay(t *testing.T) {
	public := []privacy.Purpose{privacy.ForPublicDisplay, privacy.ForHomepage, privacy.ForReview, privacy.ForLiveRoom}
	for _, s := range privacy.Fields() {
		if s.Visibility != privacy.PublicDisplay {
			continue
		}
		ok := false
		for _, u := range s.Uses {
			ok = ok || (slices.Contains(public, u.Purpose) && u.Basis.NeedsConsent())
		}
		if !ok {
			t.Errorf("%s: public without a consent-based display use", s.Field)
		}
		if s.Sensitive {
			t.Errorf("%s: sensitive data shown publicly", s.Field)
		}
	}
}

// TestRegistryPublishable (三(三), 三(五)): every ground of a public
// disclosure declares what it may ever publish; none may publish a secret,
// a contact, an address, a payment account, a device, a place, or a
// sensitive field, and a ground the registry does not list publishes
// nothing.
func TestRegistryPublishable(t *testing.T) {
	never := map[privacy.Category]bool{privacy.CatContact: true, privacy.CatDelivery: true, privacy.CatFinancial: true,
		privacy.CatBiometric: true, privacy.CatDevice: true, privacy.CatLocation: true, privacy.CatBehaviour: true, privacy.CatSupport: true}
	for _, g := range policy.Grounds() {
		fields := privacy.Publishable(string(g.Ground))
		if len(fields) == 0 {
			t.Errorf("ground %s declares nothing it may publish", g.Ground)
		}
		for _, f := range fields {
			spec, ok := privacy.Spec(f)
			switch {
			case !ok:
				t.Errorf("ground %s publishes undeclared field %s", g.Ground, f)
			case spec.Sensitive || never[spec.Category] || f == privacy.PasswordHash || f == privacy.IDNumber:
				t.Errorf("ground %s may publish %s (%s, sensitive %v)", g.Ground, f, spec.Category, spec.Sensitive)
			}
		}
	}
	if privacy.MayPublish("no_such_ground", privacy.Nickname) || privacy.MayPublish("rule_violation", privacy.AccountPhone) {
		t.Fatal("MayPublish allows beyond the table")
	}
}
