package seed

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"minimall"
	"minimall/account"
	"minimall/privacy"
)

// Seeded shoppers are numbered from 1. Their member name, phone number
// and password are derived from the number, so a load tool signs them in
// through the real login path knowing only the number:
//
//	member name shopper000042, phone 13900000042, password seedpw-000042
//
// NB: these accounts exist for demos and benchmarks only; anyone who reads
// this comment knows their passwords.
func MemberName(i int) string { return fmt.Sprintf("shopper%06d", i) }

// Phone returns seeded shopper i's phone number.
func Phone(i int) string { return fmt.Sprintf("139%08d", i) }

// Password returns seeded shopper i's password: "seedpw-" and the digits
// of the member name (a password may not contain the member name itself).
func Password(i int) string { return fmt.Sprintf("seedpw-%06d", i) }

// PasswordFor derives the password from a seeded member name.
func PasswordFor(memberName string) string {
	return "seedpw-" + strings.TrimPrefix(memberName, "shopper")
}

// CodeCatcher is an account.Sender that keeps the last one-time code sent
// to each phone in memory instead of texting it, so seeding registers
// accounts through account.Service's real path without an SMS partner.
type CodeCatcher struct {
	mu    sync.Mutex
	codes map[string]string
}

// SendSMS keeps the code in the text.
func (c *CodeCatcher) SendSMS(_ context.Context, _ minimall.SubjectID, phone, text string, _ privacy.Purpose, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.codes == nil {
		c.codes = map[string]string{}
	}
	for _, f := range strings.Fields(text) {
		if len(f) >= 6 && strings.Trim(f[:6], "0123456789") == "" {
			c.codes[phone] = f[:6]
			break
		}
	}
	return nil
}

// take returns and forgets the code sent to phone.
func (c *CodeCatcher) take(phone string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	code := c.codes[phone]
	delete(c.codes, phone)
	return code
}

// Users registers seeded shoppers first..first+n-1 through acc, which must
// send its codes to catcher. Shoppers that exist already are skipped and
// not counted. Password hashing cost is acc's: see cmd/minimall/seed.go.
func Users(ctx context.Context, acc *account.Service, catcher *CodeCatcher, policyVersion, first, n int, progress func(done, total int)) (int, error) {
	created := 0
	for i := first; i < first+n; i++ {
		if err := ctx.Err(); err != nil {
			return created, err
		}
		phone := Phone(i)
		if _, err := acc.SendCode(ctx, account.CodeRequest{Phone: phone, Purpose: account.CodeRegister}, fmt.Sprintf("seed-%d", i), "seed"); err != nil {
			return created, fmt.Errorf("seed user %d: %w", i, err)
		}
		_, err := acc.Register(ctx, account.RegisterRequest{Phone: phone, Code: catcher.take(phone), MemberName: MemberName(i),
			Password: Password(i), AcceptPolicyVersion: policyVersion}, "seed")
		switch {
		case err == nil:
			created++
		case minimall.IsCode(err, minimall.Conflict):
		default:
			return created, fmt.Errorf("seed user %d: %w", i, err)
		}
		if progress != nil {
			progress(i-first+1, n)
		}
	}
	return created, nil
}
