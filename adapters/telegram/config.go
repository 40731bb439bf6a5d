package telegram

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"imbot/core"
)

// Mode is how updates reach the adapter.
type Mode string

// Update modes.
const (
	// ModePolling fetches updates with getUpdates long polling.
	ModePolling Mode = "polling"
	// ModeWebhook receives updates on a route of the daemon's own listener.
	ModeWebhook Mode = "webhook"
)

// Config is the [adapters.telegram] section.
type Config struct {
	// Enabled turns the adapter on.
	Enabled bool `toml:"enabled"`
	// Mode is "polling" (default) or "webhook".
	Mode Mode `toml:"mode"`
	// TokenEnv names the environment variable holding the bot token.
	TokenEnv string `toml:"token_env"`
	// APIURL is the Bot API server; a local fake in tests.
	APIURL string `toml:"api_url"`
	// WebhookPath is the route the webhook handler is mounted on.
	WebhookPath string `toml:"webhook_path"`
	// WebhookURL is the public https URL Telegram calls (webhook mode only).
	WebhookURL string `toml:"webhook_url"`
	// WebhookSecretEnv names the environment variable holding the webhook
	// secret token that Telegram echoes in X-Telegram-Bot-Api-Secret-Token.
	WebhookSecretEnv string `toml:"webhook_secret_env"`
	// GroupPolicy holds group_trigger and group_scope; the dispatcher
	// applies it, the adapter only reports mentions and replies to the bot.
	core.GroupPolicy
	// PollTimeout is the long-poll timeout of one getUpdates call.
	PollTimeout time.Duration `toml:"poll_timeout"`
	// RequestTimeout bounds every other Bot API call.
	RequestTimeout time.Duration `toml:"request_timeout"`
	// EditInterval is the least time between two streamed edits in one
	// group chat; 0 streams every update.
	EditInterval time.Duration `toml:"edit_interval"`
	// DraftInterval is the least time between two streamed drafts in one
	// private chat; 0 streams every update.
	DraftInterval time.Duration `toml:"draft_interval"`
	// TypingInterval is how often "typing…" is renewed while a turn runs.
	TypingInterval time.Duration `toml:"typing_interval"`
	// GlobalRate caps messages, edits and drafts sent per second across all
	// chats; 0 means unlimited.
	GlobalRate float64 `toml:"global_rate"`
	// TextOnlyReply, when set, replaces the catalogue's "text_only" text
	// (the answer to stickers, photos without caption, voice notes) in both
	// languages; an older key: [texts.zh] and [texts.en] text_only win.
	TextOnlyReply string `toml:"text_only_reply"`

	// Token is the bot token, filled by the caller from TokenEnv.
	Token string `toml:"-"`
	// WebhookSecret is the webhook secret token, filled by the caller from
	// WebhookSecretEnv.
	WebhookSecret string `toml:"-"`
}

// DefaultConfig returns the defaults of the [adapters.telegram] section.
func DefaultConfig() Config {
	return Config{
		Mode:             ModePolling,
		TokenEnv:         "TELEGRAM_BOT_TOKEN",
		APIURL:           "https://api.telegram.org",
		WebhookPath:      "/telegram/webhook",
		WebhookSecretEnv: "TELEGRAM_WEBHOOK_SECRET",
		PollTimeout:      50 * time.Second,
		RequestTimeout:   15 * time.Second,
		EditInterval:     1500 * time.Millisecond,
		DraftInterval:    500 * time.Millisecond,
		TypingInterval:   4 * time.Second,
		GlobalRate:       30,
	}
}

// The forms of a bot token and of a webhook secret (at most maxSecretLen
// long). The secret's length is checked apart: a counted repetition of 256
// would compile into a program of 256 copies of the class, built at every
// start (a quarter of a megabyte of heap).
var (
	tokenPattern  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)
	secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
)

// maxSecretLen is the longest webhook secret Telegram takes.
const maxSecretLen = 256

// Validate reports every problem as "key: problem". A disabled section is
// not checked.
func (c Config) Validate() []string {
	if !c.Enabled {
		return nil
	}
	var p []string
	add := func(key, format string, args ...any) { p = append(p, key+": "+fmt.Sprintf(format, args...)) }
	switch {
	case c.Token == "":
		add("token_env", "the bot token in $%s is empty", c.TokenEnv)
	case !tokenPattern.MatchString(c.Token):
		add("token_env", "the bot token in $%s is not of the form <bot id>:<secret>", c.TokenEnv)
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("api_url", "want an http(s) URL, got %q", c.APIURL)
	}
	switch c.Mode {
	case ModePolling:
	case ModeWebhook:
		p = append(p, c.validateWebhook()...)
	default:
		add("mode", "want %q or %q, got %q", ModePolling, ModeWebhook, c.Mode)
	}
	p = append(p, c.GroupPolicy.Validate()...)
	if c.PollTimeout < 2*time.Second || c.PollTimeout > 10*time.Minute {
		add("poll_timeout", "want between 2s and 10m, got %s", c.PollTimeout)
	}
	if c.RequestTimeout <= 0 {
		add("request_timeout", "must be positive")
	}
	if c.EditInterval < 0 {
		add("edit_interval", "must not be negative")
	}
	if c.DraftInterval < 0 {
		add("draft_interval", "must not be negative")
	}
	if c.TypingInterval < time.Second || c.TypingInterval > 5*time.Second {
		add("typing_interval", "want between 1s and 5s (Telegram shows it for 5s), got %s", c.TypingInterval)
	}
	if c.GlobalRate < 0 {
		add("global_rate", "must not be negative")
	}
	return p
}

func (c Config) validateWebhook() []string {
	var p []string
	if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
		p = append(p, fmt.Sprintf("webhook_url: webhook mode needs a public https URL, got %q", c.WebhookURL))
	}
	if !strings.HasPrefix(c.WebhookPath, "/") {
		p = append(p, fmt.Sprintf("webhook_path: must start with \"/\", got %q", c.WebhookPath))
	}
	if len(c.WebhookSecret) > maxSecretLen || !secretPattern.MatchString(c.WebhookSecret) {
		p = append(p, fmt.Sprintf("webhook_secret_env: the secret in $%s must be 1-256 characters of A-Z, a-z, 0-9, _ and -", c.WebhookSecretEnv))
	}
	return p
}
