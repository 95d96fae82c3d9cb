package vault

import (
	"crypto/cipher"
	"sync"
	"sync/atomic"
	"time"

	"minimall"
)

const (
	// maxCachedKeys bounds memory: about 1.5 KB a key with its AEAD.
	maxCachedKeys = 100_000
	// maxCacheAge bounds how long a key destroyed on another node stays
	// usable here if its change-feed event is lost or late.
	maxCacheAge = 10 * time.Minute
)

// keySlot names a key by what it is for; a subject has one key per slot.
type keySlot struct {
	subject minimall.SubjectID
	kind    KeyKind
	period  string // "" for the data key
}

// cachedKey is one unwrapped subject key, ready to use. The AEAD is kept,
// not the raw key: aes.NewCipher plus cipher.NewGCM cost more than a whole
// open of a short value.
type cachedKey struct {
	id     int64
	slot   keySlot
	aead   cipher.AEAD   // NB: holds the subject key; never log
	pseudo []byte        // NB: key material (pseudonym key; data keys only); never log
	born   time.Duration // on the cache's monotonic clock
}

// keyCache holds unwrapped keys by key id (for Open) and by slot (for
// Seal), bounded in number and in age.
type keyCache struct {
	mu     sync.RWMutex
	byID   map[int64]*cachedKey
	bySlot map[keySlot]*cachedKey
	bySubj map[minimall.SubjectID][]*cachedKey // for Forget
	// epoch changes on every Forget. A loader notes it before reading the
	// key store and caches its result only if it has not changed, so a key
	// read just before a Shred committed is not cached just after it.
	epoch  uint64
	max    int
	maxAge time.Duration
	now    func() time.Duration
}

// coarseClock is the cache's clock: monotonic (ages must not jump with the
// wall clock or a FakeClock) and read with one atomic load, because
// time.Since would be a fifth of the cost of a warm Open. One goroutine per
// process, started on first use, moves it every coarseTick; an age bound of
// minutes does not need better.
var coarseClock struct {
	once  sync.Once
	start time.Time
	now   atomic.Int64
}

const coarseTick = time.Second

func coarseNow() time.Duration {
	coarseClock.once.Do(startCoarseClock)
	return time.Duration(coarseClock.now.Load())
}

func startCoarseClock() {
	coarseClock.start = time.Now()
	go func() {
		for range time.Tick(coarseTick) {
			coarseClock.now.Store(int64(time.Since(coarseClock.start)))
		}
	}()
}

func newKeyCache(max int, maxAge time.Duration) *keyCache {
	return &keyCache{
		byID:   map[int64]*cachedKey{},
		bySlot: map[keySlot]*cachedKey{},
		bySubj: map[minimall.SubjectID][]*cachedKey{},
		max:    max,
		maxAge: maxAge,
		now:    coarseNow,
	}
}

// get returns the live key with id, or nil. This is the hot path of Open.
func (c *keyCache) get(id int64) *cachedKey {
	c.mu.RLock()
	k := c.byID[id]
	c.mu.RUnlock()
	if k == nil || c.now()-k.born > c.maxAge {
		return nil
	}
	return k
}

// getSlot returns the live key of slot s, or nil.
func (c *keyCache) getSlot(s keySlot) *cachedKey {
	c.mu.RLock()
	k := c.bySlot[s]
	c.mu.RUnlock()
	if k == nil || c.now()-k.born > c.maxAge {
		return nil
	}
	return k
}

// begin returns the epoch to hand to put after loading from the key store.
func (c *keyCache) begin() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.epoch
}

// put caches k unless a Forget happened since epoch was taken.
func (c *keyCache) put(k *cachedKey, epoch uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch {
		return
	}
	if old := c.byID[k.id]; old != nil {
		c.remove(old)
	}
	if old := c.bySlot[k.slot]; old != nil {
		c.remove(old)
	}
	if len(c.byID) >= c.max {
		c.evict()
	}
	k.born = c.now()
	c.byID[k.id] = k
	c.bySlot[k.slot] = k
	c.bySubj[k.slot.subject] = append(c.bySubj[k.slot.subject], k)
}

// evict makes room: expired keys first, then arbitrary ones (map order is
// random), down to 1/64 below the bound so evictions come in batches.
func (c *keyCache) evict() {
	now := c.now()
	for _, k := range c.byID {
		if now-k.born > c.maxAge {
			c.remove(k)
		}
	}
	target := c.max - c.max/64 - 1
	for _, k := range c.byID {
		if len(c.byID) <= target {
			break
		}
		c.remove(k)
	}
}

// remove drops k from every index; c.mu must be held.
func (c *keyCache) remove(k *cachedKey) {
	delete(c.byID, k.id)
	if c.bySlot[k.slot] == k {
		delete(c.bySlot, k.slot)
	}
	list := c.bySubj[k.slot.subject]
	for i, x := range list {
		if x == k {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(c.bySubj, k.slot.subject)
	} else {
		c.bySubj[k.slot.subject] = list
	}
}

// forget drops every key of subject.
func (c *keyCache) forget(subject minimall.SubjectID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, k := range append([]*cachedKey(nil), c.bySubj[subject]...) {
		c.remove(k)
	}
}

// forgetRetention drops every retention key whose period is <= upTo.
func (c *keyCache) forgetRetention(upTo string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	for _, k := range c.byID {
		if k.slot.kind == Retention && k.slot.period <= upTo {
			c.remove(k)
		}
	}
}

// len returns how many keys are cached.
func (c *keyCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.byID)
}
