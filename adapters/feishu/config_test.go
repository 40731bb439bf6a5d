package feishu

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"imbot/core"
)

// issueSection is the [adapters.feishu] section as documented; its keys are
// a contract with config files and tools.
const issueSection = `
enabled = true
mode = "webhook"
app_id = "cli_xxx"
app_secret_env = "FEISHU_APP_SECRET"
verification_token_env = "FEISHU_VERIFICATION_TOKEN"
encrypt_key_env = "FEISHU_ENCRYPT_KEY"
base_url = "https://open.feishu.cn"
webhook_path = "/feishu/events"
group_trigger = "mention"
session_scope = "chat"
reply_in_thread = false
show_route = true
stale_window = "30m"
update_interval = "250ms"
`

func TestConfigDecodesDocumentedKeys(t *testing.T) {
	cfg := DefaultConfig()
	md, err := toml.Decode(issueSection, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("unknown keys %v", u)
	}
	cfg.AppSecret, cfg.VerificationToken, cfg.EncryptKey = "s", "t", "k"
	if p := cfg.Validate(); len(p) > 0 {
		t.Fatalf("documented section invalid: %v", p)
	}
	if cfg.Mode != ModeWebhook || cfg.StaleWindow != 30*time.Minute || cfg.UpdateInterval != 250*time.Millisecond {
		t.Fatalf("decoded %+v", cfg)
	}
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		c := DefaultConfig()
		c.Enabled, c.AppID, c.AppSecret = true, "cli_x", "secret"
		return c
	}
	tests := []struct {
		name string
		edit func(*Config)
		want []string // key prefixes of the problems, in order
	}{
		{"defaults with credentials (websocket)", func(*Config) {}, nil},
		{"disabled is not checked", func(c *Config) { *c = DefaultConfig() }, nil},
		{"missing credentials", func(c *Config) { c.AppID, c.AppSecret = "", "" }, []string{"app_id", "app_secret_env"}},
		{"webhook needs encrypt key and token", func(c *Config) { c.Mode = ModeWebhook },
			[]string{"encrypt_key_env", "verification_token_env"}},
		{"webhook path", func(c *Config) {
			c.Mode, c.EncryptKey, c.VerificationToken, c.WebhookPath = ModeWebhook, "k", "t", "feishu"
		}, []string{"webhook_path"}},
		{"enums", func(c *Config) { c.Mode, c.Trigger, c.Scope = "poll", 9, 9 },
			[]string{"mode", "group_trigger", "group_scope"}},
		{"base url", func(c *Config) { c.BaseURL = "open.feishu.cn" }, []string{"base_url"}},
		{"durations", func(c *Config) { c.StaleWindow, c.UpdateInterval = 0, 50*time.Millisecond },
			[]string{"stale_window", "update_interval"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.edit(&c)
			var keys []string
			for _, p := range c.Validate() {
				keys = append(keys, strings.SplitN(p, ":", 2)[0])
			}
			if !slices.Equal(keys, tc.want) {
				t.Fatalf("problems for keys %v, want %v (%v)", keys, tc.want, c.Validate())
			}
		})
	}
	c := valid()
	c.Mode = ModeWebhook
	if p := c.Validate(); !strings.Contains(p[0], "FEISHU_ENCRYPT_KEY") {
		t.Errorf("the encrypt key problem should name the variable: %q", p[0])
	}
	if _, err := New(c); err == nil {
		t.Error("New accepted a webhook config without an encrypt key")
	}
}

func TestSessionScopeIsAnAliasOfGroupScope(t *testing.T) {
	user, chat := core.ScopeUser, core.ScopeChat
	tests := []struct {
		name     string
		alias    *core.Scope
		scope    core.Scope
		scopeSet bool
		want     core.Scope
		warn     bool
		fail     bool
	}{
		{"neither", nil, core.ScopeChat, false, core.ScopeChat, false, false},
		{"group_scope only", nil, core.ScopeUser, true, core.ScopeUser, false, false},
		{"session_scope only", &user, core.ScopeChat, false, core.ScopeUser, true, false},
		{"both, equal", &user, core.ScopeUser, true, core.ScopeUser, true, false},
		{"both, different", &chat, core.ScopeUser, true, core.ScopeUser, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Scope, c.SessionScope = tc.scope, tc.alias
			warning, err := c.ResolveAliases(tc.scopeSet)
			if (err != nil) != tc.fail {
				t.Fatalf("err = %v, want failure %v", err, tc.fail)
			}
			if tc.fail {
				return
			}
			if c.Scope != tc.want || (warning != "") != tc.warn || c.SessionScope != nil {
				t.Fatalf("scope %v, warning %q, alias left %v", c.Scope, warning, c.SessionScope)
			}
		})
	}
}
