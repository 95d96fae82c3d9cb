// Package fresh keeps a value for a while and reloads it one caller at a
// time: while one caller reloads it, the others get the value there was.
// Without it a busy page's requests would each run the same slow load as
// the value expires, and queue behind each other.
package fresh

import (
	"sync"
	"time"
)

// Value is a value kept for a while; the zero Value holds nothing yet.
type Value[T any] struct {
	mu      sync.Mutex
	v       T
	at      time.Time
	has     bool
	loading chan struct{} // closed when the load in flight ends
}

// Get returns the value, loading it if it is older than ttl; only a
// caller with nothing to be served waits for a load. A failed load is not
// kept: the next caller loads again.
func (f *Value[T]) Get(ttl time.Duration, load func() (T, error)) (T, error) {
	f.mu.Lock()
	if f.has && (time.Since(f.at) < ttl || f.loading != nil) {
		v := f.v
		f.mu.Unlock()
		return v, nil
	}
	if wait := f.loading; wait != nil {
		f.mu.Unlock()
		<-wait
		return f.Get(ttl, load)
	}
	done := make(chan struct{})
	f.loading = done
	f.mu.Unlock()
	v, err := load()
	f.mu.Lock()
	if err == nil {
		f.v, f.at, f.has = v, time.Now(), true
	}
	f.loading = nil
	f.mu.Unlock()
	close(done)
	return v, err
}
