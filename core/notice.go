package core

import (
	"sync"
	"time"
)

// noticeGate lets a notice go to each key at most once per interval, with
// memory bounded by max keys: when it is full and no entry has expired, the
// notice is skipped rather than a key forgotten early. It is safe for
// concurrent use.
type noticeGate struct {
	interval time.Duration
	max      int
	mu       sync.Mutex
	last     map[string]time.Time
}

// maxNoticeSenders bounds how many senders a notice gate remembers.
const maxNoticeSenders = 10000

// newNoticeGate returns a gate; an interval of 0 never lets a notice pass.
func newNoticeGate(interval time.Duration, max int) *noticeGate {
	return &noticeGate{interval: interval, max: max, last: map[string]time.Time{}}
}

// allow reports whether key may get the notice at now, and if so records it.
func (g *noticeGate) allow(key string, now time.Time) bool {
	if g.interval <= 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if t, ok := g.last[key]; ok && now.Sub(t) < g.interval {
		return false
	}
	if _, ok := g.last[key]; !ok && len(g.last) >= g.max {
		g.sweep(now)
		if len(g.last) >= g.max {
			return false
		}
	}
	g.last[key] = now
	return true
}

// sweep forgets the keys whose interval has passed.
func (g *noticeGate) sweep(now time.Time) {
	for k, t := range g.last {
		if now.Sub(t) >= g.interval {
			delete(g.last, k)
		}
	}
}
