package vault

import "path/filepath"

// WriteLegacyLookup writes a lookup.key as versions before per-purpose
// lookup keys made it, into the keys folder dir.
func WriteLegacyLookup(dir string) error {
	return writeKeyFile(filepath.Join(dir, lookupFile), formatKeyFile(lookupHeader, []namedKey{newNamedKey("lk-")}), false)
}
