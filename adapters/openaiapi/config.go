package openaiapi

import (
	"fmt"
	"time"
)

// Config is the [api] section.
type Config struct {
	// Enabled mounts /v1/chat/completions and /v1/models on the daemon's
	// listener. The keys are the web chat's tokens.
	Enabled bool `toml:"enabled"`
	// RatePerMinute is each key's sustained request rate; 0 turns it off.
	RatePerMinute float64 `toml:"rate_per_minute"`
	// RateBurst is how many requests a key may send at once.
	RateBurst int `toml:"rate_burst"`
	// MaxBodyBytes bounds one request's body.
	MaxBodyBytes int64 `toml:"max_body_bytes"`
	// BodyTimeout bounds how long a client may take to send the body.
	BodyTimeout time.Duration `toml:"body_timeout"`
	// Timeout bounds one request from its body to its last byte.
	Timeout time.Duration `toml:"timeout"`
}

// DefaultConfig returns the defaults of the [api] section.
func DefaultConfig() Config {
	return Config{RatePerMinute: 20, RateBurst: 5, MaxBodyBytes: 1 << 20, BodyTimeout: 10 * time.Second, Timeout: 3 * time.Minute}
}

// Validate reports every problem as "key: problem".
func (c Config) Validate() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if c.RatePerMinute < 0 {
		add("rate_per_minute: must not be negative")
	}
	if c.RatePerMinute > 0 && c.RateBurst < 1 {
		add("rate_burst: must be at least 1 when rate_per_minute is set")
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 64<<20 {
		add("max_body_bytes: %d is outside 1024..%d", c.MaxBodyBytes, 64<<20)
	}
	if c.BodyTimeout <= 0 {
		add("body_timeout: must be positive")
	}
	if c.Timeout <= 0 {
		add("timeout: must be positive")
	}
	return p
}
