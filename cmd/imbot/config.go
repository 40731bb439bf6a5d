package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"

	"imbot/adapters/feishu"
	"imbot/adapters/openaiapi"
	"imbot/adapters/telegram"
	"imbot/adapters/web"
	"imbot/core"
	"imbot/core/experiment"
	"imbot/core/faq"
	"imbot/core/intercept"
	"imbot/core/safety"
	"imbot/core/token"
	"imbot/provider/openai"
	"imbot/store"
)

// maxConfigBytes bounds the configuration file.
const maxConfigBytes = 1 << 20

// Config is the whole configuration file. Each section belongs to the
// package that uses it; this file only assembles, resolves and validates.
type Config struct {
	Server     ServerConfig          `toml:"server"`
	Store      store.Config          `toml:"store"`
	Providers  []openai.Config       `toml:"providers"`
	Router     RouterSection         `toml:"router"`
	Dispatcher core.DispatcherConfig `toml:"dispatcher"`
	Cluster    core.ClusterConfig    `toml:"cluster"`
	Tokens     token.Config          `toml:"tokens"`
	Safety     safety.Config         `toml:"safety"`
	Adapters   AdaptersConfig        `toml:"adapters"`
	Texts      TextsSection          `toml:"texts"`
	API        openaiapi.Config      `toml:"api"`
	// Interceptors are the [[interceptors]] tables, in the order they are
	// tried.
	Interceptors []intercept.Config `toml:"interceptors"`
	// Experiments are the [[experiments]] arms, in the order users are
	// assigned to them.
	Experiments []experiment.Config `toml:"experiments"`
	// Warnings name keys that still work but should be renamed; the
	// caller logs them.
	Warnings []string `toml:"-"`

	// Notes are what loading noticed that the operator should know but that
	// does not stop the daemon: set but unused variables, an unreadable env
	// file.
	Notes []string `toml:"-"`
}

// RouterSection is the [router] section: the router's keys and, beside
// them, the knowledge base's.
type RouterSection struct {
	core.RouterConfig
	faq.Config
}

// AdaptersConfig is the [adapters] section.
type AdaptersConfig struct {
	Web      web.Config      `toml:"web"`
	Telegram telegram.Config `toml:"telegram"`
	Feishu   feishu.Config   `toml:"feishu"`
}

// defaultConfig returns the embedded defaults: the web chat on loopback, a
// store under data/, and one provider taken from OPENAI_BASE_URL,
// OPENAI_API_KEY and OPENAI_MODEL when set, else a local Ollama.
func defaultConfig(getenv func(string) string) Config {
	return Config{
		Server:     ServerConfig{Listen: "127.0.0.1:8080", LogLevel: "info", LogFormat: "text", AdminTokenEnv: "IMBOT_ADMIN_TOKEN"},
		Store:      store.DefaultConfig(),
		Providers:  []openai.Config{envProvider(getenv)},
		Router:     RouterSection{core.DefaultRouterConfig(), faq.DefaultConfig()},
		Dispatcher: core.DefaultDispatcherConfig(),
		Cluster:    core.DefaultClusterConfig(),
		Tokens:     token.DefaultConfig(),
		Texts:      TextsSection{Language: "zh"},
		API:        openaiapi.DefaultConfig(),
		Safety:     safety.DefaultConfig(),
		Adapters: AdaptersConfig{
			Web:      web.DefaultConfig(),
			Telegram: telegram.DefaultConfig(),
			Feishu:   feishu.DefaultConfig(),
		},
	}
}

// loadConfig reads the file at path over the defaults (path "" uses the
// defaults alone), resolves secrets from the environment and validates.
// The error lists every problem with its key path. It is for the commands
// that talk to providers and platforms: every secret they need must be set.
func loadConfig(path string, getenv func(string) string) (Config, error) {
	return loadConfigKeys(path, getenv, true)
}

