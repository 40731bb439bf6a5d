package web

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Limits that Validate enforces.
const (
	minTokenLen        = 16
	maxMessageBytesCap = 1 << 20 // 1 MiB: a chat message, not an upload
	maxHistoryMessages = 1000
	minPingInterval    = time.Second
)

// Config is the [adapters.web] section. Key names are part of the
// configuration contract.
type Config struct {
	// Enabled turns the web chat and HTTP API on.
	Enabled bool `toml:"enabled"`
	// Tokens, when non-empty, are the bearer tokens that /ws and /api/chat
	// accept; when empty (and TokensEnv resolves to nothing) both are open.
	Tokens []string `toml:"tokens"`
	// TokensEnv names an environment variable (or, with the suffix _FILE, a
	// file) holding more tokens, separated by commas or white space. The
	// caller resolves it into EnvTokens before Validate.
	TokensEnv string `toml:"tokens_env"`
	// EnvTokens is the resolved value of TokensEnv; never read from the file.
	EnvTokens string `toml:"-"`
	// JWTSecretEnv names the environment variable (or, with _FILE, the
	// file) holding the HS256 secret of identity tokens: a token naming the
	// user (sub), optionally their name (name), and its expiry (exp). The
	// user then owns the conversation on every device. Static tokens keep
	// working beside it.
	JWTSecretEnv string `toml:"jwt_secret_env"`
	// JWTSecret is the resolved value of JWTSecretEnv; never read from the
	// file.
	JWTSecret string `toml:"-"`
	// JWTPublicKeyFile is a PEM public key (RSA for RS256, Ed25519 for
	// EdDSA) that verifies identity tokens instead of a secret.
	JWTPublicKeyFile string `toml:"jwt_public_key_file"`
	// SessionsPerMinute caps new WebSocket sessions per client IP and
	// minute; 0 turns the cap off. Loopback clients are exempt.
	SessionsPerMinute int `toml:"sessions_per_minute"`
	// TurnsPerMinute caps messages per client IP and minute, over every
	// session and /api/chat; 0 turns the cap off. Loopback clients are
	// exempt.
	TurnsPerMinute int `toml:"turns_per_minute"`
	// TrustedProxies lists the proxies (CIDRs) whose X-Forwarded-For names
	// the client for the per-IP caps; a request from anywhere else is
	// counted by its own address.
	TrustedProxies []string `toml:"trusted_proxies"`
	// MaxMessageBytes caps the UTF-8 length of one user message.
	MaxMessageBytes int `toml:"max_message_bytes"`
	// AllowedHosts lists the host names (as in the Host header, without the
	// port) the chat answers to besides loopback names. With no token
	// configured, a request naming any other host is refused: that stops a
	// web page from reaching an open chat through DNS rebinding. With
	// tokens, every host is served; "*" serves every host in open mode too.
	AllowedHosts []string `toml:"allowed_hosts"`
	// AllowedOrigins lists browser origins ("https://chat.example.com")
	// allowed besides the daemon's own host; "*" allows every origin.
	AllowedOrigins []string `toml:"allowed_origins"`
	// PingInterval is how often an idle WebSocket is pinged; a client that
	// sends nothing (not even a pong) for two intervals is disconnected.
	PingInterval time.Duration `toml:"ping_interval"`
	// RequestTimeout bounds how long /api/chat waits for a reply, and how
	// long a WebSocket message counts as in flight.
	RequestTimeout time.Duration `toml:"request_timeout"`
	// MaxConnections caps concurrent WebSocket connections.
	MaxConnections int `toml:"max_connections"`
	// HistoryMessages is how many stored messages the history frame carries
	// when a session resumes; 0 sends none.
	HistoryMessages int `toml:"history_messages"`
}

// DefaultConfig returns the defaults of every key.
func DefaultConfig() Config {
	return Config{
		Enabled:           true,
		Tokens:            []string{},
		MaxMessageBytes:   32 << 10,
		AllowedHosts:      []string{},
		AllowedOrigins:    []string{},
		PingInterval:      30 * time.Second,
		RequestTimeout:    120 * time.Second,
		MaxConnections:    1000,
		HistoryMessages:   50,
		SessionsPerMinute: 30,
		TurnsPerMinute:    60,
		TrustedProxies:    []string{},
	}
}

