package core

import "imbot/core/kit"

// rateLimiter is the per-user token bucket of the dispatcher.
type rateLimiter = kit.KeyedLimiter

// newRateLimiter returns the per-user limiter; nil when perMinute is 0.
func newRateLimiter(perMinute float64, burst int) *rateLimiter {
	return kit.NewKeyedLimiter(perMinute, burst)
}
