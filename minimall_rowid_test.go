package minimall

import (
	"regexp"
	"testing"
	"time"
)

// TestNewRowID: ids are unique, of one shape, and sort by creation time.
func TestNewRowID(t *testing.T) {
	shape := regexp.MustCompile(`^o_[0-9a-v]{21}$`)
	seen := map[string]bool{}
	prev := ""
	for i := range 10000 {
		id := NewRowID("o_")
		if !shape.MatchString(id) || seen[id] {
			t.Fatalf("id %d: %q (repeat: %v)", i, id, seen[id])
		}
		if i%1000 == 0 {
			time.Sleep(2 * time.Microsecond)
			if prev != "" && id <= prev {
				t.Fatalf("%q sorts before the older %q", id, prev)
			}
			prev = id
		}
		seen[id] = true
	}
}
