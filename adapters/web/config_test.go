package web

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestDefaultConfigIsValid(t *testing.T) {
	if problems := DefaultConfig().Validate(); len(problems) != 0 {
		t.Fatalf("default config: %v", problems)
	}
}

func TestConfigDecodesSection(t *testing.T) {
	const doc = `
enabled = false
tokens = ["0123456789abcdef0123"]
tokens_env = "IMBOT_WEB_TOKENS"
max_message_bytes = 1024
allowed_origins = ["https://chat.example.com"]
ping_interval = "15s"
request_timeout = "1m"
max_connections = 10
history_messages = 20
jwt_public_key_file = "/etc/imbot/jwt.pub"
sessions_per_minute = 5
turns_per_minute = 7
trusted_proxies = ["10.0.0.0/8"]
`
	cfg := DefaultConfig()
	md, err := toml.Decode(doc, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) != 0 {
		t.Fatalf("undecoded keys %v", u)
	}
	want := Config{Enabled: false, Tokens: []string{"0123456789abcdef0123"}, TokensEnv: "IMBOT_WEB_TOKENS",
		MaxMessageBytes: 1024, AllowedHosts: []string{}, AllowedOrigins: []string{"https://chat.example.com"}, PingInterval: 15 * time.Second,
		RequestTimeout: time.Minute, MaxConnections: 10, HistoryMessages: 20,
		JWTPublicKeyFile: "/etc/imbot/jwt.pub", SessionsPerMinute: 5, TurnsPerMinute: 7, TrustedProxies: []string{"10.0.0.0/8"}}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("decoded %+v\nwant    %+v", cfg, want)
	}
	if _, err := toml.Decode(`env_tokens = "x"`, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.EnvTokens != "" {
		t.Fatal("the resolved secret was read from the file")
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   []string // key prefixes of the expected problems
	}{
		{"short token", func(c *Config) { c.Tokens = []string{"short"} }, []string{"tokens[0]:"}},
		{"token with space", func(c *Config) { c.Tokens = []string{"0123456789 abcdefgh"} }, []string{"tokens[0]:"}},
		{"short env token", func(c *Config) { c.TokensEnv, c.EnvTokens = "T", "0123456789abcdefgh,short" }, []string{"tokens_env:"}},
		{"zero max bytes", func(c *Config) { c.MaxMessageBytes = 0 }, []string{"max_message_bytes:"}},
		{"huge max bytes", func(c *Config) { c.MaxMessageBytes = 2 << 20 }, []string{"max_message_bytes:"}},
		{"origin with path", func(c *Config) { c.AllowedOrigins = []string{"https://a.example/chat"} }, []string{"allowed_origins[0]:"}},
		{"origin without scheme", func(c *Config) { c.AllowedOrigins = []string{"a.example"} }, []string{"allowed_origins[0]:"}},
		{"fast ping", func(c *Config) { c.PingInterval = 10 * time.Millisecond }, []string{"ping_interval:"}},
		{"no timeout", func(c *Config) { c.RequestTimeout = 0 }, []string{"request_timeout:"}},
		{"no connections", func(c *Config) { c.MaxConnections = 0 }, []string{"max_connections:"}},
		{"negative history", func(c *Config) { c.HistoryMessages = -1 }, []string{"history_messages:"}},
		{"everything at once", func(c *Config) {
			c.MaxMessageBytes, c.MaxConnections, c.RequestTimeout = -1, -1, -1
		}, []string{"max_message_bytes:", "request_timeout:", "max_connections:"}},
		{"valid extras", func(c *Config) {
			c.Tokens = []string{"0123456789abcdef"}
			c.AllowedOrigins = []string{"*", "http://localhost:8080", "https://chat.example.com/"}
			c.HistoryMessages = 0
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.change(&cfg)
			got := cfg.Validate()
			if len(got) != len(tt.want) {
				t.Fatalf("problems %q, want %d of them", got, len(tt.want))
			}
			for i, prefix := range tt.want {
				if !strings.HasPrefix(got[i], prefix) {
					t.Fatalf("problem %q, want key %q", got[i], prefix)
				}
			}
		})
	}
}

func TestNewRejectsInvalidConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxConnections = 0
	if _, err := New(cfg, newMemHistory()); err == nil || !strings.Contains(err.Error(), "max_connections") {
		t.Fatalf("New: %v, want the max_connections problem", err)
	}
	if _, err := New(DefaultConfig(), nil); err == nil {
		t.Fatal("New accepted a nil history")
	}
	if _, err := New(DefaultConfig(), newMemHistory(), WithSendQueue(0, 10)); err == nil {
		t.Fatal("New accepted an empty send queue")
	}
}

func TestValidateIdentityAndClientLimits(t *testing.T) {
	c := DefaultConfig()
	c.JWTSecretEnv, c.JWTSecret, c.JWTPublicKeyFile = "S", "short", "/k.pem"
	c.SessionsPerMinute, c.TurnsPerMinute = -1, -1
	c.TrustedProxies = []string{"10.0.0.0/8", "proxy.example"}
	got := strings.Join(c.Validate(), "\n")
	for _, want := range []string{"jwt_secret_env: set either", "sessions_per_minute", "turns_per_minute", "trusted_proxies[1]"} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate lacks %q:\n%s", want, got)
		}
	}
	c.JWTPublicKeyFile = ""
	if got := strings.Join(c.Validate(), "\n"); !strings.Contains(got, "at least 32 bytes") {
		t.Errorf("a short secret passed:\n%s", got)
	}
}
