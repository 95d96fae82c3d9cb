package http

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProblemClientGone: when the client has gone, an error caused by the
// cancelled request is not logged as an internal error.
func TestProblemClientGone(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := httptest.NewRecorder()
	s.problem(w, httptest.NewRequest("POST", "/x", nil).WithContext(ctx), context.Canceled)
	if w.Code != 499 || strings.Contains(logs.String(), "internal error") {
		t.Fatalf("client gone: status %d, logs %s", w.Code, logs.String())
	}
	w = httptest.NewRecorder()
	s.problem(w, httptest.NewRequest("POST", "/x", nil), errors.New("disk on fire"))
	if w.Code != 500 || !strings.Contains(logs.String(), "internal error") {
		t.Fatalf("internal: status %d, logs %s", w.Code, logs.String())
	}
}
