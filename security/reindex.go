package security

import (
	"context"

	"minimall"
	"minimall/privacy"
	"minimall/sqldb"
)

// deviceIndex is the keyed hash that finds a person's row of a device.
func deviceIndex(k *privacy.Kernel, subject minimall.SubjectID, deviceID string) []byte {
	return k.BlindIndex(privacy.DeviceID, []byte(string(subject)+"\x00"+deviceID))
}

// Reindexer writes devices.device_index anew when the device lookup key
// is rotated (privacy.Kernel.RotateLookup).
type Reindexer struct {
	DB     *sqldb.DB
	Kernel *privacy.Kernel
}

func (Reindexer) Lookups() []privacy.Field { return []privacy.Field{privacy.DeviceID} }

func (r Reindexer) Reindex(ctx context.Context, _ privacy.Field) (int, error) {
	return r.Kernel.Reindex(ctx, r.DB, privacy.ReindexSpec{
		Table: privacy.TableOf("devices"), Field: privacy.DeviceID, Purpose: privacy.ForSecurity, Column: "device_index",
		Index: func(s minimall.SubjectID, id []byte) ([]byte, error) {
			return deviceIndex(r.Kernel, s, string(id)), nil
		},
	})
}
