package privacy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/privacy/internal/audit"
	"minimall/privacy/internal/vault"
)

// Guard is the one door to personal information. Seal stores a value only
// if its field is declared; Open returns plaintext only if the registry
// allows the purpose for the field, the consent it rests on is present and
// current, the person is not erased, and the actor may act for the purpose.
// Every decision, allowed or denied, goes to the audit log.
type Guard struct {
	vault    *vault.Vault
	audit    *audit.Log
	consents *Ledger
	erased   *erasedSet
	minors   *minorSet // children under 14 (minor.go)
	clock    minimall.Clock
	shutdown shutdownFlag // the platform-wide stop of collection (shutdown.go)
	tampered atomic.Int64 // opens refused as tampered since start, for the metric
}

// Decisions recorded in the audit log.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
	DecisionSeal  = "seal"
	DecisionErase = "erase"
)

// aad binds a ciphertext to its subject, table, column and row, so a
// sealed value copied to another row, column or person does not open; for
// a versioned field it binds the row's counter too (version), so an older
// ciphertext copied back into its own cell does not open either.
func aad(s minimall.SubjectID, spec *FieldSpec, row string, version uint64) []byte {
	return appendAAD(make([]byte, 0, len(s)+len(spec.Table)+len(spec.Column)+len(row)+5+binary.MaxVarintLen64), s, spec, row, version)
}

// appendAAD appends the associated data to b; the hot path passes a stack
// buffer, since the vault only copies from it. Version 0 (unversioned, or
// sealed before counters existed) adds nothing, so such values keep the
// associated data they were sealed with.
func appendAAD(b []byte, s minimall.SubjectID, spec *FieldSpec, row string, version uint64) []byte {
	b = append(b, s...)
	b = append(b, 0)
	b = append(b, spec.Table...)
	b = append(b, 0)
	b = append(b, spec.Column...)
	b = append(b, 0)
	b = append(b, row...)
	if version == 0 {
		return b
	}
	return binary.AppendUvarint(append(b, 0, 'v'), version)
}

// FirstVersion is the counter of a versioned field's first seal in a new
// row: Seal and SealRow seal at it; an update seals at the row's counter
// plus one with SealVersion and stores that counter in the same write.
const FirstVersion uint64 = 1

// sealVersion returns the version a plain Seal binds: FirstVersion for a
// versioned field, none for others.
func sealVersion(spec *FieldSpec) uint64 {
	if spec.Versioned {
		return FirstVersion
	}
	return 0
}

// Seal encrypts value of field f for subject s, stored in row. Collection
// that rests on consent needs the consent first (PIPL art. 14); a field the
// policy says stays on the device is refused (policy 二(五)2, 二(七)).
// A versioned field is sealed at FirstVersion, as in a new row.
func (g *Guard) Seal(ctx context.Context, s minimall.SubjectID, f Field, row string, value []byte) ([]byte, error) {
	spec, err := g.sealable(ctx, s, f)
	if err != nil {
		return nil, err
	}
	return g.sealAt(ctx, s, spec, row, sealVersion(spec), value)
}

// SealVersion seals value of the versioned field f, stored in row, bound
// to version: the row's counter plus one, which the caller writes beside
// the sealed value in the same statement (and may require the old counter
// there, so two racing updates cannot both win).
func (g *Guard) SealVersion(ctx context.Context, s minimall.SubjectID, f Field, row string, version uint64, value []byte) ([]byte, error) {
	spec, err := g.sealable(ctx, s, f)
	if err != nil {
		return nil, err
	}
	if !spec.Versioned || version == 0 {
		return nil, fmt.Errorf("privacy: %s sealed at version %d: only a versioned field, at 1 or above", f, version)
	}
	return g.sealAt(ctx, s, spec, row, version, value)
}

func (g *Guard) sealAt(ctx context.Context, s minimall.SubjectID, spec *FieldSpec, row string, version uint64, value []byte) ([]byte, error) {
	f := spec.Field
	sealed, err := g.vault.Seal(ctx, s, aad(s, spec, row, version), value)
	if err != nil {
		return nil, g.vaultError(ctx, minimall.SystemActor("seal"), s, f, "", err)
	}
	g.audit.Record(audit.Entry{At: g.clock.Now(), Actor: "system:seal", Subject: string(s), Field: string(f), Decision: DecisionSeal, Ref: row})
	return sealed, nil
}

