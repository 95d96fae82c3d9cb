package minimall

import (
	"sync/atomic"
	"time"
)

// Clock is the one source of time. Production uses SystemClock; tests and
// `serve --fake-clock` use a FakeClock that can be moved forward, so
// deadlines and retention can be exercised from outside the process.
type Clock interface {
	Now() time.Time
}

// SystemClock reads the wall clock.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// FakeClock is the real clock shifted by an offset that only grows. Time
// keeps flowing (so timeouts still work) and Advance jumps it forward.
type FakeClock struct {
	offset atomic.Int64 // nanoseconds
}

// Now returns the real time plus the accumulated offset.
func (c *FakeClock) Now() time.Time {
	return time.Now().UTC().Add(time.Duration(c.offset.Load()))
}

// Advance moves the clock forward by d; a negative d is ignored, because
// time that runs backwards would break retention and audit ordering.
func (c *FakeClock) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.offset.Add(int64(d))
	}
	return c.Now()
}
