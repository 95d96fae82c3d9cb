package privacy_test

import (
	"testing"

	"minimall"
	"minimall/privacy"
)

// TestRoleMayActFor pins the role matrix: the purposes each operator role
// may act for, and no other. A role gaining a purpose (customer service
// acting for a legal duty, say) fails here by name.
func TestRoleMayActFor(t *testing.T) {
	may := map[minimall.Role][]privacy.Purpose{
		minimall.RoleCustomerService: {privacy.ForAccount, privacy.ForAccountRecovery, privacy.ForOrder, privacy.ForDelivery, privacy.ForCustomerService},
		minimall.RoleSecurity:        {privacy.ForAccountRecovery, privacy.ForIdentityCheck, privacy.ForSecurity, privacy.ForIncidentResponse, privacy.ForFaceVerification},
		minimall.RoleDPO:             {privacy.ForRightsRequest, privacy.ForIncidentResponse, privacy.ForGuardianConsent},
		minimall.RoleLegalHold:       {privacy.ForLegalDuty},
		minimall.RoleOps:             nil, // ops staff run the platform and open no personal information
	}
	if len(may) != len(minimall.Roles) {
		t.Fatalf("the table covers %d roles; there are %d", len(may), len(minimall.Roles))
	}
	for _, role := range minimall.Roles {
		allowed := map[privacy.Purpose]bool{}
		for _, p := range may[role] {
			allowed[p] = true
		}
		for _, spec := range privacy.Purposes() {
			if got := privacy.RoleMayActFor(role, spec.Purpose); got != allowed[spec.Purpose] {
				t.Errorf("RoleMayActFor(%s, %s) = %v, want %v", role, spec.Purpose, got, allowed[spec.Purpose])
			}
		}
		if privacy.RoleMayActFor(role, privacy.Purpose("resale")) {
			t.Errorf("%s may act for an undeclared purpose", role)
		}
	}
	t.Run("ErrCustomerServiceForLegalDuty", func(t *testing.T) {
		if privacy.RoleMayActFor(minimall.RoleCustomerService, privacy.ForLegalDuty) {
			t.Fatal("customer service may act for the legal duty")
		}
		if !privacy.RoleMayActFor(minimall.RoleLegalHold, privacy.ForLegalDuty) {
			t.Fatal("the legal-hold role may not act for the legal duty")
		}
	})
}
