package rights

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"minimall"
	"minimall/sqldb"
)

// What an answer says of the partners' deletion notices.
const (
	NoticesSent     = "sent"     // every partner that held something confirmed
	NoticesNone     = "none"     // no partner held anything
	NoticesRetrying = "retrying" // some have not confirmed yet: Resume retries
)

// An erasure (deregistration, or deleting everything) is a sequence of
// steps that survives a crash. The request is marked (erase_started_at)
// before the first step; every step may run again without harm (deleting
// what is gone deletes nothing, a destroyed key stays destroyed, a partner
// that confirmed is not asked again); and Resume runs whatever a crash
// left unfinished, then answers the request. Partner notices that could
// not be confirmed keep the answered request marked (notices_pending)
// until a later Resume gets every confirmation.

// ResumeGrace is how long a request may sit identity-checked before Resume
// serves it: a Verify in flight on another node has that long to finish.
// Service.Grace, when set, replaces it.
const ResumeGrace = time.Minute

// grace is how long Resume leaves identity-checked requests to a Verify
// still in flight.
func (s *Service) grace() time.Duration {
	if s.Grace > 0 {
		return s.Grace
	}
	return ResumeGrace
}

// resumeActor acts for the person on the steps a crash interrupted; its
// reason names the request, so the audit log ties each step to it.
func resumeActor(id string) minimall.Actor {
	a := minimall.SystemActor("rights:resume")
	a.Reason = id
	return a
}

// markErasing records that row's erasure begins; it stays marked.
func (s *Service) markErasing(ctx context.Context, row *requestRow) error {
	_, err := s.db.ExecContext(ctx, `UPDATE rights_requests SET erase_started_at = ? WHERE id = ? AND erase_started_at = 0`,
		sqldb.Micros(s.db.Now()), row.id)
	return sqldb.FormatError("rights.markErasing", err)
}

func (s *Service) stepDone(step string) error {
	if s.AfterStep == nil {
		return nil
	}
	return s.AfterStep(step)
}

// Resume finishes what a crash interrupted: erasures begun and not
// answered are run again from the start and answered; self-service
// requests left identity-checked for longer than the grace are served;
// answered erasures whose partner notices wait are notified again. It
// returns how many requests it moved on; one that fails is left for the
// next call, and its error joined into the result.
func (s *Service) Resume(ctx context.Context) (int, error) {
	var errs []error
	n := 0
	for _, step := range []func(context.Context) (int, error){s.resumeErasures, s.resumeChecked, s.resumeNotices} {
		done, err := step(ctx)
		n += done
		errs = append(errs, err)
	}
	return n, errors.Join(errs...)
}

// unfinished reads the ids a query selects.
func (s *Service) unfinished(ctx context.Context, query string, args ...any) ([]string, error) {
	ids, err := sqldb.Strings(ctx, s.db, query, args...)
	return ids, sqldb.FormatError("rights.Resume", err)
}

func (s *Service) resumeErasures(ctx context.Context) (int, error) {
	ids, err := s.unfinished(ctx, `SELECT id FROM rights_requests WHERE erase_started_at > 0 AND state IN (?, ?) ORDER BY erase_started_at`,
		string(IdentityChecked), string(InProgress))
	return s.eachRequest(ctx, ids, err, func(row *requestRow) error {
		reason := "deregistered"
		if row.kind != Deregister {
			reason = "deleted:resumed"
		}
		ans, err := s.erase(ctx, resumeActor(row.id), row, reason)
		return s.finish(ctx, row, ans, err)
	})
}

func (s *Service) resumeChecked(ctx context.Context) (int, error) {
	ids, err := s.unfinished(ctx, `SELECT id FROM rights_requests WHERE state = ? AND filed_by = ? AND erase_started_at = 0 AND kind IN (?, ?, ?) AND checked_at < ? ORDER BY checked_at`,
		string(IdentityChecked), BySelf, string(Deregister), string(Correct), string(Delete), sqldb.Micros(s.db.Now().Add(-s.grace())))
	return s.eachRequest(ctx, ids, err, func(row *requestRow) error {
		// The person asked and proved who they are; the serving is theirs.
		return s.serve(ctx, minimall.ShopperActor(row.subject), row)
	})
}

func (s *Service) resumeNotices(ctx context.Context) (int, error) {
	ids, err := s.unfinished(ctx, `SELECT id FROM rights_requests WHERE notices_pending = 1 ORDER BY closed_at`)
	return s.eachRequest(ctx, ids, err, func(row *requestRow) error {
		if s.notify(ctx, row, nil) == NoticesRetrying {
			return fmt.Errorf("rights: request %s: partner notices still unconfirmed", row.id)
		}
		var ans Answer
		if err := json.Unmarshal([]byte(row.answer), &ans); err != nil {
			return err
		}
		ans.PartnerNotices = NoticesSent
		b, _ := json.Marshal(ans)
		_, err := s.db.ExecContext(ctx, `UPDATE rights_requests SET answer = ?, notices_pending = 0 WHERE id = ?`, string(b), row.id)
		return sqldb.FormatError("rights.resumeNotices", err)
	})
}

// eachRequest loads each request and runs fn on it, counting those done.
func (s *Service) eachRequest(ctx context.Context, ids []string, err error, fn func(*requestRow) error) (int, error) {
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for _, id := range ids {
		row, err := s.load(ctx, "rights.Resume", id)
		if err == nil {
			err = fn(row)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("request %s: %w", id, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// resumer runs Resume on a schedule.
type resumer struct {
	stop chan struct{}
	done sync.WaitGroup
	once sync.Once
}

// ResumeEvery runs Resume now and then every interval until Close. Errors
// are logged (request ids only) and tried again at the next run.
func (s *Service) ResumeEvery(interval time.Duration) {
	s.resume.stop = make(chan struct{})
	s.resume.done.Add(1)
	go func() {
		defer s.resume.done.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if n, err := s.Resume(context.Background()); err != nil {
				s.Logger.Warn("rights: unfinished requests remain", "moved", n, "err", err)
			} else if n > 0 {
				s.Logger.Info("rights: unfinished requests resumed", "moved", n)
			}
			select {
			case <-s.resume.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Close stops ResumeEvery.
func (s *Service) Close() {
	s.resume.once.Do(func() {
		if s.resume.stop != nil {
			close(s.resume.stop)
		}
	})
	s.resume.done.Wait()
}

// RepeatErasures runs every area's deletion again for people erased since
// the backup a restore brought back (privacy.Kernel.ReErased): their keys
// are gone and they are marked erased, but the restored rows still hold an
// open account, its phone number taken, a password hash. Each area's
// deletion is idempotent; one that fails is tried at the next start.
// Returns how many people were cleaned up.
func (s *Service) RepeatErasures(ctx context.Context) (int, error) {
	people, err := s.k.ReErased(ctx)
	if err != nil {
		return 0, err
	}
	a := minimall.SystemActor("rights:restore")
	a.Reason = "restore"
	n := 0
	var errs []error
	for _, subject := range people {
		err := s.eraseAgain(ctx, a, subject)
		if err == nil {
			err = s.k.ErasureRepeated(ctx, subject)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (s *Service) eraseAgain(ctx context.Context, a minimall.Actor, subject minimall.SubjectID) error {
	for _, p := range s.parts {
		if _, err := p.Delete(ctx, a, subject, nil, "restore"); err != nil {
			return fmt.Errorf("%s: %w", p.Name(), err)
		}
	}
	return nil
}
