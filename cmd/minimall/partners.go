package main

import (
	"context"
	"fmt"

	"minimall/partner"
	"minimall/partner/sandbox"
)

// openPartners starts the sandbox partners (SMS, identity authority,
// carrier, payment) on their own loopback ports, their records in the
// sandbox folder, and the gateway that is the only way to reach them.
func (m *Main) openPartners(ctx context.Context) error {
	set, err := sandbox.StartAll(m.Config.SandboxDir)
	if err != nil {
		return fmt.Errorf("start sandbox partners: %w", err)
	}
	m.Sandboxes = set
	m.closers = append(m.closers, set.Close)
	m.Partners = partner.NewGateway(m.DB, m.Kernel, set.Endpoints(), nil)
	m.SMS = partner.SMS{Gateway: m.Partners}
	return nil
}
