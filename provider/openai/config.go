package openai

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"

	"imbot/core/chain"
)

// Config is one [[providers]] table: where a model lives, how long to wait
// for it and how hard to try.
type Config struct {
	// Name identifies the provider in chains, logs, metrics and history.
	Name string `toml:"name"`
	// BaseURL is the API root including its version path, e.g.
	// "https://api.goopenai.com/v1" or "http://127.0.0.1:11434/v1".
	BaseURL string `toml:"base_url"`
	// Model is the chat model name sent with every request.
	Model string `toml:"model"`
	// APIKeyEnv names the environment variable holding the API key; empty
	// means the provider needs no key (a local Ollama or vLLM).
	APIKeyEnv string `toml:"api_key_env"`
	// APIKey is the resolved secret, filled by the caller from APIKeyEnv (or
	// the file named by APIKeyEnv+"_FILE"). It is never read from the file.
	APIKey string `toml:"-"`
	// FirstTokenTimeout bounds the wait from sending the request to the first
	// sign of life in the stream (answer or reasoning text).
	FirstTokenTimeout time.Duration `toml:"first_token_timeout"`
	// Timeout bounds one whole call, first byte to last.
	Timeout time.Duration `toml:"timeout"`
	// ThirdParty says that user text sent here leaves the operator's own
	// infrastructure (a commercial API rather than a local model): personal
	// data is masked before it is sent. When the file does not set it, it is
	// true unless the base URL's host is loopback (see LocalURL).
	ThirdParty bool `toml:"third_party"`
	// MaxRetries is how many times a retryable failure is retried on this
	// provider before the chain moves on.
	MaxRetries int `toml:"max_retries"`
	// MaxTokens caps the completion; 0 leaves it to the provider. A
	// Request's own MaxTokens, when set, wins.
	MaxTokens int `toml:"max_tokens"`
	// Temperature is the sampling temperature; 0 means unset (the
	// provider's default), since the wire format cannot carry an explicit 0.
	Temperature float64 `toml:"temperature"`
	// Breaker configures this provider's circuit breaker.
	Breaker chain.BreakerConfig `toml:"breaker"`
}

// Limits that keep a misconfiguration from turning into a retry storm.
const (
	maxRetriesLimit = 10
	maxTemperature  = 2
	maxNameLength   = 64
	maxTokensLimit  = 1 << 20
)

var (
	nameRE   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	envVarRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// DefaultConfig returns a provider section with every default set; Name,
// BaseURL and Model are left for the operator.
func DefaultConfig() Config {
	return Config{
		FirstTokenTimeout: 15 * time.Second,
		Timeout:           120 * time.Second,
		MaxRetries:        2,
		Breaker:           chain.DefaultBreakerConfig(),
	}
}

// Validate returns every problem in c as "key: problem", keys relative to the
// provider's table. It expects APIKey to be resolved already.
func (c Config) Validate() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	switch {
	case c.Name == "":
		add("name: must not be empty")
	case len(c.Name) > maxNameLength || !nameRE.MatchString(c.Name):
		add("name: %q must be 1-%d letters, digits, '_', '.' or '-'", c.Name, maxNameLength)
	}
	if msg := checkBaseURL(c.BaseURL); msg != "" {
		add("base_url: %s", msg)
	}
	if c.Model == "" {
		add("model: must not be empty")
	}
	if c.APIKeyEnv != "" {
		if !envVarRE.MatchString(c.APIKeyEnv) {
			add("api_key_env: is not an environment variable name (write the name of the variable holding the key, not the key)")
		} else if c.APIKey == "" {
			add("api_key_env: $%s (or the file named by $%s_FILE) is empty or unset", c.APIKeyEnv, c.APIKeyEnv)
		}
	}
	if c.FirstTokenTimeout <= 0 {
		add("first_token_timeout: must be positive")
	}
	if c.Timeout <= 0 {
		add("timeout: must be positive")
	}
	if c.FirstTokenTimeout > 0 && c.Timeout > 0 && c.FirstTokenTimeout > c.Timeout {
		add("first_token_timeout: %s is longer than timeout %s", c.FirstTokenTimeout, c.Timeout)
	}
	if c.MaxRetries < 0 || c.MaxRetries > maxRetriesLimit {
		add("max_retries: %d is outside 0..%d", c.MaxRetries, maxRetriesLimit)
	}
	if c.MaxTokens < 0 || c.MaxTokens > maxTokensLimit {
		add("max_tokens: %d is outside 0..%d", c.MaxTokens, maxTokensLimit)
	}
	if c.Temperature < 0 || c.Temperature > maxTemperature {
		add("temperature: %g is outside 0..%d", c.Temperature, maxTemperature)
	}
	for _, msg := range c.Breaker.Validate() {
		add("breaker.%s", msg)
	}
	return p
}

// checkBaseURL returns what is wrong with raw as an API base URL, or "".
func checkBaseURL(raw string) string {
	if raw == "" {
		return "must not be empty"
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "does not parse as a URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("scheme %q is not http or https", u.Scheme)
	case u.Host == "":
		return "has no host"
	case u.User != nil:
		return "must not carry credentials; use api_key_env"
	case u.RawQuery != "" || u.Fragment != "":
		return "must not have a query or fragment"
	case u.Path == "" || u.Path == "/":
		return "must include the API version path, e.g. https://api.goopenai.com/v1"
	}
	return ""
}

// LocalURL reports whether raw's host is this machine: "localhost", a name
// ending in ".localhost" or a loopback address. Only such a provider is
// taken for local when third_party is not set.
func LocalURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// String describes c for logs and dumps with the API key masked.
func (c Config) String() string {
	key := ""
	if c.APIKey != "" {
		key = "[redacted]"
	}
	return fmt.Sprintf("provider{name=%s base_url=%s model=%s api_key_env=%s api_key=%s third_party=%t}",
		c.Name, c.BaseURL, c.Model, c.APIKeyEnv, key, c.ThirdParty)
}

// Policy returns what chains need to know about this provider.
func (c Config) Policy() chain.Policy {
	return chain.Policy{Name: c.Name, Model: c.Model, ThirdParty: c.ThirdParty,
		MaxRetries: c.MaxRetries, FirstTokenTimeout: c.FirstTokenTimeout, Breaker: c.Breaker}
}

// LogValue makes slog print the masked form of c.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }
