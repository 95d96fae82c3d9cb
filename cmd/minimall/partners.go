package main

import (
	"context"

	"minimall"
)

// openPartners connects the platform to its partners. Until the partner
// gateway and sandboxes are wired, SMS goes nowhere and code-based flows
// answer Unavailable.
func (m *Main) openPartners(ctx context.Context) error {
	m.SMS = noSMS{}
	return nil
}

type noSMS struct{}

func (noSMS) SendSMS(ctx context.Context, s minimall.SubjectID, phone, text, requestID string) error {
	return minimall.Errorf(minimall.Unavailable, "sms", "SMS is not available. 短信服务不可用。")
}