// SealRow seals the values of one row of subject s, each as Seal would,
// and records one audit entry for the row, naming the fields sealed
// (comma-separated), instead of one per field: an order seals a dozen
// values at once. An empty value is an optional one not given: it is not
// sealed and has no entry in the result. The first refusal is returned,
// audited, and nothing is sealed for the row.
func (g *Guard) SealRow(ctx context.Context, s minimall.SubjectID, row string, values map[Field]string) (map[Field][]byte, error) {
	fields := make([]Field, 0, len(values))
	for f, v := range values {
		if v != "" {
			fields = append(fields, f)
		}
	}
	slices.Sort(fields)
	specs := make([]*FieldSpec, len(fields))
	for i, f := range fields {
		spec, err := g.sealable(ctx, s, f)
		if err != nil {
			return nil, err
		}
		specs[i] = spec
	}
	out := make(map[Field][]byte, len(fields))
	names := make([]string, len(fields))
	for i, f := range fields {
		sealed, err := g.vault.Seal(ctx, s, aad(s, specs[i], row, sealVersion(specs[i])), []byte(values[f]))
		if err != nil {
			return nil, g.vaultError(ctx, minimall.SystemActor("seal"), s, f, "", err)
		}
		out[f], names[i] = sealed, string(f)
	}
	if len(names) > 0 {
		g.audit.Record(audit.Entry{At: g.clock.Now(), Actor: "system:seal", Subject: string(s), Field: strings.Join(names, ","), Decision: DecisionSeal, Ref: row})
	}
	return out, nil
}

// SealRetained seals a transaction record under the subject's retention key
// for the period the transaction completed in, so it outlives account
// deletion for exactly as long as E-commerce Law art. 31 requires.
func (g *Guard) SealRetained(ctx context.Context, s minimall.SubjectID, f Field, row string, completed time.Time, value []byte) ([]byte, error) {
	spec, err := g.sealable(ctx, s, f)
	if err != nil {
		return nil, err
	}
	if spec.Retention.Rule != AfterCompletion {
		return nil, fmt.Errorf("privacy: %s is not a transaction record", f)
	}
	sealed, err := g.vault.SealRetained(ctx, s, RetentionPeriod(completed), aad(s, spec, row, sealVersion(spec)), value)
	if err != nil {
		return nil, g.vaultError(ctx, minimall.SystemActor("seal"), s, f, "", err)
	}
	g.audit.Record(audit.Entry{At: g.clock.Now(), Actor: "system:seal", Subject: string(s), Field: string(f), Decision: DecisionSeal, Reason: "retained", Ref: row})
	return sealed, nil
}

// RetentionPeriod names the completion period a retention key covers: one
// calendar month (UTC). A record completed in month M is destroyed when the
// whole of M is past its retention period, so no record is kept less long
// than the law requires and none more than a month longer.
func RetentionPeriod(completed time.Time) string { return completed.UTC().Format("2006-01") }

func (g *Guard) sealable(ctx context.Context, s minimall.SubjectID, f Field) (*FieldSpec, error) {
	spec, ok := specs[f]
	if !ok {
		return nil, g.deny(ctx, minimall.SystemActor("seal"), s, f, "", UnknownField)
	}
	if spec.Retention.Rule == NotStored || spec.Table == "" {
		return nil, g.deny(ctx, minimall.SystemActor("seal"), s, f, "", NotCollected)
	}
	if err := g.shutdownRefusal(ctx, s, f); err != nil {
		return nil, err
	}
	if r := g.minorSealReason(s, spec); r != "" {
		return nil, g.deny(ctx, minimall.SystemActor("seal"), s, f, "", r)
	}
	if spec.Basis.NeedsConsent() {
		if r := g.consentReason(ctx, s, spec.Feature, spec.Basis); r != "" {
			return nil, g.deny(ctx, minimall.SystemActor("seal"), s, f, "", r)
		}
	}
	if g.erased.has(s) {
		return nil, g.deny(ctx, minimall.SystemActor("seal"), s, f, "", SubjectErased)
	}
	return spec, nil
}

