package store

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultConfigIsValid(t *testing.T) {
	if problems := DefaultConfig().Validate(); problems != nil {
		t.Fatalf("DefaultConfig().Validate() = %q, want none", problems)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string // key prefixes of the expected problems, in order
	}{
		{"retention set", func(c *Config) { c.Retention = 90 * 24 * time.Hour }, nil},
		{"empty path", func(c *Config) { c.Path = "" }, []string{"path:"}},
		{"zero lock timeout", func(c *Config) { c.LockTimeout = 0 }, []string{"lock_timeout:"}},
		{"short dedup ttl", func(c *Config) { c.DedupTTL = time.Minute }, []string{"dedup_ttl:"}},
		{"negative retention", func(c *Config) { c.Retention = -time.Hour }, []string{"retention:", "retention:"}},
		{"tiny retention", func(c *Config) { c.Retention = time.Second }, []string{"retention:"}},
		{"one message", func(c *Config) { c.MaxMessages = 1 }, []string{"max_messages:"}},
		{"zero sweep interval", func(c *Config) { c.SweepInterval = 0 }, []string{"sweep_interval:"}},
		{"negative min free", func(c *Config) { c.MinFreeMB = -1 }, []string{"min_free_mb:"}},
		{"short bot message ttl", func(c *Config) { c.BotMessageTTL = time.Minute }, []string{"bot_message_ttl:"}},
		{"unknown backend", func(c *Config) { c.Backend = "mysql" }, []string{"backend:"}},
		{"postgres without dsn_env", func(c *Config) { c.Backend, c.DSNEnv = BackendPostgres, "" }, []string{"dsn_env:"}},
		{"everything wrong", func(c *Config) { *c = Config{MaxMessages: -1, Retention: -1, MinFreeMB: -1} },
			[]string{"backend:", "path:", "lock_timeout:", "dedup_ttl:", "retention:", "retention:", "max_messages:", "sweep_interval:",
				"min_free_mb:", "bot_message_ttl:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.modify(&cfg)
			got := cfg.Validate()
			if len(got) != len(tt.want) {
				t.Fatalf("Validate() = %q, want problems for %q", got, tt.want)
			}
			for i, p := range got {
				if !strings.HasPrefix(p, tt.want[i]) {
					t.Errorf("problem %d = %q, want prefix %q", i, p, tt.want[i])
				}
			}
		})
	}
}

func TestOpenRejectsInvalidConfig(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxMessages = 0
	_, err := Open(cfg)
	if err == nil || !strings.Contains(err.Error(), "max_messages:") {
		t.Fatalf("Open with max_messages = 0: err = %v, want one naming max_messages", err)
	}
}
