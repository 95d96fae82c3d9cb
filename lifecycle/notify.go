package lifecycle

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"minimall"
	"minimall/sqldb"
)

// Notify delivers one notice of kind, with a title and body decided at run
// time (an incident's), to each of subjects in the message centre, each at
// most once. The texts must name no one: every recipient reads the same
// words. Returns how many notices were new.
//
// Returns Invalid for an empty kind or text.
func (s *Service) Notify(ctx context.Context, kind, title, body string, subjects []minimall.SubjectID) (int, error) {
	const op = "lifecycle.Notify"
	if err := s.noticeText(ctx, op, kind, title, body); err != nil {
		return 0, err
	}
	const page = 500
	total := 0
	for len(subjects) > 0 {
		n := min(page, len(subjects))
		k, err := s.insertNotices(ctx, kind, subjects[:n])
		total += k
		if err != nil {
			return total, err
		}
		subjects = subjects[n:]
	}
	return total, nil
}

// NotifyAll delivers one notice of kind, with a title and body decided at
// run time (a controller transfer's), to every account holder, each at
// most once. The texts must name no one. Returns how many notices were
// new.
//
// Returns Invalid for an empty kind or text.
func (s *Service) NotifyAll(ctx context.Context, kind, title, body string) (int, error) {
	const op = "lifecycle.NotifyAll"
	if err := s.noticeText(ctx, op, kind, title, body); err != nil {
		return 0, err
	}
	return s.notifyAll(ctx, kind)
}

// noticeText keeps the run-time texts of a notice kind; the first texts
// given for a kind stay.
func (s *Service) noticeText(ctx context.Context, op, kind, title, body string) error {
	if kind == "" || strings.TrimSpace(title) == "" || strings.TrimSpace(body) == "" {
		return minimall.Errorf(minimall.Invalid, op, "A notice needs a kind, a title and a body. 通知须有类型、标题和正文。")
	}
	if _, fixed := notices[kind]; fixed {
		return minimall.Errorf(minimall.Invalid, op, "That notice kind has fixed wording. 该类通知文本固定。")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO lifecycle_notice_texts (kind, title, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind) DO NOTHING`,
		kind, title, body, sqldb.Micros(s.db.Now()))
	return sqldb.FormatError(op, err)
}

// noticeTexts returns the run-time texts of kinds, for rendering a list.
func (s *Service) noticeTexts(ctx context.Context, kinds []string) (map[string][2]string, error) {
	out := map[string][2]string{}
	for _, k := range kinds {
		if _, fixed := notices[k]; fixed {
			continue
		}
		if _, done := out[k]; done {
			continue
		}
		var t [2]string
		err := s.db.QueryRowContext(ctx, `SELECT title, body FROM lifecycle_notice_texts WHERE kind = ?`, k).Scan(&t[0], &t[1])
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, sqldb.FormatError("lifecycle.noticeTexts", err)
		}
		out[k] = t
	}
	return out, nil
}

// withNoticeTexts fills in the run-time texts of notices whose kind has no
// fixed wording.
func (s *Service) withNoticeTexts(ctx context.Context, list []Notification) ([]Notification, error) {
	kinds := make([]string, len(list))
	for i, n := range list {
		kinds[i] = n.Kind
	}
	texts, err := s.noticeTexts(ctx, kinds)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if t, ok := texts[list[i].Kind]; ok {
			list[i].Title, list[i].Body = t[0], t[1]
		}
	}
	return list, nil
}