// Open decrypts a sealed value of field f for subject s, stored in row,
// for purpose p on behalf of actor a. A versioned field is opened with
// OpenVersion.
func (g *Guard) Open(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, row string, sealed []byte) ([]byte, error) {
	return g.OpenVersion(ctx, a, s, f, p, row, 0, sealed)
}

// OpenVersion is Open for a versioned field whose row's counter is
// version (0: sealed before counters existed and not written since). A
// ciphertext sealed at another version is refused as tampered: an older
// value written back into the cell.
func (g *Guard) OpenVersion(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, row string, version uint64, sealed []byte) ([]byte, error) {
	spec, err := g.check(ctx, a, s, f, p)
	if err != nil {
		return nil, err
	}
	plain, err := g.open(ctx, a, s, spec, p, row, version, sealed)
	if err != nil {
		return nil, err
	}
	if err := g.allow(ctx, a, s, f, p, "", row); err != nil {
		return nil, err
	}
	return plain, nil
}

// OpenString is Open for text values.
func (g *Guard) OpenString(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, row string, sealed []byte) (string, error) {
	b, err := g.Open(ctx, a, s, f, p, row, sealed)
	return string(b), err
}

// OpenVersionString is OpenVersion for text values.
func (g *Guard) OpenVersionString(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, row string, version uint64, sealed []byte) (string, error) {
	b, err := g.OpenVersion(ctx, a, s, f, p, row, version, sealed)
	return string(b), err
}

// Check answers whether actor a may process field f of subject s for
// purpose p now, without opening anything; the decision is audited. Used
// before handing data that is not sealed (aggregates, pseudonyms) onward.
func (g *Guard) Check(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose) error {
	if _, err := g.check(ctx, a, s, f, p); err != nil {
		return err
	}
	return g.allow(ctx, a, s, f, p, "check", "")
}

func (g *Guard) open(ctx context.Context, a minimall.Actor, s minimall.SubjectID, spec *FieldSpec, p Purpose, row string, version uint64, sealed []byte) ([]byte, error) {
	if version != 0 && !spec.Versioned {
		return nil, fmt.Errorf("privacy: %s is not versioned, opened at version %d", spec.Field, version)
	}
	var buf [112]byte
	plain, kind, err := g.vault.Open(ctx, s, appendAAD(buf[:0], s, spec, row, version), sealed)
	if err != nil {
		return nil, g.vaultError(ctx, a, s, spec.Field, p, err)
	}
	// After deregistration a transaction record lives on under its
	// retention key, readable only for the legal duty (E-commerce Law art. 31).
	if kind == vault.Retention && p != ForLegalDuty && g.erased.has(s) {
		return nil, g.deny(ctx, a, s, spec.Field, p, RetentionOnly)
	}
	return plain, nil
}

// check applies every rule that does not need the sealed value.
func (g *Guard) check(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose) (*FieldSpec, error) {
	spec, ok := specs[f]
	if !ok {
		return nil, g.deny(ctx, a, s, f, p, UnknownField)
	}
	use, ok := spec.Allows(p)
	if !ok {
		return nil, g.deny(ctx, a, s, f, p, PurposeNotAllowed)
	}
	if r := actorReason(a, s, spec, p); r != "" {
		return nil, g.deny(ctx, a, s, f, p, r)
	}
	if g.erased.has(s) && spec.Retention.Rule != AfterCompletion {
		return nil, g.deny(ctx, a, s, f, p, SubjectErased)
	}
	if use.Basis.NeedsConsent() {
		if r := g.consentReason(ctx, s, purposeIndex[p].Feature, use.Basis); r != "" {
			return nil, g.deny(ctx, a, s, f, p, r)
		}
	}
	return spec, nil
}

// actorReason returns why a may not act for p on s's field, or "".
func actorReason(a minimall.Actor, s minimall.SubjectID, spec *FieldSpec, p Purpose) Reason {
	public := spec.Visibility == PublicDisplay && p == ForPublicDisplay
	switch a.Kind {
	case minimall.System:
		return ""
	case minimall.Shopper:
		if a.Subject == s || public {
			return ""
		}
	case minimall.Anonymous:
		if public {
			return ""
		}
	case minimall.Guardian:
		// A child's guardian sees the child's data only through a rights
		// request for that child (七); the rights area proved who they are.
		if a.Subject == s && p == ForRightsRequest {
			return ""
		}
	case minimall.Seller:
		// A seller sees only what shipping and after-sales need (policy
		// 三(五)1); the order service checks the order is the shop's.
		if public || p == ForDelivery || p == ForCustomerService {
			return ""
		}
	case minimall.Operator:
		if !ValidAccessReason(a.Reason) {
			return ReasonMissing
		}
		if public || RoleMayActFor(a.Role, p) {
			return ""
		}
	}
	return ActorNotAllowed
}

