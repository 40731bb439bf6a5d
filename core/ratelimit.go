package core

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter is a token bucket per user. Buckets idle long enough to be
// full again are forgotten, so memory stays bounded by active users.
type rateLimiter struct {
	limit     rate.Limit
	burst     int
	full      time.Duration // how long an empty bucket takes to refill
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

// bucket is one user's limiter and the time it was last used.
type bucket struct {
	lim *rate.Limiter
	at  time.Time
}

func newRateLimiter(perMinute float64, burst int) *rateLimiter {
	if perMinute <= 0 {
		return nil
	}
	perSecond := perMinute / 60
	return &rateLimiter{
		limit:   rate.Limit(perSecond),
		burst:   burst,
		full:    time.Duration(float64(burst) / perSecond * float64(time.Second)),
		buckets: make(map[string]*bucket),
	}
}

// allow takes one token from key's bucket and reports whether there was one.
// A nil limiter allows everything.
func (r *rateLimiter) allow(key string, now time.Time) bool {
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

// sweep drops buckets that have refilled completely; it runs at most once
// per refill period.
func (r *rateLimiter) sweep(now time.Time) {
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

// noticeWindow is how often one sender is told they are rate limited; the
// refusals in between get no notice.
const noticeWindow = time.Minute

// noticeGate lets one refusal notice per sender through per noticeWindow, so
// that a burst of refused messages gets one notice instead of one each.
type noticeGate struct {
	mu        sync.Mutex
	last      map[string]time.Time
	lastSweep time.Time
}

// allow reports whether key may be sent a notice at now, and if so starts
// its window.
func (g *noticeGate) allow(key string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if now.Sub(g.lastSweep) >= noticeWindow {
		g.lastSweep = now
		for k, at := range g.last {
			if now.Sub(at) >= noticeWindow {
				delete(g.last, k)
			}
		}
	}
	if at, ok := g.last[key]; ok && now.Sub(at) < noticeWindow {
		return false
	}
	if g.last == nil {
		g.last = make(map[string]time.Time)
	}
	g.last[key] = now
	return true
}