// loadConfigKeys is loadConfig; unless needKeys, unset provider keys are
// notes rather than problems.
func loadConfigKeys(path string, getenv func(string) string, needKeys bool) (Config, error) {
	cfg, rep, err := inspectConfig(path, getenv, needKeys)
	if err != nil {
		return Config{}, err
	}
	if problems := rep.all(); len(problems) > 0 {
		return Config{}, fmt.Errorf("config %s:\n  %s", displayPath(path), strings.Join(problems, "\n  "))
	}
	cfg.Notes = append(rep.notes, rep.missingKeys...)
	return cfg, nil
}

// decodeFile decodes the TOML text data over cfg, recording unknown keys
// in rep. It reports whether [router] general was set. Its error is the
// decoder's own.
func decodeFile(data []byte, cfg *Config, rep *configReport) (generalSet bool, err error) {
	md, err := toml.Decode(string(data), cfg)
	if err != nil {
		return false, err
	}
	rep.undecoded = nil
	for _, k := range md.Undecoded() {
		rep.undecoded = append(rep.undecoded, k.String())
	}
	rep.fileProviders = md.IsDefined("providers")
	if rep.fileProviders {
		if err := decodeProviders(data, cfg); err != nil {
			return false, err
		}
	}
	warning, err := cfg.Adapters.Feishu.ResolveAliases(md.IsDefined("adapters", "feishu", "group_scope"))
	if err != nil {
		return false, fmt.Errorf("adapters.feishu.%w", err)
	}
	if warning != "" {
		cfg.Warnings = append(cfg.Warnings, "adapters.feishu."+warning)
	}
	return md.IsDefined("router", "general"), nil
}

// decodeProviders decodes every [[providers]] table over the provider
// defaults, so that a table sets only the keys it names. A table without
// third_party is third-party unless its base URL is loopback.
func decodeProviders(data []byte, cfg *Config) error {
	var file struct {
		Providers []toml.Primitive `toml:"providers"`
	}
	md, err := toml.Decode(string(data), &file)
	if err != nil {
		return err
	}
	cfg.Providers = make([]openai.Config, len(file.Providers))
	for i, prim := range file.Providers {
		cfg.Providers[i] = openai.DefaultConfig()
		var set struct {
			ThirdParty *bool `toml:"third_party"`
		}
		if err := errors.Join(md.PrimitiveDecode(prim, &cfg.Providers[i]), md.PrimitiveDecode(prim, &set)); err != nil {
			return fmt.Errorf("providers[%d]: %w", i, err)
		}
		if set.ThirdParty == nil {
			cfg.Providers[i].ThirdParty = !openai.LocalURL(cfg.Providers[i].BaseURL)
		}
	}
	return nil
}

// resolveSecrets fills every secret field from the environment variables
// the file names. Problems reading a secret file are returned as problems;
// unset lists the key paths of the secrets that name a variable that is
// not set.
func (c *Config) resolveSecrets(getenv func(string) string) (problems, unset []string) {
	resolve := func(key, env string, dst *string) {
		v, err := secret(getenv, env)
		if err != nil {
			problems = append(problems, key+": "+err.Error())
		}
		if v == "" && env != "" {
			unset = append(unset, key)
		}
		*dst = v
	}
	resolve("server.admin_token_env", c.Server.AdminTokenEnv, &c.Server.AdminToken)
	for i := range c.Providers {
		p := &c.Providers[i]
		resolve(fmt.Sprintf("providers[%d].api_key_env", i), p.APIKeyEnv, &p.APIKey)
	}
	w, t, f := &c.Adapters.Web, &c.Adapters.Telegram, &c.Adapters.Feishu
	resolve("adapters.web.tokens_env", w.TokensEnv, &w.EnvTokens)
	resolve("adapters.web.jwt_secret_env", w.JWTSecretEnv, &w.JWTSecret)
	resolve("adapters.telegram.token_env", t.TokenEnv, &t.Token)
	resolve("adapters.telegram.webhook_secret_env", t.WebhookSecretEnv, &t.WebhookSecret)
	resolve("adapters.feishu.app_secret_env", f.AppSecretEnv, &f.AppSecret)
	resolve("adapters.feishu.verification_token_env", f.VerificationTokenEnv, &f.VerificationToken)
	resolve("adapters.feishu.encrypt_key_env", f.EncryptKeyEnv, &f.EncryptKey)
	for i := range c.Interceptors {
		ic := &c.Interceptors[i]
		resolve(fmt.Sprintf("interceptors[%d].secret_env", i), ic.SecretEnv, &ic.Secret)
	}
	if c.Store.Backend == store.BackendPostgres {
		var err error
		if c.Store.DSN, err = secret(getenv, c.Store.DSNEnv); err != nil {
			problems = append(problems, "store.dsn_env: "+err.Error())
		} else if c.Store.DSN == "" && c.Store.DSNEnv != "" {
			problems = append(problems, fmt.Sprintf("store.dsn_env: %s is not set: it must hold the PostgreSQL connection string (or %s_FILE a file with it)",
				c.Store.DSNEnv, c.Store.DSNEnv))
		}
	}
	return problems, unset
}