// consentReason returns why the consent for feature is not in force, or "".
func (g *Guard) consentReason(ctx context.Context, s minimall.SubjectID, feature FeatureID, basis Basis) Reason {
	state, rec, err := g.consents.State(ctx, s, FeatureScope(feature))
	if err != nil {
		return ConsentMissing // fail closed
	}
	switch state {
	case NeverAsked:
		return ConsentMissing
	case Withdrawn:
		return ConsentWithdrawn
	case Outdated:
		return ConsentOutdated
	}
	if basis == SeparateConsent && rec.Kind == General {
		return ConsentMissing
	}
	return g.minorConsentReason(s, rec)
}

func (g *Guard) vaultError(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, err error) error {
	switch {
	case errors.Is(err, vault.ErrErased):
		return g.deny(ctx, a, s, f, p, SubjectErased)
	case errors.Is(err, vault.ErrTampered), errors.Is(err, vault.ErrMalformed), errors.Is(err, vault.ErrNoKey):
		g.tampered.Add(1)
		g.record(a, s, f, p, DecisionDeny, string(Tampered), "")
		return &Denied{Field: f, Purpose: p, Reason: Tampered}
	}
	return fmt.Errorf("privacy: vault: %w", err)
}

// deny records a denial and returns it.
func (g *Guard) deny(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, r Reason) error {
	g.record(a, s, f, p, DecisionDeny, string(r), "")
	return &Denied{Field: f, Purpose: p, Reason: r}
}

// record queues an audit entry. It may return before the entry is durable,
// within the audit log's stated bound (audit.Options.MaxDelay, the store's
// linger for writes behind, and one batch write); an explicit
// Kernel.AuditAppend waits for durability.
// allow audits an allowed access. When someone other than the person
// themselves is given the person's data (witnessed), it returns only once
// the entry is durable: nothing an operator, a seller or a partner sees is
// missing from the log, even if the server dies at the next instant. The
// person's own reads, and the platform's own processing, stay batched
// within Record's bound.
func (g *Guard) allow(ctx context.Context, a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, reason, row string) error {
	if !witnessed(a, s) {
		g.record(a, s, f, p, DecisionAllow, reason, row)
		return nil
	}
	_, err := g.audit.Append(ctx, audit.Entry{
		Who: a, Subject: string(s), Field: string(f), Purpose: string(p),
		Decision: DecisionAllow, Reason: reason, Ref: joinRef(a.Reason, row),
	})
	if err != nil {
		return fmt.Errorf("privacy: audit an access: %w", err)
	}
	return nil
}

// witnessed reports whether a's access to s's data hands it to someone
// other than the person: an operator, a seller, a partner calling back,
// or another shopper. The platform's own processes (System) act for the
// person's functions and hand nothing to anyone; a visitor (Anonymous) is
// only ever shown what the person made public.
func witnessed(a minimall.Actor, s minimall.SubjectID) bool {
	switch a.Kind {
	case minimall.Operator, minimall.Seller, minimall.Partner, minimall.Guardian:
		return true
	case minimall.Shopper:
		return a.Subject != s
	}
	return false
}

func (g *Guard) record(a minimall.Actor, s minimall.SubjectID, f Field, p Purpose, decision, reason, row string) {
	// No time and no actor name here: the writer stamps the entry when it
	// takes it, within Record's durability bound, and names the actor.
	g.audit.Record(audit.Entry{
		Who: a, Subject: string(s), Field: string(f), Purpose: string(p),
		Decision: decision, Reason: reason, Ref: joinRef(a.Reason, row),
	})
}

func joinRef(reason, row string) string {
	switch {
	case reason == "":
		return row
	case row == "":
		return reason
	}
	return reason + " " + row
}
