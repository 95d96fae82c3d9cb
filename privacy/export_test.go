package privacy

import (
	"context"

	"minimall"
)

// SealUnversioned seals as the guard did before versioned fields existed
// (no counter in the associated data), for tests of stored values that
// predate migration 0040.
func (g *Guard) SealUnversioned(ctx context.Context, s minimall.SubjectID, f Field, row string, value []byte) ([]byte, error) {
	spec, err := g.sealable(ctx, s, f)
	if err != nil {
		return nil, err
	}
	return g.sealAt(ctx, s, spec, row, 0, value)
}
