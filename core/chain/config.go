package chain

import (
	"fmt"
	"time"
)

// BreakerConfig is the [providers.breaker] table.
type BreakerConfig struct {
	// FailureRatio opens the breaker when this share of the calls in the
	// window failed (0 < ratio ≤ 1).
	FailureRatio float64 `toml:"failure_ratio"`
	// Window is the rolling period over which calls are counted.
	Window time.Duration `toml:"window"`
	// MinCalls is the fewest calls in the window before the ratio counts.
	// A call is one turn on the provider; its retries do not add calls.
	MinCalls int `toml:"min_calls"`
	// MinConversations is the fewest distinct conversations whose turns
	// failed in the window before the breaker opens.
	MinConversations int `toml:"min_conversations"`
	// Cooldown is how long the breaker stays open before probing.
	Cooldown time.Duration `toml:"cooldown"`
	// HalfOpenProbes is how many probe calls may run at once while half
	// open; that many successes close the breaker.
	HalfOpenProbes int `toml:"half_open_probes"`
}

// maxHalfOpenProbe keeps a misconfiguration from turning a half-open
// breaker into a retry storm.
const maxHalfOpenProbe = 100

// DefaultBreakerConfig returns the breaker defaults.
func DefaultBreakerConfig() BreakerConfig {
	return BreakerConfig{
		FailureRatio:     0.5,
		Window:           60 * time.Second,
		MinCalls:         10,
		MinConversations: 3,
		Cooldown:         30 * time.Second,
		HalfOpenProbes:   1,
	}
}

// Validate returns every problem in c as "key: problem", keys relative to the
// breaker table.
func (c BreakerConfig) Validate() []string {
	var p []string
	if !(c.FailureRatio > 0 && c.FailureRatio <= 1) {
		p = append(p, fmt.Sprintf("failure_ratio: %g is outside (0, 1]", c.FailureRatio))
	}
	if c.Window <= 0 {
		p = append(p, "window: must be positive")
	}
	if c.MinCalls < 1 {
		p = append(p, "min_calls: must be at least 1")
	}
	if c.MinConversations < 1 {
		p = append(p, "min_conversations: must be at least 1")
	}
	if c.Cooldown <= 0 {
		p = append(p, "cooldown: must be positive")
	}
	if c.HalfOpenProbes < 1 || c.HalfOpenProbes > maxHalfOpenProbe {
		p = append(p, fmt.Sprintf("half_open_probes: %d is outside 1..%d", c.HalfOpenProbes, maxHalfOpenProbe))
	}
	return p
}
