package vault

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"minimall/sqldb"
)

// Lookup is the kind of a lookup key: one per blind-index purpose and
// generation, wrapped by the master key in the key store like a subject
// key (so master rotation rewraps it), under no subject. Its period names
// the purpose and the generation, "account.phone@2".
const Lookup KeyKind = "lookup"

const lookupInfo = "minimall/vault lookup v1\x00"

// lookupGen is one purpose's current lookup key. Generation 0 is the
// legacy lookup.key, shared by every purpose that has no key of its own
// yet (indexes made before lookup keys were per purpose).
type lookupGen struct {
	gen int
	mac []byte // NB: key material; never log
}

// lookupPeriod names a purpose's generation in the key store.
func lookupPeriod(purpose string, gen int) string { return purpose + "@" + strconv.Itoa(gen) }

func parseLookupPeriod(p string) (string, int, bool) {
	i := strings.LastIndexByte(p, '@')
	if i <= 0 {
		return "", 0, false
	}
	gen, err := strconv.Atoi(p[i+1:])
	return p[:i], gen, err == nil && gen > 0
}

// loadLegacyLookup reads lookup.key if it is there. It is not created any
// more: a new key store gives each purpose a key of its own.
func (v *Vault) loadLegacyLookup() error {
	keys, _, err := readKeyFile(filepath.Join(v.dir, lookupFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	v.legacyLookup = keys[len(keys)-1].key
	return nil
}

// PrepareLookups loads the current lookup key of each purpose. A purpose
// without a key of its own keeps the legacy lookup.key (its indexes were
// made with it) until RotateLookup gives it one; on a key store without
// lookup.key it gets its first key now. A missing lookup.key over a key
// store that holds subject keys is refused: its indexes would stop
// matching; restore it from the key backup.
func (v *Vault) PrepareLookups(ctx context.Context, purposes []string) error {
	const op = "vault.PrepareLookups"
	gens, err := v.loadLookupGens(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	for _, p := range purposes {
		if _, ok := gens[p]; ok {
			continue
		}
		if v.legacyLookup != nil {
			gens[p] = lookupGen{gen: 0, mac: v.legacyLookup}
			continue
		}
		if found, err := anySubjectKeys(ctx, v.keys); err != nil || found {
			if err == nil {
				err = fmt.Errorf("%s is missing but the key store holds keys and %q has no lookup key of its own; restore it from the key backup", filepath.Join(v.dir, lookupFile), p)
			}
			return fmt.Errorf("%s: %w", op, err)
		}
		if gens[p], err = v.newLookupGen(ctx, p, 1); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	v.lookups.Store(&gens)
	return nil
}

// loadLookupGens returns the newest generation of each purpose in the key
// store.
func (v *Vault) loadLookupGens(ctx context.Context) (map[string]lookupGen, error) {
	rows, err := findLookupKeys(ctx, v.keys)
	if err != nil {
		return nil, err
	}
	gens := map[string]lookupGen{}
	for _, r := range rows {
		p, gen, ok := parseLookupPeriod(r.slot.period)
		if !ok || gen <= gens[p].gen {
			continue
		}
		mac, err := v.unwrapLookup(r, p)
		if err != nil {
			return nil, err
		}
		gens[p] = lookupGen{gen: gen, mac: mac}
	}
	return gens, nil
}

func (v *Vault) unwrapLookup(r keyRow, purpose string) ([]byte, error) {
	ring, err := v.ringWith(r.masterID)
	if err != nil {
		return nil, err
	}
	raw, err := unwrap(ring, r) // NB: key material; never log
	if err != nil {
		return nil, err
	}
	defer clear(raw)
	return lookupMAC(raw, purpose)
}

// lookupMAC derives the purpose's HMAC key from its key-store entry, so a
// key can only ever serve the purpose it was made for.
func lookupMAC(raw []byte, purpose string) ([]byte, error) {
	return hkdf.Key(sha256.New, raw, nil, lookupInfo+purpose, keyLen)
}

// newLookupGen makes, wraps and stores generation gen of purpose; if
// another process stored it first, theirs is used.
func (v *Vault) newLookupGen(ctx context.Context, purpose string, gen int) (lookupGen, error) {
	raw := make([]byte, keyLen) // NB: key material; never log
	defer clear(raw)
	rand.Read(raw)
	v.wrapMu.RLock()
	defer v.wrapMu.RUnlock()
	ring, err := v.freshRing()
	if err != nil {
		return lookupGen{}, err
	}
	r := keyRow{id: newKeyID(), slot: keySlot{kind: Lookup, period: lookupPeriod(purpose, gen)}, masterID: ring.current().id}
	if r.wrapped, err = wrap(ring, r, raw); err != nil {
		return lookupGen{}, err
	}
	if err := v.inTx(ctx, func(tx *sqldb.Tx) error { return insertKey(ctx, tx, r) }); err != nil {
		return v.storedLookupGen(ctx, purpose, gen, err)
	}
	mac, err := lookupMAC(raw, purpose)
	return lookupGen{gen: gen, mac: mac}, err
}

// storedLookupGen reads generation gen of purpose after an insert of it
// failed: a lost race is fine, anything else is insertErr.
func (v *Vault) storedLookupGen(ctx context.Context, purpose string, gen int, insertErr error) (lookupGen, error) {
	r, err := findKeyBySlot(ctx, v.keys, keySlot{kind: Lookup, period: lookupPeriod(purpose, gen)})
	if err != nil {
		return lookupGen{}, insertErr
	}
	mac, err := v.unwrapLookup(r, purpose)
	return lookupGen{gen: gen, mac: mac}, err
}

// currentLookup returns purpose's current key. A purpose the kernel did
// not prepare is a programming error, like an undeclared table.
func (v *Vault) currentLookup(purpose string) lookupGen {
	if m := v.lookups.Load(); m != nil {
		if g, ok := (*m)[purpose]; ok {
			return g
		}
	}
	panic("vault: lookup purpose " + purpose + " was not prepared (privacy.LookupFields)")
}

// LookupGeneration returns the generation of purpose's current lookup key
// (0: the legacy lookup.key).
func (v *Vault) LookupGeneration(purpose string) int { return v.currentLookup(purpose).gen }

// AddLookupGeneration is step 1 of a lookup-key rotation: a new key for
// purpose, made current in this process at once, so indexes written from
// now on use it. The older keys stay in the key store until RetireLookups.
func (v *Vault) AddLookupGeneration(ctx context.Context, purpose string) (int, error) {
	const op = "vault.AddLookupGeneration"
	v.rotateMu.Lock()
	defer v.rotateMu.Unlock()
	gens, err := v.loadLookupGens(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	g, err := v.newLookupGen(ctx, purpose, gens[purpose].gen+1)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	next := map[string]lookupGen{}
	if m := v.lookups.Load(); m != nil {
		for p, x := range *m {
			next[p] = x
		}
	}
	next[purpose] = g
	v.lookups.Store(&next)
	return g.gen, nil
}

// RetireLookups is the last step of a rotation, once every stored index
// of purpose was made anew: it deletes purpose's older keys from the key
// store and, when no prepared purpose still uses it, lookup.key. It
// returns how many keys it destroyed.
func (v *Vault) RetireLookups(ctx context.Context, purpose string) (int, error) {
	const op = "vault.RetireLookups"
	v.rotateMu.Lock()
	defer v.rotateMu.Unlock()
	cur := v.currentLookup(purpose)
	if cur.gen == 0 {
		return 0, fmt.Errorf("%s: %s has no key of its own yet", op, purpose)
	}
	var n int64
	err := v.inTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		n, err = deleteOlderLookups(ctx, tx, purpose, cur.gen)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", op, err)
	}
	if v.legacyLookup != nil && !v.legacyInUse() {
		if err := v.removeLegacyLookup(); err != nil {
			return int(n), fmt.Errorf("%s: %w", op, err)
		}
		n++
	}
	return int(n), nil
}

func (v *Vault) legacyInUse() bool {
	for _, g := range *v.lookups.Load() {
		if g.gen == 0 {
			return true
		}
	}
	return false
}

// removeLegacyLookup deletes lookup.key once no purpose needs it. Its
// bytes may linger in free disk blocks; the keys folder belongs on an
// encrypted volume for that reason.
func (v *Vault) removeLegacyLookup() error {
	if err := os.Remove(filepath.Join(v.dir, lookupFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	clear(v.legacyLookup)
	v.legacyLookup = nil
	return syncDir(v.dir)
}

// inTx runs fn in one key-store transaction.
func (v *Vault) inTx(ctx context.Context, fn func(tx *sqldb.Tx) error) error {
	tx, err := v.keys.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// findLookupKeys returns every lookup key in the key store.
func findLookupKeys(ctx context.Context, q querier) ([]keyRow, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+keyColumns+` FROM subject_keys WHERE kind = ?`, string(Lookup))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []keyRow
	for rows.Next() {
		r, err := scanKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// deleteOlderLookups destroys purpose's lookup keys older than gen.
func deleteOlderLookups(ctx context.Context, tx *sqldb.Tx, purpose string, gen int) (int64, error) {
	rows, err := findLookupKeys(ctx, tx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, r := range rows {
		p, g, ok := parseLookupPeriod(r.slot.period)
		if !ok || p != purpose || g >= gen {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subject_keys WHERE id = ?`, r.id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// anySubjectKeys reports whether the key store holds a key of any person.
func anySubjectKeys(ctx context.Context, q querier) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM subject_keys WHERE kind <> ? LIMIT 1`, string(Lookup))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	return found, rows.Err()
}
