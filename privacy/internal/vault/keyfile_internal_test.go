package vault

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestParseKeyFile(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, keyLen))
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for _, tt := range []struct {
		name string
		file string
		ids  []string // nil: must fail
	}{
		{"One", "mk-a " + key + "\n", []string{"mk-a"}},
		{"CommentsAndBlanks", "# header\n\nmk-a " + key + "\n\n", []string{"mk-a"}},
		{"OrderKept", "mk-b " + key + "\nmk-a " + key + "\n", []string{"mk-b", "mk-a"}}, // the last is current, whatever its name
		{"Empty", "# nothing\n", nil},
		{"DuplicateID", "mk-a " + key + "\nmk-a " + key + "\n", nil},
		{"ShortKey", "mk-a " + short + "\n", nil}, // AES-128 would pass NewCipher; refuse it
		{"NoKey", "mk-a\n", nil},
		{"BadID", "MK A " + key + "\n", nil},
		{"NotBase64", "mk-a !!!!\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := parseKeyFile([]byte(tt.file))
			if tt.ids == nil {
				if err == nil {
					t.Fatal("parsed a bad key file")
				}
				if bytes.Contains([]byte(err.Error()), []byte(key)) {
					t.Fatal("error shows key material")
				}
				return
			}
			if err != nil || len(keys) != len(tt.ids) {
				t.Fatalf("parse = %d keys, %v", len(keys), err)
			}
			for i, k := range keys {
				if k.id != tt.ids[i] {
					t.Fatalf("key %d is %q, want %q", i, k.id, tt.ids[i])
				}
			}
		})
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	in := []namedKey{newNamedKey("mk-"), newNamedKey("mk-")}
	out, err := parseKeyFile(formatKeyFile(masterHeader, in))
	if err != nil || len(out) != 2 || out[1].id != in[1].id || !bytes.Equal(out[1].key, in[1].key) {
		t.Fatalf("round trip: %v", err)
	}
}
