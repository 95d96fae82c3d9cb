package privacy_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// The guard's hot path, with a plain AES-GCM open in the same run as the
// yardstick: go test -run '^$' -bench . -benchmem ./privacy/

func BenchmarkPlainAESGCMOpen(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	ad := []byte("s_abcdefghijklmnop\x00orders\x00recipient_phone_sealed\x00o1")
	ct := aead.Seal(nil, nonce, []byte("13800138000"), ad)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := aead.Open(nil, nonce, ct, ad); err != nil {
			b.Fatal(err)
		}
	}
}

func benchKernel(b *testing.B) (*privacy.Kernel, minimall.SubjectID, []byte) {
	st := testkit.MustOpenSQLite(b)
	k := mustOpenKernel(b, st)
	s := mustNewSubject(b, k, st)
	return k, s, mustSeal(b, k, s, privacy.RecipientPhone, "o1", "13800138000")
}

// BenchmarkGuardOpenAllowed measures what a request pays for an allowed
// open on warm caches: the checks, the AES-GCM open and queueing the audit
// entry. The audit writer's own work runs on another goroutine; the timer
// stops while it drains every chunk, so the figure is the caller's
// latency. BenchmarkGuardOpenSustained measures the other bound: opens per
// second when every decision must also be written, which is the audit log's
// throughput.
func BenchmarkGuardOpenAllowed(b *testing.B) {
	k, s, sealed := benchKernel(b)
	ctx, me := context.Background(), minimall.ShopperActor(s)
	g := k.Guard()
	g.Open(ctx, me, s, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed) // warm the key cache
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := g.Open(ctx, me, s, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); err != nil {
			b.Fatal(err)
		}
		if i++; i%8192 == 0 {
			b.StopTimer()
			k.AuditFlush(ctx)
			b.StartTimer()
		}
	}
	b.StopTimer()
	k.AuditFlush(ctx)
}

func BenchmarkGuardOpenSustained(b *testing.B) {
	k, s, sealed := benchKernel(b)
	ctx, me := context.Background(), minimall.ShopperActor(s)
	g := k.Guard()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Open(ctx, me, s, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); err != nil {
			b.Fatal(err)
		}
	}
	k.AuditFlush(ctx)
}

func BenchmarkGuardOpenDenied(b *testing.B) {
	k, s, sealed := benchKernel(b)
	ctx, other := context.Background(), minimall.ShopperActor("s_someone_else")
	g := k.Guard()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := g.Open(ctx, other, s, privacy.RecipientPhone, privacy.ForOrder, "o1", sealed); err == nil {
			b.Fatal("allowed")
		}
		if i++; i%8192 == 0 {
			b.StopTimer()
			k.AuditFlush(ctx)
			b.StartTimer()
		}
	}
	b.StopTimer()
	k.AuditFlush(ctx)
}

func BenchmarkConsentCheck(b *testing.B) {
	k, s, _ := benchKernel(b)
	mustGrant(b, k, s, privacy.FeatRecommendation, privacy.General)
	ctx := context.Background()
	scope := privacy.FeatureScope(privacy.FeatRecommendation)
	b.ReportAllocs()
	for b.Loop() {
		st, _, err := k.Consents.State(ctx, s, scope)
		if err != nil || st != privacy.Granted {
			b.Fatal(st, err)
		}
	}
}
