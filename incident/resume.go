package incident

import (
	"context"
	"errors"

	"minimall"
	"minimall/sqldb"
)

// ResumeNotices tells the people of every incident recorded but not yet
// notified: a crash or a failed delivery between recording and telling
// left it so (PIPL art. 57 asks that they be told). Returns how many
// incidents it finished.
func (s *Service) ResumeNotices(ctx context.Context) (int, error) {
	const op = "incident.ResumeNotices"
	ids, err := sqldb.Strings(ctx, s.db, `SELECT id FROM incidents WHERE notified_at = 0 ORDER BY created_at`)
	if err != nil {
		return 0, sqldb.FormatError(op, err)
	}
	done := 0
	var errs []error
	for _, id := range ids {
		if err := s.resumeOne(ctx, id); err != nil {
			errs = append(errs, err)
			continue
		}
		done++
	}
	return done, errors.Join(errs...)
}

func (s *Service) resumeOne(ctx context.Context, id string) error {
	const op = "incident.ResumeNotices"
	in, err := s.find(ctx, id)
	if err != nil {
		return err
	}
	people, err := sqldb.Strings(ctx, s.db, `SELECT subject FROM incident_subjects WHERE incident = ? ORDER BY subject`, id)
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	subjects := make([]minimall.SubjectID, len(people))
	for i, p := range people {
		subjects[i] = minimall.SubjectID(p)
	}
	return s.tell(ctx, in, subjects)
}
