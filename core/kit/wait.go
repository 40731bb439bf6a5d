package kit

import (
	"context"
	"math/rand/v2"
	"time"
)

// Sleep waits for d or until ctx ends, whichever comes first. It returns
// ctx's error when ctx ended first (or had already ended with d ≤ 0), and
// nil otherwise.
func Sleep(ctx context.Context, d time.Duration) error {
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

// Backoff is capped exponential backoff: the ceiling of attempt n (counting
// from 0) is min(Max, Base·2ⁿ). The zero value waits nothing.
type Backoff struct {
	Base time.Duration
	Max  time.Duration
	// Rand returns a uniform number in [0, n); nil means math/rand/v2.
	// Tests set it to make the jitter predictable.
	Rand func(n int64) int64
}

// Ceiling is the longest wait before retry attempt+1.
func (b Backoff) Ceiling(attempt int) time.Duration {
	if b.Base <= 0 {
		return 0
	}
	ceiling := b.Max
	if attempt < 0 {
		attempt = 0
	}
	if attempt < 32 && (ceiling <= 0 || b.Base<<attempt < ceiling) {
		ceiling = b.Base << attempt
	}
	return ceiling
}

// Full is the "full jitter" wait: uniform in [0, Ceiling(attempt)]. It
// spreads retries of many clients best and suits calls to a shared server.
func (b Backoff) Full(attempt int) time.Duration {
	return time.Duration(b.rand(int64(b.Ceiling(attempt)) + 1))
}

// Equal is the "equal jitter" wait: uniform in [Ceiling/2, Ceiling]. It
// never retries at once, which suits reconnect loops.
func (b Backoff) Equal(attempt int) time.Duration {
	c := b.Ceiling(attempt)
	return c/2 + time.Duration(b.rand(int64(c/2)+1))
}

func (b Backoff) rand(n int64) int64 {
	if n <= 1 {
		return 0
	}
	if b.Rand != nil {
		return b.Rand(n)
	}
	return rand.Int64N(n)
}
