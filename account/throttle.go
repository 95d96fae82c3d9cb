package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minimall"
	"minimall/sqldb"
)

// Sign-in throttling (policy 五(三)4: guessing is stopped). Wrong
// passwords are counted per typed phone number or member name and client,
// and per typed name from every client; past Config.ThrottleAfter (or
// ThrottleAfterAll) each wrong password makes the next password try wait,
// doubling up to ThrottleDelayMax. Nothing locks: a code texted to the
// account's phone signs in at any time and ends the wait, so a stranger
// who types someone's name cannot keep them out.
//
// The counters are keyed by what was typed (its blind index), not by
// account, and are kept the same way whether or not an account answers to
// the name, so the answers never tell who is registered. (An account
// answers to its phone and its member name, each throttled on its own: a
// guesser gets the allowance twice, but cannot learn that a name and a
// number belong together by throttling one and trying the other.)

// throttleMemory is how long a counter remembers: a day after its last
// wrong password it starts again from nothing.
const throttleMemory = 24 * time.Hour

// allClients is the client_key of the counter of every client; a client
// key from the transport is a hex hash, never this.
const allClients = "*"

// ErrThrottled is the cause of the refusal while a wait runs; pages test
// for it (errors.Is) to offer the code sign-in.
var ErrThrottled = errors.New("password tries wait after wrong passwords")

// errThrottled is the answer while a wait runs: one wording for every
// name, the wait rounded up to whole seconds.
func errThrottled(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &minimall.Error{Code: minimall.TooMany, Op: "account.Login", Err: ErrThrottled, RetryAfter: time.Duration(secs) * time.Second,
		Message: fmt.Sprintf("Too many wrong passwords: try the password again in %d seconds, or sign in now with a code texted to your phone. 密码错误次数过多：请 %d 秒后再试密码，或立即使用短信验证码登录。", secs, secs)}
}

// throttleWait returns how long a password try for nameKey from client
// must still wait; zero when it may go ahead.
func (s *Service) throttleWait(ctx context.Context, nameKey []byte, client string) (time.Duration, error) {
	var until int64
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(blocked_until), 0) FROM login_throttle WHERE name_key = ? AND client_key IN (?, ?)`,
		nameKey, client, allClients).Scan(&until)
	if err != nil {
		return 0, sqldb.FormatError("account.Login", err)
	}
	if until == 0 {
		return 0, nil
	}
	return max(sqldb.FromMicros(until).Sub(s.db.Now()), 0), nil
}

// throttleStart is a counter that began to make tries wait.
type throttleStart struct {
	all      bool // the counter of every client, not one
	failures int
	wait     time.Duration
}

// countFailure counts a wrong password for nameKey from client on both
// counters and sets each one's wait. It returns the counters whose waits
// began with this failure, for the decision record.
func (s *Service) countFailure(ctx context.Context, nameKey []byte, client string) ([]throttleStart, error) {
	var started []throttleStart
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		started = started[:0]
		for _, c := range []struct {
			key  string
			free int
		}{{client, s.cfg.ThrottleAfter}, {allClients, s.cfg.ThrottleAfterAll}} {
			n, err := bumpFailures(ctx, tx, nameKey, c.key)
			if err != nil {
				return err
			}
			wait := s.cfg.delayAfter(n, c.free)
			if wait == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET blocked_until = ? WHERE name_key = ? AND client_key = ?`,
				sqldb.Micros(tx.Now().Add(wait)), nameKey, c.key); err != nil {
				return sqldb.FormatError("account.Login", err)
			}
			if n == c.free {
				started = append(started, throttleStart{all: c.key == allClients, failures: n, wait: wait})
			}
		}
		return nil
	})
	return started, err
}

// bumpFailures adds one wrong password to a counter, starting it again
// when it has been quiet for throttleMemory, and returns its count.
func bumpFailures(ctx context.Context, tx *sqldb.Tx, nameKey []byte, client string) (int, error) {
	now := tx.Now()
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO login_throttle (name_key, client_key, failures, blocked_until, last_failed_at) VALUES (?, ?, 1, 0, ?)
		ON CONFLICT (name_key, client_key) DO UPDATE SET
			failures = CASE WHEN login_throttle.last_failed_at < ? THEN 1 ELSE login_throttle.failures + 1 END,
			last_failed_at = excluded.last_failed_at
		RETURNING failures`, nameKey, client, sqldb.Micros(now), sqldb.Micros(now.Add(-throttleMemory))).Scan(&n)
	return n, sqldb.FormatError("account.Login", err)
}

// delayAfter is the wait after the n-th wrong password of a counter that
// lets free go by: ThrottleDelay at the free-th, doubling with each one
// after it, at most ThrottleDelayMax. A free of zero turns the counter off.
func (c Config) delayAfter(n, free int) time.Duration {
	if free <= 0 || n < free || c.ThrottleDelay <= 0 {
		return 0
	}
	d := c.ThrottleDelay
	for i := free; i < n && d < c.ThrottleDelayMax; i++ {
		d *= 2
	}
	if c.ThrottleDelayMax > 0 {
		d = min(d, c.ThrottleDelayMax)
	}
	return d
}

// clearThrottle forgets the wrong passwords typed for an account's phone
// number and member name (their blind indexes) from client, and from
// every client together, once the holder signed in from there. Other
// clients' counters stay: a guesser elsewhere gets no fresh allowance
// each time the holder signs in. It writes only when there is something
// to forget, so an ordinary sign-in stays a read.
func (s *Service) clearThrottle(ctx context.Context, phoneKey, nameKey []byte, client string) error {
	const op = "account.Login"
	const where = ` FROM login_throttle WHERE name_key IN (?, ?) AND client_key IN (?, ?)`
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+where, phoneKey, nameKey, client, allClients).Scan(&n); err != nil {
		return sqldb.FormatError(op, err)
	}
	if n == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `DELETE`+where, phoneKey, nameKey, client, allClients)
	return sqldb.FormatError(op, err)
}

// clearThrottleTx forgets every counter of the subject's phone number and
// member name, from every client, in tx: after an unlock or a recovery
// proved the phone, or an appeal overturned the throttling.
func clearThrottleTx(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE name_key IN
		(SELECT phone_index FROM accounts WHERE subject = ? UNION SELECT member_name_index FROM accounts WHERE subject = ?)`,
		string(subject), string(subject))
	return sqldb.FormatError("account.clearThrottle", err)
}
