package telegram

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigIsValid(t *testing.T) {
	cfg := DefaultConfig()
	if p := cfg.Validate(); p != nil {
		t.Errorf("disabled default: %v", p)
	}
	cfg.Enabled, cfg.Token = true, "123:abc_DEF-1"
	if p := cfg.Validate(); p != nil {
		t.Errorf("enabled default with a token: %v", p)
	}
}

func TestConfigValidate(t *testing.T) {
	valid := DefaultConfig()
	valid.Enabled, valid.Token = true, "123:abc"
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string // keys with problems
	}{
		{"no token", func(c *Config) { c.Token = "" }, []string{"token_env"}},
		{"malformed token", func(c *Config) { c.Token = "abc" }, []string{"token_env"}},
		{"bad mode", func(c *Config) { c.Mode = "push" }, []string{"mode"}},
		{"bad api url", func(c *Config) { c.APIURL = "ftp://x" }, []string{"api_url"}},
		{"webhook needs url and secret", func(c *Config) { c.Mode = ModeWebhook }, []string{"webhook_url", "webhook_secret_env"}},
		{"webhook over http", func(c *Config) {
			c.Mode, c.WebhookURL, c.WebhookSecret = ModeWebhook, "http://x/hook", "ok"
		}, []string{"webhook_url"}},
		{"webhook secret charset", func(c *Config) {
			c.Mode, c.WebhookURL, c.WebhookSecret = ModeWebhook, "https://x/hook", "no spaces"
		}, []string{"webhook_secret_env"}},
		{"webhook secret of 257 characters", func(c *Config) {
			c.Mode, c.WebhookURL, c.WebhookSecret = ModeWebhook, "https://x/hook", strings.Repeat("a", 257)
		}, []string{"webhook_secret_env"}},
		{"webhook secret of 256 characters", func(c *Config) {
			c.Mode, c.WebhookURL, c.WebhookSecret = ModeWebhook, "https://x/hook", strings.Repeat("a", 256)
		}, nil},
		{"webhook path", func(c *Config) {
			c.Mode, c.WebhookURL, c.WebhookSecret, c.WebhookPath = ModeWebhook, "https://x/hook", "ok", "hook"
		}, []string{"webhook_path"}},
		{"trigger and scope", func(c *Config) { c.Trigger, c.Scope = 9, 9 }, []string{"group_trigger", "group_scope"}},
		{"durations", func(c *Config) {
			c.PollTimeout, c.RequestTimeout, c.EditInterval, c.DraftInterval, c.TypingInterval = time.Second, 0, -1, -1, time.Minute
		}, []string{"poll_timeout", "request_timeout", "edit_interval", "draft_interval", "typing_interval"}},
		{"rate", func(c *Config) { c.GlobalRate = -1 }, []string{"global_rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid
			tt.modify(&cfg)
			var keys []string
			for _, p := range cfg.Validate() {
				key, _, _ := strings.Cut(p, ":")
				keys = append(keys, key)
			}
			if !slices.Equal(keys, tt.want) {
				t.Errorf("problems with %v, want %v (%q)", keys, tt.want, cfg.Validate())
			}
		})
	}
}

func TestConfigProblemsNeverShowSecrets(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Enabled, cfg.Token, cfg.Mode, cfg.WebhookSecret = true, "12:bad token!", ModeWebhook, "bad secret!"
	for _, p := range cfg.Validate() {
		if strings.Contains(p, cfg.Token) || strings.Contains(p, cfg.WebhookSecret) {
			t.Errorf("problem shows a secret: %s", p)
		}
	}
}
