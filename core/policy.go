package core

import (
	"fmt"
	"strings"

	"imbot/core/catalog"
)

// dispatchPolicy is what a reload may change in a running dispatcher,
// swapped whole so that no message sees half of an old and half of a new
// one: who may talk to the bot, the per-user rate limit and the texts of
// the replies the dispatcher writes itself.
type dispatchPolicy struct {
	allow         allowList
	ratePerMinute float64
	rateBurst     int
	limiter       *rateLimiter
	texts         *catalog.Catalog
}

// newDispatchPolicy builds the policy of cfg and texts. The limiter of old
// (nil at start) is kept when the rate is unchanged, so a reload does not
// refill every user's bucket.
func newDispatchPolicy(cfg DispatcherConfig, texts *catalog.Catalog, old *dispatchPolicy) *dispatchPolicy {
	p := &dispatchPolicy{allow: newAllowList(cfg.Allow), ratePerMinute: cfg.RatePerMinute, rateBurst: cfg.RateBurst, texts: texts}
	if old != nil && old.ratePerMinute == p.ratePerMinute && old.rateBurst == p.rateBurst {
		p.limiter = old.limiter
	} else {
		p.limiter = newRateLimiter(cfg.RatePerMinute, cfg.RateBurst)
	}
	return p
}

// SetPolicy replaces, in one step, what a reload may change: the
// allow-list (empty allows everyone), the per-user rate limit (its buckets
// are kept when the rate is unchanged) and the catalogue of the texts the
// dispatcher writes (busy, rate limited, service problem). Messages already
// accepted are not affected. The other keys of cfg (max_inflight,
// max_queued, the timeouts, the group policies) are read only at start and
// are ignored here; a nil texts means the built-in ones. An invalid cfg
// changes nothing and its problems are returned.
func (d *Dispatcher) SetPolicy(cfg DispatcherConfig, texts *catalog.Catalog) error {
	if p := cfg.Validate(); len(p) > 0 {
		return fmt.Errorf("core: dispatcher config: %s", strings.Join(p, "; "))
	}
	d.policy.Store(newDispatchPolicy(cfg, texts, d.policy.Load()))
	return nil
}
