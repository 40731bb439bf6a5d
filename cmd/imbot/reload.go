package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"imbot/core/safety/words"
)

// restartSetting is a setting read only at start: a reload that changes it
// logs that a restart is needed and keeps the running value.
type restartSetting struct {
	key string
	get func(Config) any
}

// restartSettings lists what a reload cannot change. Provider API keys and
// the Feishu webhook's verification token and encrypt key are compared
// apart: they are given to the running client and adapter. Everything else
// in the file — the knowledge base, the sensitive words file, the system
// prompt, the [texts] catalogue and the reply texts (refusal_reply
// included), admins, budgets and their timezone, history bounds,
// cache_serve, the allow-list, rate limits, log_level and the admin token —
// is applied by a reload.
func restartSettings() []restartSetting {
	return []restartSetting{
		{"server.listen", func(c Config) any { return c.Server.Listen }},
		{"server.log_format", func(c Config) any { return c.Server.LogFormat }},
		{"store", func(c Config) any { return c.Store }},
		{"providers", func(c Config) any { return withoutKeys(c.Providers) }},
		{"router.general", func(c Config) any { return c.Router.General }},
		{"router.business", func(c Config) any { return c.Router.Business }},
		{"router.embeddings.provider", func(c Config) any { return c.Router.Embeddings.Provider }},
		{"router.cache_entries", func(c Config) any { return c.Router.CacheEntries }},
		{"router.cache_ttl", func(c Config) any { return c.Router.CacheTTL }},
		{"dispatcher.max_inflight", func(c Config) any { return c.Dispatcher.MaxInFlight }},
		{"dispatcher.max_queued", func(c Config) any { return c.Dispatcher.MaxQueued }},
		{"dispatcher.turn_timeout", func(c Config) any { return c.Dispatcher.TurnTimeout }},
		{"dispatcher.drain_timeout", func(c Config) any { return c.Dispatcher.DrainTimeout }},
		{"dispatcher.denied_reply_interval", func(c Config) any { return c.Dispatcher.DeniedReplyInterval }},
		{"cluster.replica_id", func(c Config) any { return c.Cluster.ReplicaID }},
		{"cluster.lease", func(c Config) any { return c.Cluster.Lease }},
		{"safety.restore_pii", func(c Config) any { return c.Safety.RestorePII }},
		{"safety.pii_patterns", func(c Config) any { return c.Safety.PIIPatterns }},
		{"safety.max_input_chars", func(c Config) any { return c.Safety.MaxInputChars }},
		{"tokens", func(c Config) any { return c.Tokens }},
		{"adapters.web", func(c Config) any { return c.Adapters.Web }},
		{"adapters.telegram", func(c Config) any { return c.Adapters.Telegram }},
		{"adapters.feishu", func(c Config) any { return withoutWebhookSecrets(c.Adapters.Feishu) }},
		{"texts.language", func(c Config) any { return c.Texts.Language }},
		{"api", func(c Config) any { return c.API }},
	}
}

// needsRestart names the settings read only at start that differ between
// the running configuration and next.
func needsRestart(running, next Config) []string {
	var keys []string
	for _, s := range restartSettings() {
		if !reflect.DeepEqual(s.get(running), s.get(next)) {
			keys = append(keys, s.key)
		}
	}
	return keys
}

// reload is what SIGHUP (systemctl reload) does: it rereads the file at
// configPath, with the secrets its *_env keys name (NAME_FILE files read
// again), checks all of it and builds the new knowledge base, and only then
// applies what can change while running, each part swapped whole. A broken
// file or knowledge base changes nothing and is logged; connections,
// WebSockets and long polls stay up either way.
func (d *daemon) reload(ctx context.Context, configPath string) {
	if err := d.applyReload(ctx, configPath); err != nil {
		d.log.Error("reload refused; the running configuration stays whole", "err", err)
	}
}

// applyReload checks the new configuration whole, then applies it. It
// returns an error, having changed nothing, when any part is invalid.
func (d *daemon) applyReload(ctx context.Context, configPath string) error {
	cfg, err := loadConfig(configPath, envLookup)
	if err != nil {
		return err
	}
	level, err := parseLogLevel(cfg.Server.LogLevel)
	if err != nil {
		return fmt.Errorf("server.log_level: %w", err)
	}
	texts, err := cfg.catalog()
	if err != nil {
		return err
	}
	kb, err := d.knowledge.Prepare(ctx, cfg.Router.Config)
	if err != nil {
		return err
	}
	matcher, err := loadWords(cfg.Safety.WordsFile)
	if err != nil {
		return fmt.Errorf("safety.words_file: %w", err)
	}
	secrets := d.secretChanges(cfg)
	// From here on nothing fails but SetPolicy's own check, which runs first
	// and applies nothing when it fails.
	if err := d.dispatcher.SetPolicy(cfg.dispatcher()); err != nil {
		return err
	}
	d.texts.Replace(texts)
	d.router.SetConfig(cfg.Router.RouterConfig)
	d.knowledge.Install(kb)
	d.announceKnowledge(ctx)
	d.guard.SetWords(matcher)
	if d.level != nil {
		d.level.Set(level)
	}
	d.admin.SetToken(cfg.Server.AdminToken)
	d.applySecrets(secrets)
	if keys := needsRestart(d.cfg, cfg); len(keys) > 0 {
		d.log.Warn("reload: changed settings need a restart; their running values stay", "needs_restart", strings.Join(keys, ", "))
	}
	d.log.Info("reloaded: knowledge base, sensitive words, prompt and texts, admins, allow-list, rate limits, log level, admin token, provider API keys, feishu webhook secrets")
	return nil
}

// loadWords builds the sensitive-word matcher of the words file at path;
// nil when path is empty.
func loadWords(path string) (*words.Matcher, error) {
	if path == "" {
		return nil, nil
	}
	list, err := words.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return words.New(list)
}
