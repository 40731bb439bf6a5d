package store

import (
	"fmt"
	"time"

	"imbot/store/storage"
)

// Backends [store] backend names.
const (
	BackendBolt     = "bbolt"
	BackendPostgres = "postgres"
)

// Config is the [store] section of the configuration file. Backend picks
// the engine; the retention keys apply to both, path, lock_timeout and
// min_free_mb to bbolt only.
type Config struct {
	// Backend is "bbolt" (the file at path, one process) or "postgres" (the
	// database whose connection string dsn_env names, shared by replicas).
	Backend string `toml:"backend"`
	// DSNEnv names the environment variable holding the PostgreSQL
	// connection string (postgres://user:password@host/db?sslmode=…).
	DSNEnv string `toml:"dsn_env"`
	// DSN is the connection string read from DSNEnv; never in the file.
	DSN string `toml:"-"`
	// Path is the bbolt file; its parent directories are created (0700).
	Path string `toml:"path"`
	// LockTimeout bounds how long Open waits for another process to
	// release the file lock.
	LockTimeout time.Duration `toml:"lock_timeout"`
	// DedupTTL is how long a message's dedup marks are kept; it must cover
	// the platforms' redelivery window (Feishu retries for about 7 hours).
	DedupTTL time.Duration `toml:"dedup_ttl"`
	// Retention removes conversations idle for longer, and unanswered
	// questions and usage counters older than it; 0 keeps them forever.
	Retention time.Duration `toml:"retention"`
	// MaxMessages is how many newest messages Sweep keeps per conversation.
	MaxMessages int `toml:"max_messages"`
	// SweepInterval is how often RunSweeper applies retention.
	SweepInterval time.Duration `toml:"sweep_interval"`
	// MinFreeMB is the free space (MiB) on the file's filesystem under
	// which Check reports the store unhealthy; 0 turns the check off.
	MinFreeMB int `toml:"min_free_mb"`
	// BotMessageTTL is how long the ids of the bot's reply messages are
	// remembered for "does this message reply to the bot?".
	BotMessageTTL time.Duration `toml:"bot_message_ttl"`
	// VectorRetention removes cached embeddings not used for longer, except
	// those of the knowledge base in use; 0 keeps them forever.
	VectorRetention time.Duration `toml:"vector_retention"`
}

// DefaultConfig returns the defaults of every [store] key.
func DefaultConfig() Config {
	return Config{
		Backend:         BackendBolt,
		DSNEnv:          "IMBOT_PG_DSN",
		Path:            "data/imbot.db",
		LockTimeout:     time.Second,
		DedupTTL:        48 * time.Hour,
		Retention:       0,
		MaxMessages:     1000,
		SweepInterval:   time.Hour,
		MinFreeMB:       100,
		BotMessageTTL:   30 * 24 * time.Hour,
		VectorRetention: 30 * 24 * time.Hour,
	}
}

// Validate returns every problem with c as "key: problem", keys relative to
// the [store] section; nil means c is usable.
func (c Config) Validate() []string {
	var problems []string
	add := func(ok bool, problem string) {
		if !ok {
			problems = append(problems, problem)
		}
	}
	add(c.Backend == BackendBolt || c.Backend == BackendPostgres,
		fmt.Sprintf("backend: must be %q or %q, not %q", BackendBolt, BackendPostgres, c.Backend))
	add(c.Backend != BackendPostgres || c.DSNEnv != "", "dsn_env: must name the environment variable holding the PostgreSQL connection string")
	add(c.Path != "", "path: must not be empty")
	add(c.LockTimeout > 0, "lock_timeout: must be positive (0 would wait forever for the lock)")
	add(c.DedupTTL >= time.Hour, "dedup_ttl: must be at least 1h (platforms redeliver for hours)")
	add(c.Retention >= 0, "retention: must not be negative (0 keeps everything)")
	add(c.Retention == 0 || c.Retention >= time.Hour, "retention: must be 0 (forever) or at least 1h")
	add(c.MaxMessages >= 2, "max_messages: must be at least 2 (one turn)")
	add(c.SweepInterval >= time.Second, "sweep_interval: must be at least 1s")
	add(c.MinFreeMB >= 0, "min_free_mb: must not be negative (0 turns the check off)")
	add(c.BotMessageTTL >= time.Hour, "bot_message_ttl: must be at least 1h")
	add(c.VectorRetention == 0 || c.VectorRetention >= time.Hour, "vector_retention: must be 0 (forever) or at least 1h")
	return problems
}

// RetentionPolicy is the part of c every backend applies.
func (c Config) RetentionPolicy() storage.Retention {
	return storage.Retention{DedupTTL: c.DedupTTL, BotMessageTTL: c.BotMessageTTL, Retention: c.Retention,
		MaxMessages: c.MaxMessages, VectorRetention: c.VectorRetention}
}
