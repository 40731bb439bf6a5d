package core

import (
	"fmt"
	"strings"
)

// dispatchPolicy is what a reload may change in a running dispatcher,
// swapped whole so that no message sees half of an old and half of a new
// one: who may talk to the bot and the per-user rate limit. (The texts it
// writes come from the shared catalogue, which a reload replaces in place.)
type dispatchPolicy struct {
	allow         allowList
	ratePerMinute float64
	rateBurst     int
	limiter       *rateLimiter
}

// newDispatchPolicy builds the policy of cfg. The limiter of old (nil at
// start) is kept when the rate is unchanged, so a reload does not refill
// every user's bucket.
func newDispatchPolicy(cfg DispatcherConfig, old *dispatchPolicy) *dispatchPolicy {
	p := &dispatchPolicy{allow: newAllowList(cfg.Allow), ratePerMinute: cfg.RatePerMinute, rateBurst: cfg.RateBurst}
	if old != nil && old.ratePerMinute == p.ratePerMinute && old.rateBurst == p.rateBurst {
		p.limiter = old.limiter
	} else {
		p.limiter = newRateLimiter(cfg.RatePerMinute, cfg.RateBurst)
	}
	return p
}

// SetPolicy replaces, in one step, what a reload may change: the
// allow-list (empty allows everyone) and the per-user rate limit (its
// buckets are kept when the rate is unchanged). Messages already accepted
// are not affected. The other keys of cfg (max_inflight, max_queued, the
// timeouts, the group policies) are read only at start and are ignored
// here. An invalid cfg changes nothing and its problems are returned.
func (d *Dispatcher) SetPolicy(cfg DispatcherConfig) error {
	if p := cfg.Validate(); len(p) > 0 {
		return fmt.Errorf("core: dispatcher config: %s", strings.Join(p, "; "))
	}
	d.policy.Store(newDispatchPolicy(cfg, d.policy.Load()))
	return nil
}
