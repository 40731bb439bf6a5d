package kit

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// KeyedLimiter is a token bucket per key (a user, a client address).
// Buckets idle long enough to be full again are forgotten, so memory stays
// bounded by the active keys. It is safe for concurrent use; a nil
// *KeyedLimiter allows everything.
type KeyedLimiter struct {
	limit     rate.Limit
	burst     int
	full      time.Duration // how long an empty bucket takes to refill
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

// bucket is one key's limiter and the time it was last used.
type bucket struct {
	lim *rate.Limiter
	at  time.Time
}

// NewKeyedLimiter returns a limiter of perMinute tokens a minute and bursts
// of burst per key; nil (no limit) when perMinute is not positive.
func NewKeyedLimiter(perMinute float64, burst int) *KeyedLimiter {
	if perMinute <= 0 {
		return nil
	}
	perSecond := perMinute / 60
	return &KeyedLimiter{
		limit:   rate.Limit(perSecond),
		burst:   burst,
		full:    time.Duration(float64(burst) / perSecond * float64(time.Second)),
		buckets: make(map[string]*bucket),
	}
}

// Allow takes one token from key's bucket at now and reports whether there
// was one.
func (r *KeyedLimiter) Allow(key string, now time.Time) bool {
	if r == nil {
		return true
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sweep(now)
	b, ok := r.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(r.limit, r.burst)}
		r.buckets[key] = b
	}
	b.at = now
	return b.lim.AllowN(now, 1)
}

// Len returns how many keys have a bucket.
func (r *KeyedLimiter) Len() int {
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buckets)
}

// sweep drops buckets that have refilled completely; it runs at most once
// per refill period.
func (r *KeyedLimiter) sweep(now time.Time) {
	if now.Sub(r.lastSweep) < r.full {
		return
	}
	r.lastSweep = now
	for k, b := range r.buckets {
		if now.Sub(b.at) >= r.full {
			delete(r.buckets, k)
		}
	}
}
