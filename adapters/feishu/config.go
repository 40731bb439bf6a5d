package feishu

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"imbot/core"
)

// Mode is how the adapter receives events.
type Mode string

// Event modes.
const (
	// ModeWebSocket holds Feishu's long connection; needs only app id and secret.
	ModeWebSocket Mode = "websocket"
	// ModeWebhook serves an HTTP callback on the daemon's own listener.
	ModeWebhook Mode = "webhook"
)

// Config is the [adapters.feishu] section. Secrets are never read from the
// file: the *_env keys name environment variables, and the caller resolves
// them into the toml:"-" fields before calling Validate.
type Config struct {
	Enabled              bool   `toml:"enabled"`
	Mode                 Mode   `toml:"mode"`
	AppID                string `toml:"app_id"`
	AppSecretEnv         string `toml:"app_secret_env"`
	VerificationTokenEnv string `toml:"verification_token_env"`
	EncryptKeyEnv        string `toml:"encrypt_key_env"`
	BaseURL              string `toml:"base_url"`
	WebhookPath          string `toml:"webhook_path"`
	// GroupPolicy holds group_trigger and group_scope; the dispatcher
	// applies it, the adapter only reports mentions of the bot.
	core.GroupPolicy
	// SessionScope is session_scope, the earlier name of group_scope. It
	// stays accepted; ResolveAliases folds it into GroupPolicy.Scope.
	SessionScope   *core.Scope   `toml:"session_scope"`
	ReplyInThread  bool          `toml:"reply_in_thread"`
	ShowRoute      bool          `toml:"show_route"`
	StaleWindow    time.Duration `toml:"stale_window"`
	UpdateInterval time.Duration `toml:"update_interval"`

	// AppSecret is resolved from AppSecretEnv by the caller.
	AppSecret string `toml:"-"`
	// VerificationToken is resolved from VerificationTokenEnv by the caller.
	VerificationToken string `toml:"-"`
	// EncryptKey is resolved from EncryptKeyEnv by the caller.
	EncryptKey string `toml:"-"`
}

// ResolveAliases folds the earlier key session_scope into group_scope.
// groupScopeSet says whether the file set group_scope itself. It returns a
// warning to log when session_scope is used, and an error when both keys
// are set and differ.
func (c *Config) ResolveAliases(groupScopeSet bool) (warning string, err error) {
	if c.SessionScope == nil {
		return "", nil
	}
	alias := *c.SessionScope
	c.SessionScope = nil
	if groupScopeSet && alias != c.Scope {
		return "", fmt.Errorf("session_scope %q and group_scope %q differ: keep group_scope only", alias, c.Scope)
	}
	c.Scope = alias
	return "session_scope is the earlier name of group_scope; rename it", nil
}

// minUpdateInterval keeps card updates within Feishu's limits: 5 PATCH/s per
// message and 10 CardKit operations/s per card.
const minUpdateInterval = 200 * time.Millisecond

// DefaultConfig returns the section's defaults. The adapter is disabled.
func DefaultConfig() Config {
	return Config{
		Mode:                 ModeWebSocket,
		AppSecretEnv:         "FEISHU_APP_SECRET",
		VerificationTokenEnv: "FEISHU_VERIFICATION_TOKEN",
		EncryptKeyEnv:        "FEISHU_ENCRYPT_KEY",
		BaseURL:              "https://open.feishu.cn",
		WebhookPath:          "/feishu/events",
		ShowRoute:            true,
		StaleWindow:          30 * time.Minute,
		UpdateInterval:       250 * time.Millisecond,
	}
}

// Validate returns every problem as "key: problem", keys relative to the
// section. A disabled section is not checked.
func (c Config) Validate() []string {
	if !c.Enabled {
		return nil
	}
	var p []string
	add := func(key, format string, args ...any) {
		p = append(p, key+": "+fmt.Sprintf(format, args...))
	}
	if c.Mode != ModeWebSocket && c.Mode != ModeWebhook {
		add("mode", "must be %q or %q, not %q", ModeWebSocket, ModeWebhook, c.Mode)
	}
	if strings.TrimSpace(c.AppID) == "" {
		add("app_id", "is required")
	}
	if c.AppSecret == "" {
		add("app_secret_env", "the app secret is empty: set %s (or %s_FILE)", c.AppSecretEnv, c.AppSecretEnv)
	}
	if c.Mode == ModeWebhook {
		if c.EncryptKey == "" {
			add("encrypt_key_env", "webhook mode requires an encrypt key: set %s (or %s_FILE)", c.EncryptKeyEnv, c.EncryptKeyEnv)
		}
		if c.VerificationToken == "" {
			add("verification_token_env", "webhook mode requires a verification token: set %s (or %s_FILE)",
				c.VerificationTokenEnv, c.VerificationTokenEnv)
		}
		if !strings.HasPrefix(c.WebhookPath, "/") || strings.ContainsAny(c.WebhookPath, " {}") {
			add("webhook_path", "must be an absolute URL path, not %q", c.WebhookPath)
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		add("base_url", "must be an http(s) URL, not %q", c.BaseURL)
	}
	p = append(p, c.GroupPolicy.Validate()...)
	if c.StaleWindow <= 0 {
		add("stale_window", "must be positive, not %s", c.StaleWindow)
	}
	if c.UpdateInterval < minUpdateInterval {
		add("update_interval", "must be at least %s (Feishu's card update limits), not %s", minUpdateInterval, c.UpdateInterval)
	}
	return p
}
