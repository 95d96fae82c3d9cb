package vault

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzParseKeyFile: the key file parser accepts only unique ids of the
// right shape with 32-byte keys, what it accepts formats back to a file
// that parses to the same keys, and a refusal names a line number, never
// the line.
func FuzzParseKeyFile(f *testing.F) {
	key := bytes.Repeat([]byte{0xab}, keyLen)
	good := formatKeyFile(masterHeader, []namedKey{{id: "m-abcde", key: key}, {id: "m-fghij", key: key}})
	f.Add(good)
	f.Add([]byte("m-1 " + strings.Repeat("A", 43) + "=\r\n"))
	f.Add([]byte("m-1 q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\nm-1 q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=\n"))
	f.Add([]byte("# only a comment\n\n"))
	f.Add([]byte("M-1 q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="))
	f.Add([]byte("m-1\tq6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="))
	f.Add(good[:len(good)-10])
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, err := parseKeyFile(data)
		if err != nil {
			for line := range strings.SplitSeq(string(data), "\n") {
				if line = strings.TrimSpace(line); len(line) >= 8 && strings.Contains(err.Error(), line) {
					t.Fatalf("error %q shows a line of the file", err)
				}
			}
			return
		}
		seen := map[string]bool{}
		for _, k := range keys {
			if !keyIDPattern.MatchString(k.id) || len(k.key) != keyLen || seen[k.id] {
				t.Fatalf("accepted key %q of %d bytes", k.id, len(k.key))
			}
			seen[k.id] = true
			if _, err := newAEAD(k.key); err != nil {
				t.Fatalf("accepted key %q: %v", k.id, err)
			}
		}
		again, err := parseKeyFile(formatKeyFile(masterHeader, keys))
		if err != nil || !reflect.DeepEqual(again, keys) {
			t.Fatalf("keys %d formatted and parsed again: %d, %v", len(keys), len(again), err)
		}
	})
}
