package engage

import (
	"context"
	"sync"
	"time"

	"minimall"
	"minimall/outbox"
)

// RecordFootprint records that the signed-in person subject viewed item
// (二(二)1 足迹); the catalogue's item page calls it after finding the item,
// so the item is not looked up again. Viewing an item again moves its
// footprint to the top rather than adding one. It returns once the
// footprint and its change-feed event are committed. Returns Unauthorized
// without a subject, Invalid for a malformed id, Unavailable after Close.
func (s *Service) RecordFootprint(ctx context.Context, subject minimall.SubjectID, item string) error {
	const op = "engage.RecordFootprint"
	if err := minimall.SignedIn(minimall.ShopperActor(subject), op); err != nil {
		return err
	}
	if !validID.MatchString(item) {
		return invalid(op, "Malformed item id. 商品标识格式错误。")
	}
	p, err := s.prepare(ctx, subject, Footprint, kinds[Footprint], sealedTarget{Type: Item, ID: item})
	if err != nil {
		return err
	}
	return s.views.write(ctx, p)
}

// RecordView is RecordFootprint for the item page: the footprint is sealed
// now and written with the next group, without the page waiting for the
// commit. The person's own footprint list waits for what is queued, so
// they always see their latest views.
func (s *Service) RecordView(ctx context.Context, subject minimall.SubjectID, item string) error {
	const op = "engage.RecordView"
	if err := minimall.SignedIn(minimall.ShopperActor(subject), op); err != nil {
		return err
	}
	if !validID.MatchString(item) {
		return invalid(op, "Malformed item id. 商品标识格式错误。")
	}
	p, err := s.prepare(ctx, subject, Footprint, kinds[Footprint], sealedTarget{Type: Item, ID: item})
	if err != nil {
		return err
	}
	return s.views.enqueue(p)
}

// Close stops the footprint writer; views in flight are written first.
func (s *Service) Close() error {
	s.views.stop()
	return nil
}

// maxViewBatch bounds one group of footprints.
const maxViewBatch = 1024

// viewWriter writes footprints in groups, one transaction per group: on
// the item page every signed-in view is a write, and the commit, not the
// row, is what costs (one WAL sync on SQLite). Views that arrive while a
// group commits go together in the next one, so a quiet server still
// writes each view at once.
type viewWriter struct {
	s       *Service
	queue   chan viewRequest
	quit    chan struct{}
	start   sync.Once
	stopped sync.Once
	done    sync.WaitGroup
}

// viewRequest is a view to write; err is nil when nobody waits (RecordView),
// p is nil for a flush marker.
type viewRequest struct {
	p   *pending
	err chan error
}

func (r viewRequest) answer(err error) {
	if r.err != nil {
		r.err <- err
	}
}

func (w *viewWriter) init(s *Service) {
	w.s, w.queue, w.quit = s, make(chan viewRequest, maxViewBatch), make(chan struct{})
}

func (w *viewWriter) write(ctx context.Context, p *pending) error {
	w.start.Do(func() { w.done.Add(1); go w.run() })
	r := viewRequest{p: p, err: make(chan error, 1)}
	select {
	case w.queue <- r:
	case <-w.quit:
		return minimall.Errorf(minimall.Unavailable, "engage.RecordFootprint", "Shutting down. 服务正在停止。")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.err:
		return err
	case <-ctx.Done():
		return ctx.Err() // the footprint may still be written
	}
}

// enqueue queues p without waiting for its commit; it blocks only while
// the queue is full. A failure is logged by nobody: the view is lost, the
// page it came from was served.
func (w *viewWriter) enqueue(p *pending) error {
	w.start.Do(func() { w.done.Add(1); go w.run() })
	select {
	case w.queue <- viewRequest{p: p}:
		return nil
	case <-w.quit:
		return minimall.Errorf(minimall.Unavailable, "engage.RecordView", "Shutting down. 服务正在停止。")
	}
}

// flush returns once every view queued before it is committed (or failed).
func (w *viewWriter) flush(ctx context.Context) error {
	w.start.Do(func() { w.done.Add(1); go w.run() })
	r := viewRequest{err: make(chan error, 1)} // no view: a marker
	select {
	case w.queue <- r:
	case <-w.quit:
		return nil // stopping drains the queue
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-r.err:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *viewWriter) stop() {
	w.stopped.Do(func() { close(w.quit) })
	w.done.Wait()
}

func (w *viewWriter) run() {
	defer w.done.Done()
	for {
		var batch []viewRequest
		select {
		case r := <-w.queue:
			batch = append(batch, r)
		case <-w.quit:
			w.drain()
			return
		}
		batch = w.fill(batch)
		w.commit(batch)
	}
}

// viewLinger is how long a group of views nobody waits for may wait for
// more: fewer, larger commits (each commit writes WAL pages), at no cost to
// any request, since the item page does not wait for its footprint.
const viewLinger = 20 * time.Millisecond

// fill adds what is queued to batch; while nobody waits on it, it lingers
// up to viewLinger for the group to grow.
func (w *viewWriter) fill(batch []viewRequest) []viewRequest {
	var deadline <-chan time.Time
	waited := false
	for _, r := range batch {
		waited = waited || r.err != nil
	}
	for len(batch) < maxViewBatch {
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			waited = waited || r.err != nil
			continue
		default:
		}
		if waited {
			return batch
		}
		if deadline == nil {
			deadline = time.After(viewLinger)
		}
		select {
		case r := <-w.queue:
			batch = append(batch, r)
			waited = waited || r.err != nil
		case <-deadline:
			return batch
		case <-w.quit:
			return batch
		}
	}
	return batch
}

// drain writes what was queued before the stop.
func (w *viewWriter) drain() {
	for {
		select {
		case r := <-w.queue:
			w.commit([]viewRequest{r})
		default:
			return
		}
	}
}

// commit writes a group; if the group fails, each view is tried alone, so
// one bad view never loses the others.
func (w *viewWriter) commit(batch []viewRequest) {
	err := w.writeGroup(batch)
	if err != nil && len(batch) > 1 {
		for _, r := range batch {
			r.answer(w.writeGroup([]viewRequest{r}))
		}
		return
	}
	for _, r := range batch {
		r.answer(err)
	}
}

func (w *viewWriter) writeGroup(batch []viewRequest) error {
	// The callers' contexts may end while the group commits; the group
	// belongs to none of them.
	ctx := context.Background()
	tx, err := w.s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ks := kinds[Footprint]
	var order []minimall.SubjectID
	bySubject := map[minimall.SubjectID][]string{}
	for _, r := range batch {
		if r.p == nil {
			continue // a flush marker
		}
		if _, err := r.p.write(ctx, tx, ks); err != nil {
			return err
		}
		if bySubject[r.p.subject] == nil {
			order = append(order, r.p.subject)
		}
		bySubject[r.p.subject] = append(bySubject[r.p.subject], r.p.entry.ID)
	}
	// A view, new or repeated, is a change: recommendations learn from
	// views in real time (二(二)4). One event per person per group.
	for _, subject := range order {
		if err := outbox.Emit(ctx, tx, TopicAdded, subject, Changed{Kind: Footprint, Entries: bySubject[subject]}); err != nil {
			return err
		}
	}
	return tx.Commit()
}
