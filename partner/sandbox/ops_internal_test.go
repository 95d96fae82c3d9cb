package sandbox

import (
	"testing"

	"minimall/privacy"
)

// TestOperationsWithinRegistry: every field an operation takes is one the
// registry lets its partner receive for at least one purpose the operation
// serves, so no sandbox advertises more than the registry allows.
func TestOperationsWithinRegistry(t *testing.T) {
	for _, p := range privacy.Partners() {
		for path, op := range kindOf(p.ID).ops {
			for _, f := range op.fields {
				spec, ok := privacy.Spec(f)
				allowed := false
				for _, pu := range op.purposes {
					allowed = allowed || (ok && spec.MayReceive(p.ID, pu))
				}
				if !allowed {
					t.Errorf("%s /%s takes %s, which the registry never lets it receive", p.ID, path, f)
				}
			}
		}
	}
}
