package openai

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"imbot/core/chain"
)

func validConfig() Config {
	c := DefaultConfig()
	c.Name, c.BaseURL, c.Model = "openai", "https://api.goopenai.com/v1", "gpt-4o-mini"
	c.APIKeyEnv, c.APIKey = "OPENAI_API_KEY", "sk-x"
	return c
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		tweak  func(*Config)
		prefix []string // each problem's key, in order
	}{
		{"valid", func(*Config) {}, nil},
		{"local without key", func(c *Config) { c.APIKeyEnv, c.APIKey, c.BaseURL = "", "", "http://127.0.0.1:11434/v1" }, nil},
		{"empty name", func(c *Config) { c.Name = "" }, []string{"name:"}},
		{"bad name", func(c *Config) { c.Name = "a b" }, []string{"name:"}},
		{"no base url", func(c *Config) { c.BaseURL = "" }, []string{"base_url:"}},
		{"ftp base url", func(c *Config) { c.BaseURL = "ftp://x/v1" }, []string{"base_url:"}},
		{"no version path", func(c *Config) { c.BaseURL = "https://api.goopenai.com" }, []string{"base_url:"}},
		{"credentials in url", func(c *Config) { c.BaseURL = "https://u:p@api.goopenai.com/v1" }, []string{"base_url:"}},
		{"query in url", func(c *Config) { c.BaseURL = "https://api.goopenai.com/v1?x=1" }, []string{"base_url:"}},
		{"no model", func(c *Config) { c.Model = "" }, []string{"model:"}},
		{"key unresolved", func(c *Config) { c.APIKey = "" }, []string{"api_key_env:"}},
		{"bad env name", func(c *Config) { c.APIKeyEnv = "1-X" }, []string{"api_key_env:"}},
		{"zero timeouts", func(c *Config) { c.FirstTokenTimeout, c.Timeout = 0, 0 }, []string{"first_token_timeout:", "timeout:"}},
		{"first token after total", func(c *Config) { c.FirstTokenTimeout = 3 * time.Minute }, []string{"first_token_timeout:"}},
		{"negative retries", func(c *Config) { c.MaxRetries = -1 }, []string{"max_retries:"}},
		{"too many retries", func(c *Config) { c.MaxRetries = 11 }, []string{"max_retries:"}},
		{"negative max tokens", func(c *Config) { c.MaxTokens = -5 }, []string{"max_tokens:"}},
		{"temperature", func(c *Config) { c.Temperature = 2.5 }, []string{"temperature:"}},
		{"breaker", func(c *Config) {
			c.Breaker = chain.BreakerConfig{FailureRatio: 1.5, Window: 0, MinCalls: 0, Cooldown: -1, HalfOpenProbes: 0}
		}, []string{"breaker.failure_ratio:", "breaker.window:", "breaker.min_calls:", "breaker.min_conversations:", "breaker.cooldown:", "breaker.half_open_probes:"}},
		{"zero ratio", func(c *Config) { c.Breaker.FailureRatio = 0 }, []string{"breaker.failure_ratio:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.tweak(&c)
			got := c.Validate()
			keys := make([]string, len(got))
			for i, p := range got {
				keys[i] = p[:strings.Index(p, ":")+1]
			}
			if !slices.Equal(keys, tt.prefix) {
				t.Errorf("Validate() = %q, want keys %q", got, tt.prefix)
			}
		})
	}
}

func TestConfigDecodesFromTOML(t *testing.T) {
	const doc = `
name = "deepseek"
base_url = "https://api.deepseek.com/v1"
model = "deepseek-chat"
api_key_env = "DEEPSEEK_API_KEY"
first_token_timeout = "10s"
timeout = "90s"
third_party = true
max_retries = 1
max_tokens = 1024
temperature = 0.5

[breaker]
failure_ratio = 0.6
window = "2m"
min_calls = 10
min_conversations = 4
cooldown = "45s"
half_open_probes = 2
`
	c := DefaultConfig()
	md, err := toml.Decode(doc, &c)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if und := md.Undecoded(); len(und) != 0 {
		t.Fatalf("undecoded keys: %v", und)
	}
	want := Config{Name: "deepseek", BaseURL: "https://api.deepseek.com/v1", Model: "deepseek-chat",
		APIKeyEnv: "DEEPSEEK_API_KEY", FirstTokenTimeout: 10 * time.Second, Timeout: 90 * time.Second,
		ThirdParty: true, MaxRetries: 1, MaxTokens: 1024, Temperature: 0.5,
		Breaker: chain.BreakerConfig{FailureRatio: 0.6, Window: 2 * time.Minute, MinCalls: 10, MinConversations: 4, Cooldown: 45 * time.Second, HalfOpenProbes: 2}}
	if c != want {
		t.Errorf("decoded %+v, want %+v", c, want)
	}
}

func TestConfigStringMasksKey(t *testing.T) {
	c := validConfig()
	c.APIKey = "sk-very-secret"
	for _, s := range []string{c.String(), c.LogValue().String()} {
		if strings.Contains(s, "sk-very-secret") || !strings.Contains(s, "[redacted]") {
			t.Errorf("dump %q does not mask the key", s)
		}
	}
}

func TestLocalURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"http://127.0.0.1:11434/v1":    true,
		"http://localhost:8000/v1":     true,
		"http://LOCALHOST/v1":          true,
		"http://model.localhost/v1":    true,
		"http://[::1]:8000/v1":         true,
		"http://10.0.0.5:8000/v1":      false,
		"https://api.deepseek.com/v1":  false,
		"https://localhost.example/v1": false,
		"://bad":                       false,
	} {
		if got := LocalURL(raw); got != want {
			t.Errorf("LocalURL(%q) = %v, want %v", raw, got, want)
		}
	}
}
