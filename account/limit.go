package account

import (
	"sync"
	"time"
)

// limiter counts events per key in fixed windows, in memory. Keys are
// blind indexes or salted hashes, never a phone number or an address.
type limiter struct {
	mu      sync.Mutex
	windows map[string]*window
	swept   time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter() *limiter { return &limiter{windows: map[string]*window{}} }

// allow counts one event for key and reports whether it is within max
// events per per.
func (l *limiter) allow(key string, max int, per time.Duration, now time.Time) bool {
	if max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now, per)
	w, ok := l.windows[key]
	if !ok || now.Sub(w.start) >= per {
		w = &window{start: now}
		l.windows[key] = w
	}
	w.n++
	return w.n <= max
}

// retryIn returns how long until key's window of length per ends.
func (l *limiter) retryIn(key string, per time.Duration, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if w, ok := l.windows[key]; ok {
		return max(w.start.Add(per).Sub(now), 0)
	}
	return 0
}

// sweep drops windows that ended, so memory stays bounded by the keys seen
// in the last window.
func (l *limiter) sweep(now time.Time, per time.Duration) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	for k, w := range l.windows {
		if now.Sub(w.start) >= per && now.Sub(w.start) >= time.Hour {
			delete(l.windows, k)
		}
	}
}
