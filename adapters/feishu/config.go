package feishu

import (
	"fmt"
	"net/url"
	"strings"
	"time"
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

// GroupTrigger says which group messages the bot answers.
type GroupTrigger string

// Group triggers.
const (
	// TriggerMention answers group messages that @-mention the bot (or are /commands).
	TriggerMention GroupTrigger = "mention"
	// TriggerAll answers every group message the app receives.
	TriggerAll GroupTrigger = "all"
)

// SessionScope says how a group is divided into conversations.
type SessionScope string

// Session scopes.
const (
	// SessionChat makes a group (or, with reply_in_thread, a thread) one conversation.
	SessionChat SessionScope = "chat"
	// SessionUser gives every member of a group a conversation of their own.
	SessionUser SessionScope = "user"
)

// Config is the [adapters.feishu] section. Secrets are never read from the
// file: the *_env keys name environment variables, and the caller resolves
// them into the toml:"-" fields before calling Validate.
type Config struct {
	Enabled              bool          `toml:"enabled"`
	Mode                 Mode          `toml:"mode"`
	AppID                string        `toml:"app_id"`
	AppSecretEnv         string        `toml:"app_secret_env"`
	VerificationTokenEnv string        `toml:"verification_token_env"`
	EncryptKeyEnv        string        `toml:"encrypt_key_env"`
	BaseURL              string        `toml:"base_url"`
	WebhookPath          string        `toml:"webhook_path"`
	GroupTrigger         GroupTrigger  `toml:"group_trigger"`
	SessionScope         SessionScope  `toml:"session_scope"`
	ReplyInThread        bool          `toml:"reply_in_thread"`
	ShowRoute            bool          `toml:"show_route"`
	StaleWindow          time.Duration `toml:"stale_window"`
	UpdateInterval       time.Duration `toml:"update_interval"`

	// AppSecret is resolved from AppSecretEnv by the caller.
	AppSecret string `toml:"-"`
	// VerificationToken is resolved from VerificationTokenEnv by the caller.
	VerificationToken string `toml:"-"`
	// EncryptKey is resolved from EncryptKeyEnv by the caller.
	EncryptKey string `toml:"-"`
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
		GroupTrigger:         TriggerMention,
		SessionScope:         SessionChat,
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
	if c.GroupTrigger != TriggerMention && c.GroupTrigger != TriggerAll {
		add("group_trigger", "must be %q or %q, not %q", TriggerMention, TriggerAll, c.GroupTrigger)
	}
	if c.SessionScope != SessionChat && c.SessionScope != SessionUser {
		add("session_scope", "must be %q or %q, not %q", SessionChat, SessionUser, c.SessionScope)
	}
	if c.StaleWindow <= 0 {
		add("stale_window", "must be positive, not %s", c.StaleWindow)
	}
	if c.UpdateInterval < minUpdateInterval {
		add("update_interval", "must be at least %s (Feishu's card update limits), not %s", minUpdateInterval, c.UpdateInterval)
	}
	return p
}
