package vault_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"minimall"
	"minimall/internal/testkit"
)

// The benchmarks run on SQLite: the hot paths never touch the key store.

func benchSeal(b *testing.B, size int) {
	v := MustOpenVault(b, testkit.MustOpenSQLite(b))
	s := minimall.NewSubjectID()
	aad, plain := []byte(string(s)+"|orders|recipient_address|o_123456"), bytes.Repeat([]byte("x"), size)
	MustSeal(b, v, s, "", "") // create the key outside the loop
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Seal(context.Background(), s, aad, plain); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSeal64B(b *testing.B)  { benchSeal(b, 64) }
func BenchmarkSeal1KiB(b *testing.B) { benchSeal(b, 1024) }

// BenchmarkOpenWarm opens a 64-byte value whose key is cached: the cost
// the guard adds to every read of personal information.
func BenchmarkOpenWarm(b *testing.B) {
	v := MustOpenVault(b, testkit.MustOpenSQLite(b))
	s := minimall.NewSubjectID()
	aad := []byte(string(s) + "|orders|recipient_phone|o_123456")
	blob, err := v.Seal(context.Background(), s, aad, bytes.Repeat([]byte("x"), 64))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.Open(context.Background(), s, aad, blob); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainAESGCMOpen is the yardstick for BenchmarkOpenWarm: an AEAD
// built once, opening a 64-byte value into a fresh slice.
func BenchmarkPlainAESGCMOpen(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, 12)
	aad := []byte("s_abcdefghijklmnop|orders|recipient_phone|o_123456")
	ct := aead.Seal(nil, nonce, bytes.Repeat([]byte("x"), 64), aad)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aead.Open(nil, nonce, ct, aad); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewSubjectKey creates, wraps and stores a subject's first key.
func BenchmarkNewSubjectKey(b *testing.B) {
	v := MustOpenVault(b, testkit.MustOpenSQLite(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Seal(context.Background(), minimall.NewSubjectID(), nil, []byte("x")); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPseudonym(b *testing.B) {
	v := MustOpenVault(b, testkit.MustOpenSQLite(b))
	s := minimall.NewSubjectID()
	MustPseudonym(b, v, s, "ads")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Pseudonym(context.Background(), s, "ads"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBlindIndex(b *testing.B) {
	v := MustOpenVault(b, testkit.MustOpenSQLite(b))
	b.ReportAllocs()
	for b.Loop() {
		v.BlindIndex("account_phone", []byte("13800138000"))
	}
}

// BenchmarkOpenWarmParallel checks the cache's read lock under contention.
func BenchmarkOpenWarmParallel(b *testing.B) {
	v := MustOpenVault(b, testkit.MustOpenSQLite(b))
	s := minimall.NewSubjectID()
	blob := MustSeal(b, v, s, "a", string(bytes.Repeat([]byte("x"), 64)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := v.Open(context.Background(), s, []byte("a"), blob); err != nil {
				b.Fatal(err)
			}
		}
	})
}
