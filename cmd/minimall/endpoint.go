package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"minimall/partner"
	"minimall/privacy"
)

// endpointFile is how a partner running in a process of its own (the
// payment sandbox in the crash test, say) tells serve where it listens and
// the keys of the channel to it. It holds secrets: mode 0600.
type endpointFile struct {
	URL       string `json:"url"`
	SignKey   string `json:"sign_key"`   // hex; signs minimall's requests
	VerifyKey string `json:"verify_key"` // hex; checks the partner's answers and callbacks
}

// partnerEndpoints returns the endpoints of the sandboxes serve started,
// with the payment partner's replaced by the one in --payment-endpoint
// (and its own payment sandbox stopped) when that is set.
func (m *Main) partnerEndpoints() (map[privacy.PartnerID]partner.Endpoint, error) {
	eps := m.Sandboxes.Endpoints()
	if m.Config.PaymentEndpoint == "" {
		return eps, nil
	}
	ep, err := readEndpoint(m.Config.PaymentEndpoint)
	if err != nil {
		return nil, err
	}
	if m.Sandboxes.Payment != nil {
		m.Sandboxes.Payment.Close()
		m.Sandboxes.Payment = nil
	}
	eps[privacy.PartnerPayment] = ep
	return eps, nil
}

// readEndpoint reads an endpoint file, refusing one others may read.
func readEndpoint(path string) (partner.Endpoint, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return partner.Endpoint{}, fmt.Errorf("payment endpoint: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return partner.Endpoint{}, fmt.Errorf("payment endpoint %s is readable by others (%v): it holds keys; chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return partner.Endpoint{}, fmt.Errorf("payment endpoint: %w", err)
	}
	var f endpointFile
	if err := json.Unmarshal(b, &f); err != nil {
		return partner.Endpoint{}, fmt.Errorf("payment endpoint %s: %w", path, err)
	}
	sign, err1 := hex.DecodeString(f.SignKey)
	verify, err2 := hex.DecodeString(f.VerifyKey)
	if err1 != nil || err2 != nil || len(sign) == 0 || len(verify) == 0 || f.URL == "" {
		return partner.Endpoint{}, fmt.Errorf("payment endpoint %s: want url, sign_key and verify_key (hex)", path)
	}
	return partner.Endpoint{URL: f.URL, SignKey: sign, VerifyKey: verify}, nil
}
