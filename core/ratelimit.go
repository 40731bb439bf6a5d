package core

import (
	"time"

	"imbot/core/kit"
)

// rateLimiter is the per-user token bucket of the dispatcher.
type rateLimiter = kit.KeyedLimiter

// newRateLimiter returns the per-user limiter; nil when perMinute is 0.
func newRateLimiter(perMinute float64, burst int) *rateLimiter {
	return kit.NewKeyedLimiter(perMinute, burst)
}

// noticeWindow is how often one sender is told they are rate limited; the
// refusals in between get no notice.
const noticeWindow = time.Minute
