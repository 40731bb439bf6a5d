package telegram

import (
	"context"
	"sync"
	"time"
)

// limiter is a token bucket shared by every chat: it keeps the bot under
// Telegram's global message rate. A zero rate is unlimited. Safe for
// concurrent use.
type limiter struct {
	rate float64 // tokens per second
	now  func() time.Time

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newLimiter(rate float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, now: now, tokens: rate}
}

// refill adds the tokens earned since the last call; l.mu must be held.
func (l *limiter) refill() {
	now := l.now()
	if !l.last.IsZero() {
		l.tokens = min(l.rate, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
}

// tryTake takes a token if one is free now.
func (l *limiter) tryTake() bool {
	if l.rate == 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// wait takes a token, waiting for it when none is free.
func (l *limiter) wait(ctx context.Context) error {
	if l.rate == 0 {
		return nil
	}
	l.mu.Lock()
	l.refill()
	l.tokens--
	delay := time.Duration(-l.tokens / l.rate * float64(time.Second))
	l.mu.Unlock()
	return sleep(ctx, delay)
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

// try reserves the chat's next slot if it is free now.
func (p *pacer) try(chat int64, interval time.Duration) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Before(p.next[chat]) {
		return false
	}
	p.set(chat, now.Add(interval), now)
	return true
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

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
