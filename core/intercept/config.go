// Package intercept sends chosen messages to HTTP endpoints before the
// normal route ([[interceptors]]): an order-status service, a ticket form.
// An endpoint's answer is the reply (mode "reply") or is added to the
// model's context (mode "context"), and it may put the conversation in a
// state, so that its next messages come back to the same endpoint first (a
// multi-turn form). Failures fall through to the normal route.
package intercept

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Mode says what an interceptor's answer is for.
type Mode string

// Modes.
const (
	// ModeReply: the answer is the reply; the model is not asked.
	ModeReply Mode = "reply"
	// ModeContext: the answer is added to the model's context.
	ModeContext Mode = "context"
)

// Limits of an interceptor's timeouts and states.
const (
	defaultTimeout  = 3 * time.Second
	maxTimeout      = 30 * time.Second
	defaultStateTTL = 10 * time.Minute
	maxStateTTL     = 24 * time.Hour
	maxStateName    = 64
)

// Config is one [[interceptors]] table.
type Config struct {
	// Name identifies the interceptor in states, metrics and logs.
	Name string `toml:"name"`
	// Pattern is a regular expression (RE2) a message must match; or use
	// Keywords. With both, either matches.
	Pattern string `toml:"pattern"`
	// Keywords are words any of which, found in a message (case folded),
	// select the interceptor.
	Keywords []string `toml:"keywords"`
	// URL is the endpoint the message is POSTed to as JSON.
	URL string `toml:"url"`
	// Timeout bounds one call, the answer included (default 3s, at most 30s).
	Timeout time.Duration `toml:"timeout"`
	// SecretEnv names the environment variable (or NAME_FILE) of the HMAC
	// key that signs each request; empty sends requests unsigned.
	SecretEnv string `toml:"secret_env"`
	// Mode is "reply" (the default) or "context".
	Mode Mode `toml:"mode"`
	// Secret is the resolved value of SecretEnv, filled in when the
	// configuration is loaded.
	Secret string `toml:"-"`
}

// WithDefaults returns c with its zero values set to the defaults.
func (c Config) WithDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout
	}
	if c.Mode == "" {
		c.Mode = ModeReply
	}
	return c
}

// Validate reports every problem of the interceptors as "key: problem",
// each key prefixed by interceptors[i].
func Validate(cfgs []Config) []string {
	var p []string
	seen := map[string]bool{}
	for i, c := range cfgs {
		key := fmt.Sprintf("interceptors[%d].", i)
		for _, problem := range c.problems() {
			p = append(p, key+problem)
		}
		if seen[c.Name] && c.Name != "" {
			p = append(p, key+"name: "+c.Name+" is used twice")
		}
		seen[c.Name] = true
	}
	return p
}

// problems checks one interceptor.
func (c Config) problems() []string {
	var p []string
	if c.Name == "" {
		p = append(p, "name: must be set")
	}
	if c.Pattern == "" && len(c.Keywords) == 0 {
		p = append(p, "pattern: set pattern or keywords")
	}
	if _, err := regexp.Compile(c.Pattern); err != nil {
		p = append(p, "pattern: "+err.Error())
	}
	for j, k := range c.Keywords {
		if strings.TrimSpace(k) == "" {
			p = append(p, fmt.Sprintf("keywords[%d]: is empty", j))
		}
	}
	if u, err := url.Parse(c.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p = append(p, "url: must be an http or https URL")
	}
	if c.Timeout < 0 || c.Timeout > maxTimeout {
		p = append(p, fmt.Sprintf("timeout: must be between 0 (the default, %s) and %s", defaultTimeout, maxTimeout))
	}
	if c.Mode != "" && c.Mode != ModeReply && c.Mode != ModeContext {
		p = append(p, fmt.Sprintf("mode: %q is not \"reply\" or \"context\"", c.Mode))
	}
	return p
}