// Validate reports every problem in c as "key: problem", keys relative to the
// section. It checks EnvTokens too, so call it after resolving TokensEnv.
func (c Config) Validate() []string {
	var errs []string
	add := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	for i, t := range c.Tokens {
		if problem := tokenProblem(t); problem != "" {
			add("tokens[%d]: %s", i, problem)
		}
	}
	for i, t := range splitTokens(c.EnvTokens) {
		if problem := tokenProblem(t); problem != "" {
			add("tokens_env: token %d: %s", i+1, problem)
		}
	}
	errs = append(errs, c.identityProblems()...)
	if c.SessionsPerMinute < 0 {
		add("sessions_per_minute: %d is negative", c.SessionsPerMinute)
	}
	if c.TurnsPerMinute < 0 {
		add("turns_per_minute: %d is negative", c.TurnsPerMinute)
	}
	for i, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			add("trusted_proxies[%d]: %q is not a CIDR such as 10.0.0.0/8", i, p)
		}
	}
	if c.MaxMessageBytes <= 0 || c.MaxMessageBytes > maxMessageBytesCap {
		add("max_message_bytes: %d is outside 1..%d", c.MaxMessageBytes, maxMessageBytesCap)
	}
	for i, h := range c.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/: \t") && h != "*" {
			add("allowed_hosts[%d]: %q is not a host name (no scheme, port or path)", i, h)
		}
	}
	for i, o := range c.AllowedOrigins {
		if _, err := normalizeOrigin(o); err != nil {
			add("allowed_origins[%d]: %v", i, err)
		}
	}
	if c.PingInterval < minPingInterval {
		add("ping_interval: %s is shorter than %s", c.PingInterval, minPingInterval)
	}
	if c.RequestTimeout <= 0 {
		add("request_timeout: must be positive, got %s", c.RequestTimeout)
	}
	if c.MaxConnections <= 0 {
		add("max_connections: must be positive, got %d", c.MaxConnections)
	}
	if c.HistoryMessages < 0 || c.HistoryMessages > maxHistoryMessages {
		add("history_messages: %d is outside 0..%d", c.HistoryMessages, maxHistoryMessages)
	}
	return errs
}

// identityProblems checks the identity token keys.
func (c Config) identityProblems() []string {
	switch {
	case c.JWTSecretEnv != "" && c.JWTPublicKeyFile != "":
		return []string{"jwt_secret_env: set either it or jwt_public_key_file, not both"}
	case c.JWTSecretEnv != "" && len(c.JWTSecret) < minSecretBytes:
		return []string{fmt.Sprintf("jwt_secret_env: $%s (or its _FILE) must hold at least %d bytes", c.JWTSecretEnv, minSecretBytes)}
	}
	return nil
}

// allTokens returns the tokens from the file and from the environment.
func (c Config) allTokens() []string {
	return append(append([]string(nil), c.Tokens...), splitTokens(c.EnvTokens)...)
}

// splitTokens splits a resolved tokens_env value on commas and white space.
func splitTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

func tokenProblem(t string) string {
	switch {
	case len(t) < minTokenLen:
		return fmt.Sprintf("shorter than %d characters", minTokenLen)
	case strings.ContainsAny(t, " \t\r\n,"):
		return "contains white space or a comma"
	}
	return ""
}

// normalizeOrigin turns an allowed_origins entry into the form browsers send
// in the Origin header: lower-case "scheme://host[:port]", or "*".
func normalizeOrigin(o string) (string, error) {
	if o == "*" {
		return o, nil
	}
	u, err := url.Parse(o)
	if err != nil {
		return "", fmt.Errorf("not a URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", fmt.Errorf("%q: want http:// or https://", o)
	}
	if u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: want scheme://host[:port] only", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}

// HasTokens reports whether any token is configured, in the file or its
// environment variable.
func (c Config) HasTokens() bool { return len(c.allTokens()) > 0 }
