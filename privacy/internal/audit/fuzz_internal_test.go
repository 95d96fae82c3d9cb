package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// secret is row content a problem must never show.
const secret = "PERSON-13800138000"

// genuineChain returns n rows chained as the writer chains them.
func genuineChain(m *chainMAC, n int) []row {
	rows := make([]row, n)
	prev := m.genesis("main")
	for i := range rows {
		rows[i] = row{chain: "main", seq: int64(i + 1), at: int64(1000 + i), actor: "shopper:" + secret,
			subject: secret, field: "account.phone", purpose: "delivery", decision: "allow", ref: "r"}
		rows[i].mac = m.sum(nil, prev, &rows[i])
		prev = rows[i].mac
	}
	return rows
}

// tamper applies the edits ops describe to a copy of rows, as someone with
// write access to the table could: delete, swap content between seqs,
// edit, replace a mac, renumber, insert a forged row, cut the tail.
func tamper(rows []row, ops []byte) []row {
	out := slices.Clone(rows)
	for len(ops) >= 2 && len(out) > 0 {
		op, i := ops[0]%7, int(ops[1])%len(out)
		ops = ops[2:]
		switch op {
		case 0:
			out = slices.Delete(out, i, i+1)
		case 1:
			j := (i + 1) % len(out)
			si, sj := out[i].seq, out[j].seq
			out[i], out[j] = out[j], out[i]
			out[i].seq, out[j].seq = si, sj
		case 2:
			out[i].reason += "x"
		case 3:
			out[i].mac = bytes.Repeat([]byte{ops0(ops)}, macLen)
		case 4:
			for k := i; k < len(out); k++ {
				out[k].seq++ // a gap before row i
			}
		case 5:
			for k := range out {
				out[k].seq = int64(k + 1) // close every gap
			}
		case 6:
			out = out[:i]
		}
	}
	return out
}

func ops0(ops []byte) byte {
	if len(ops) == 0 {
		return 0
	}
	return ops[0]
}

// FuzzVerifyWalk: the verifier's walk over rows someone tampered with
// never panics and ends; it finds no problem in an untouched chain, or in
// one cut short past its checkpoint (undetectable by design), and at
// least one in any other change; its problems never show row content.
func FuzzVerifyWalk(f *testing.F) {
	f.Add(uint8(5), uint8(0), []byte{})
	f.Add(uint8(5), uint8(5), []byte{0, 2})
	f.Add(uint8(9), uint8(9), []byte{1, 3})
	f.Add(uint8(9), uint8(0), []byte{0, 3, 5, 0})
	f.Add(uint8(9), uint8(4), []byte{6, 6})
	f.Add(uint8(12), uint8(12), []byte{4, 2, 2, 7, 3, 8})
	m := newChainMAC(bytes.Repeat([]byte{7}, keyLen))
	f.Fuzz(func(t *testing.T, n, cpAt uint8, ops []byte) {
		rows := genuineChain(m, 1+int(n)%40)
		var cp head
		if k := int(cpAt) % (len(rows) + 1); k > 0 {
			cp = head{seq: int64(k), mac: rows[k-1].mac}
		}
		got := tamper(rows, ops)
		src := &rowSource{buf: slices.Clone(got), eof: true}
		w := newWalker(m, "main", src, head{mac: m.genesis("main")}, cp)
		if err := w.walk(); err != nil {
			t.Fatal(err)
		}
		w.checkEnd()
		undetectable := isPrefix(got, rows) && int64(len(got)) >= cp.seq
		switch {
		case undetectable && len(w.problems) > 0:
			t.Fatalf("%d rows, checkpoint %d, ops %v: problems in a sound chain: %+v", len(rows), cp.seq, ops, w.problems)
		case !undetectable && len(w.problems) == 0:
			t.Fatalf("%d rows, checkpoint %d, ops %v: tampering not found", len(rows), cp.seq, ops)
		}
		for _, p := range w.problems {
			if strings.Contains(p.Detail, secret) || p.Seq < 1 {
				t.Fatalf("problem %+v", p)
			}
		}
		if !w.stopped && w.rows != int64(len(got)) {
			t.Fatalf("read %d rows of %d", w.rows, len(got))
		}
	})
}

func isPrefix(got, rows []row) bool {
	if len(got) > len(rows) {
		return false
	}
	for i := range got {
		if !sameRow(got[i], rows[i]) {
			return false
		}
	}
	return true
}

func sameRow(a, b row) bool {
	return bytes.Equal(a.mac, b.mac) && bytes.Equal(encode(nil, &a), encode(nil, &b))
}

// FuzzReadKey: the audit key file reader takes exactly a 32-byte file of
// mode 0600 and refuses anything else (cut short, too long, readable by
// group or others) with an error that shows none of its bytes.
func FuzzReadKey(f *testing.F) {
	f.Add(bytes.Repeat([]byte{1}, keyLen), uint16(0o600))
	f.Add(bytes.Repeat([]byte{2}, keyLen-1), uint16(0o600))
	f.Add(bytes.Repeat([]byte{3}, keyLen+1), uint16(0o600))
	f.Add(bytes.Repeat([]byte{4}, keyLen), uint16(0o640))
	f.Add([]byte{}, uint16(0o400))
	f.Fuzz(func(t *testing.T, content []byte, mode uint16) {
		dir := t.TempDir()
		path := filepath.Join(dir, keyFile)
		perm := os.FileMode(mode) & 0o777
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, perm); err != nil {
			t.Fatal(err)
		}
		key, err := readKey(dir)
		readable := perm&0o400 != 0 || os.Geteuid() == 0
		want := len(content) == keyLen && perm&0o077 == 0 && readable
		switch {
		case want && (err != nil || !bytes.Equal(key, content)):
			t.Fatalf("mode %v, %d bytes: %v", perm, len(content), err)
		case !want && err == nil:
			t.Fatalf("mode %v, %d bytes: accepted", perm, len(content))
		case err != nil && len(content) >= 4 && strings.Contains(err.Error(), string(content)):
			t.Fatalf("error %q shows the key", err)
		}
	})
}
