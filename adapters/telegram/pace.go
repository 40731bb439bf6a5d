package telegram

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"imbot/core/kit"
)

// limiter is a token bucket shared by every chat: it keeps the bot under
// Telegram's global message rate. A zero rate is unlimited. Safe for
// concurrent use.
type limiter struct {
	lim *rate.Limiter // nil: unlimited
	now func() time.Time
}

// newLimiter allows perSecond messages a second, in bursts of up to one
// second's worth.
func newLimiter(perSecond float64, now func() time.Time) *limiter {
	l := &limiter{now: now}
	if perSecond > 0 {
		l.lim = rate.NewLimiter(rate.Limit(perSecond), max(1, int(perSecond)))
	}
	return l
}

// tryTake takes a token if one is free now.
func (l *limiter) tryTake() bool {
	return l.lim == nil || l.lim.AllowN(l.now(), 1)
}

// wait takes a token, waiting for it when none is free. A wait that ctx
// ends gives the token back.
func (l *limiter) wait(ctx context.Context) error {
	if l.lim == nil {
		return nil
	}
	now := l.now()
	r := l.lim.ReserveN(now, 1)
	if err := kit.Sleep(ctx, r.DelayFrom(now)); err != nil {
		r.CancelAt(l.now())
		return err
	}
	return nil
}

// pacer spaces out the messages, edits and drafts sent to each chat and
// remembers a chat's 429 answers. Safe for concurrent use.
type pacer struct {
	now func() time.Time

	mu   sync.Mutex
	next map[int64]time.Time
}

// pacerSweep is the map size past which stale chats are forgotten.
const pacerSweep = 1024

func newPacer(now func() time.Time) *pacer {
	return &pacer{now: now, next: map[int64]time.Time{}}
}

// free reports whether the chat's next slot is free now. Streamed updates
// check it without reserving the slot, so they never delay a final send.
func (p *pacer) free(chat int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.now().Before(p.next[chat])
}

// reserve reserves the chat's next slot and returns how long to wait for it.
func (p *pacer) reserve(chat int64, interval time.Duration) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	at := now
	if next := p.next[chat]; next.After(now) {
		at = next
	}
	p.set(chat, at.Add(interval), now)
	return at.Sub(now)
}

// block keeps the chat quiet until d from now (a 429 answer).
func (p *pacer) block(chat int64, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if until := now.Add(d); until.After(p.next[chat]) {
		p.set(chat, until, now)
	}
}

// set records the chat's next slot; p.mu must be held.
func (p *pacer) set(chat int64, next, now time.Time) {
	if len(p.next) >= pacerSweep {
		for c, t := range p.next {
			if !t.After(now) {
				delete(p.next, c)
			}
		}
	}
	p.next[chat] = next
}
