package core

import (
	"fmt"
	"math"
	"strings"
	"time"

	"imbot/core/catalog"
)

// DispatcherConfig is the [dispatcher] section.
type DispatcherConfig struct {
	// MaxInFlight bounds the turns running at once across conversations.
	MaxInFlight int `toml:"max_inflight"`
	// MaxQueued bounds the turns accepted and not yet finished; past it new
	// messages get the busy text at once.
	MaxQueued int `toml:"max_queued"`
	// ShedFrom is the share of MaxQueued past which a growing share of new
	// messages get BusyReply: none at the mark (rounded up), rising in
	// proportion to all of them past MaxQueued. 1 sheds only past MaxQueued.
	ShedFrom float64 `toml:"shed_from"`
	// RatePerMinute is each user's sustained message rate; 0 turns it off.
	RatePerMinute float64 `toml:"rate_per_minute"`
	// RateBurst is how many messages a user may send at once.
	RateBurst int `toml:"rate_burst"`
	// TurnTimeout bounds one turn from its start to its final reply; a reply
	// produced as the turn times out (the degraded one) still gets up to 30
	// seconds more to be sent.
	TurnTimeout time.Duration `toml:"turn_timeout"`
	// DrainTimeout bounds how long shutdown waits for turns in flight.
	DrainTimeout time.Duration `toml:"drain_timeout"`
	// Allow lists who may talk to the bot: "platform:user_id",
	// "platform:chat:chat_id" or "platform:*". Empty allows everyone.
	Allow []string `toml:"allow"`
	// DeniedReplyInterval is how often a sender the allow-list does not
	// admit is told so (the catalogue's denied text) when they address the
	// bot: at most once per interval; 0 never answers them.
	DeniedReplyInterval time.Duration `toml:"denied_reply_interval"`
	// BusyReply, when set, replaces the catalogue's busy text (the answer
	// when the queue is full) in both languages.
	BusyReply string `toml:"busy_reply"`
	// RateLimitedReply, when set, replaces the catalogue's rate_limited
	// text (the answer over the sender's rate limit) in both languages.
	RateLimitedReply string `toml:"rate_limited_reply"`
	// Coalesce answers a burst of messages from one user in one
	// conversation with one answer: a follow-up that arrives before the
	// answer streams restarts the turn with every message, one that arrives
	// later is answered with the other waiting ones in the next turn.
	Coalesce bool `toml:"coalesce"`
	// GroupPolicies holds each platform's group policy; platforms not
	// listed use the zero policy (mention, chat). Filled from the adapters'
	// sections.
	GroupPolicies map[Platform]GroupPolicy `toml:"-"`
}

// DefaultDispatcherConfig returns the defaults of the [dispatcher] section.
func DefaultDispatcherConfig() DispatcherConfig {
	return DispatcherConfig{
		MaxInFlight:         32,
		MaxQueued:           1024,
		ShedFrom:            0.75,
		RatePerMinute:       20,
		RateBurst:           5,
		TurnTimeout:         3 * time.Minute,
		DrainTimeout:        10 * time.Second,
		DeniedReplyInterval: time.Hour,
		Coalesce:            true,
	}
}

// shedShare is the share of new messages to refuse as busy when n turns,
// the new one included, would be queued.
func (c DispatcherConfig) shedShare(n int64) float64 {
	mark := int64(math.Ceil(c.ShedFrom * float64(c.MaxQueued)))
	switch {
	case n > int64(c.MaxQueued):
		return 1
	case n <= mark:
		return 0
	}
	return float64(n-mark) / float64(int64(c.MaxQueued)-mark+1)
}

// Validate reports every problem as "key: problem".
func (c DispatcherConfig) Validate() []string {
	var p []string
	if c.MaxInFlight < 1 {
		p = append(p, "max_inflight: must be at least 1")
	}
	if c.MaxQueued < c.MaxInFlight {
		p = append(p, "max_queued: must be at least max_inflight")
	}
	if c.ShedFrom <= 0 || c.ShedFrom > 1 {
		p = append(p, "shed_from: must be above 0 and at most 1")
	}
	if c.RatePerMinute < 0 {
		p = append(p, "rate_per_minute: must not be negative")
	}
	if c.RatePerMinute > 0 && c.RateBurst < 1 {
		p = append(p, "rate_burst: must be at least 1 when rate_per_minute is set")
	}
	if c.TurnTimeout <= 0 {
		p = append(p, "turn_timeout: must be positive")
	}
	if c.DrainTimeout < 0 {
		p = append(p, "drain_timeout: must not be negative")
	}
	if c.DeniedReplyInterval < 0 {
		p = append(p, "denied_reply_interval: must not be negative")
	}
	for i, a := range c.Allow {
		if _, _, ok := strings.Cut(a, ":"); !ok {
			p = append(p, fmt.Sprintf("allow[%d]: %q is not \"platform:user_id\", \"platform:chat:chat_id\" or \"platform:*\"", i, a))
		}
	}
	return p
}

// ApplyTexts sets the catalogue texts that busy_reply and
// rate_limited_reply replace, in both languages; an empty key leaves the
// catalogue's texts.
func (c DispatcherConfig) ApplyTexts(cat *catalog.Catalog) error {
	return setBoth(cat, map[catalog.ID]string{catalog.Busy: c.BusyReply, catalog.RateLimited: c.RateLimitedReply})
}