// aboutKey reports whether problem is about one of keys.
func aboutKey(problem string, keys []string) bool {
	for _, k := range keys {
		if strings.HasPrefix(problem, k+":") {
			return true
		}
	}
	return false
}

// secrets lists every resolved secret value, for the log redaction layer.
func (c *Config) secrets() []string {
	w, t, f := c.Adapters.Web, c.Adapters.Telegram, c.Adapters.Feishu
	out := []string{c.Store.DSN, c.Server.AdminToken, w.JWTSecret, t.Token, t.WebhookSecret, f.AppSecret, f.VerificationToken, f.EncryptKey}
	out = append(out, w.Tokens...)
	out = append(out, strings.Fields(strings.ReplaceAll(w.EnvTokens, ",", " "))...)
	for _, p := range c.Providers {
		out = append(out, p.APIKey)
	}
	return out
}

// validate collects every section's problems, prefixed with its key path.
func (c *Config) validate() []string {
	var problems []string
	add := func(prefix string, ps []string) {
		for _, p := range ps {
			problems = append(problems, prefix+p)
		}
	}
	add("server.", c.Server.validate())
	add("store.", c.Store.Validate())
	names := make([]string, 0, len(c.Providers))
	seen := map[string]bool{}
	for i, p := range c.Providers {
		prefix := fmt.Sprintf("providers[%d].", i)
		add(prefix, p.Validate())
		if seen[p.Name] {
			problems = append(problems, prefix+"name: "+p.Name+" is used twice")
		}
		seen[p.Name] = true
		names = append(names, p.Name)
	}
	add("router.", c.Router.RouterConfig.Validate(names))
	add("router.", c.Router.Config.Validate())
	if p := c.Router.Embeddings.Provider; p != "" && !seen[p] {
		problems = append(problems, fmt.Sprintf("router.embeddings.provider: no provider named %q", p))
	}
	add("dispatcher.", c.Dispatcher.Validate())
	add("cluster.", c.Cluster.Validate())
	add("tokens.", c.Tokens.Validate())
	add("safety.", c.Safety.Validate())
	if _, err := loadWords(c.Safety.WordsFile); err != nil {
		problems = append(problems, "safety.words_file: "+err.Error())
	}
	add("adapters.web.", c.Adapters.Web.Validate())
	add("adapters.telegram.", c.Adapters.Telegram.Validate())
	add("adapters.feishu.", c.Adapters.Feishu.Validate())
	add("", intercept.Validate(c.Interceptors))
	add("", experiment.Validate(c.Experiments, func(p string) bool { return seen[p] }))
	problems = append(problems, c.textProblems()...)
	return append(problems, c.apiProblems()...)
}

// groupPolicies gives the dispatcher each platform's group policy.
func (c *Config) groupPolicies() map[core.Platform]core.GroupPolicy {
	return map[core.Platform]core.GroupPolicy{
		telegram.Platform: c.Adapters.Telegram.GroupPolicy,
		feishu.Platform:   c.Adapters.Feishu.GroupPolicy,
	}
}

// displayPath names a configuration file for messages.
func displayPath(path string) string {
	if path == "" {
		return "(built-in defaults)"
	}
	return path
}

// dispatcher is the [dispatcher] section with this replica's share of the
// rate limit ([cluster] replicas).
func (c Config) dispatcher() core.DispatcherConfig { return c.Cluster.Share(c.Dispatcher) }
