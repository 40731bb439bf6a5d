package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imbot/core"
)

func noEnv(string) string { return "" }

func TestExampleConfigLoadsAndMatchesDefaults(t *testing.T) {
	cfg, err := loadConfig("../../config.toml.example", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	def, err := loadConfig("", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	// The example documents the defaults: loading it must change nothing
	// (empty and nil lists print alike).
	if fmt.Sprintf("%+v", cfg) != fmt.Sprintf("%+v", def) {
		t.Fatalf("config.toml.example differs from the defaults:\n example %+v\n default %+v", cfg, def)
	}
}

func TestDefaultsUseEnvironmentProvider(t *testing.T) {
	env := map[string]string{"OPENAI_BASE_URL": "https://api.example.com/v1", "OPENAI_API_KEY": "sk-secret", "OPENAI_MODEL": "m1"}
	cfg, err := loadConfig("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers[0]
	if p.BaseURL != env["OPENAI_BASE_URL"] || p.Model != "m1" || p.APIKey != "sk-secret" || cfg.Router.General[0] != p.Name {
		t.Fatalf("provider = %+v, general = %v", p, cfg.Router.General)
	}
	cfg, _ = loadConfig("", noEnv)
	if cfg.Providers[0].BaseURL != "http://127.0.0.1:11434/v1" {
		t.Fatalf("without env the provider is %s, want the local Ollama", cfg.Providers[0].BaseURL)
	}
}

func TestConfigErrorsNameTheirKeys(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
	}{
		{"unknown key", "[server]\nlisten = \"x:1\"\nlisen = 1\n", []string{"unknown key(s): server.lisen"}},
		{"unknown provider key", "[[providers]]\nname=\"a\"\nbase_url=\"http://h/v1\"\nmodel=\"m\"\nmodle=\"x\"\n", []string{"providers.modle"}},
		{"syntax", "[server\n", []string{"line 2"}},
		{"every problem", `
[server]
log_level = "loud"
[[providers]]
name = "a"
base_url = "ftp://h"
model = ""
[router]
general = ["a", "missing"]
cache_entries = -1
[dispatcher]
max_inflight = 0
[adapters.telegram]
enabled = true
[texts.en]
not_a_message = "x"
`, []string{"server.log_level", "providers[0].base_url", "providers[0].model", `router.general[1]: no provider named "missing"`,
			"router.cache_entries", "dispatcher.max_inflight", "adapters.telegram.", "texts.en.not_a_message"}},
		{"cluster", "[cluster]\nreplica_id = \"\"\nlease = \"1ms\"\nreplicas = 0\n",
			[]string{"cluster.replica_id", "cluster.lease", "cluster.replicas"}},
		{"duplicate provider", "[[providers]]\nname=\"a\"\nbase_url=\"http://h/v1\"\nmodel=\"m\"\n[[providers]]\nname=\"a\"\nbase_url=\"http://h/v1\"\nmodel=\"m\"\n",
			[]string{"providers[1].name: a is used twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.toml")
			os.WriteFile(path, []byte(tt.file), 0o600)
			_, err := loadConfig(path, noEnv)
			if err == nil {
				t.Fatal("loaded an invalid config")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestProviderTablesKeepDefaultsForKeysTheyOmit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(path, []byte("[[providers]]\nname=\"a\"\nbase_url=\"http://h/v1\"\nmodel=\"m\"\nmax_retries=0\n"), 0o600)
	cfg, err := loadConfig(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers[0]
	if p.MaxRetries != 0 || p.Timeout == 0 || p.FirstTokenTimeout == 0 || p.Breaker.MinCalls == 0 {
		t.Fatalf("provider = %+v: explicit zero must stay, omitted keys must get defaults", p)
	}
	if cfg.Router.General[0] != "a" {
		t.Fatalf("general = %v, want the only provider", cfg.Router.General)
	}
}

func TestSecretsFromEnvOrFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "tok"), []byte("  123:abc-file\n"), 0o600)
	path := filepath.Join(dir, "c.toml")
	os.WriteFile(path, []byte("[adapters.telegram]\nenabled = true\ngroup_trigger = \"all\"\n"), 0o600)
	env := map[string]string{"TELEGRAM_BOT_TOKEN_FILE": filepath.Join(dir, "tok")}
	cfg, err := loadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Adapters.Telegram.Token != "123:abc-file" {
		t.Fatalf("token = %q, want the file's trimmed contents", cfg.Adapters.Telegram.Token)
	}
	if cfg.Dispatcher.GroupPolicies["telegram"].Trigger != core.TriggerAll {
		t.Fatalf("group policies = %v", cfg.Dispatcher.GroupPolicies)
	}
}

// TestFeishuSessionScopeAlias: the earlier key session_scope still works,
// with a warning, and conflicts with a different group_scope.
func TestFeishuSessionScopeAlias(t *testing.T) {
	dir := t.TempDir()
	load := func(body string) (Config, error) {
		path := filepath.Join(dir, "c.toml")
		if err := os.WriteFile(path, []byte("[adapters.feishu]\n"+body), 0o600); err != nil {
			t.Fatal(err)
		}
		return loadConfig(path, func(string) string { return "" })
	}
	cfg, err := load("session_scope = \"user\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Dispatcher.GroupPolicies["feishu"].Scope != core.ScopeUser || len(cfg.Warnings) != 1 {
		t.Fatalf("policies %v, warnings %q", cfg.Dispatcher.GroupPolicies, cfg.Warnings)
	}
	if cfg, err = load("group_scope = \"thread\"\ngroup_trigger = \"command\"\n"); err != nil || len(cfg.Warnings) != 0 ||
		cfg.Dispatcher.GroupPolicies["feishu"] != (core.GroupPolicy{Trigger: core.TriggerCommand, Scope: core.ScopeThread}) {
		t.Fatalf("group_scope: %v, %v, %q", cfg.Dispatcher.GroupPolicies, err, cfg.Warnings)
	}
	if _, err := load("session_scope = \"user\"\ngroup_scope = \"chat\"\n"); err == nil || !strings.Contains(err.Error(), "session_scope") {
		t.Fatalf("conflicting keys: err = %v", err)
	}
	if _, err := load("group_scope = \"room\"\n"); err == nil {
		t.Fatal("an unknown scope was accepted")
	}
}

func TestProviderThirdPartyDefaultsByHost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	const doc = `
[[providers]]
name = "cloud"
base_url = "https://api.example.com/v1"
model = "m"
[[providers]]
name = "ollama"
base_url = "http://localhost:11434/v1"
model = "m"
[[providers]]
name = "lan"
base_url = "http://10.1.2.3:8000/v1"
model = "m"
third_party = false
[[providers]]
name = "proxy"
base_url = "http://127.0.0.1:9000/v1"
model = "m"
third_party = true
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"cloud": true, "ollama": false, "lan": false, "proxy": true}
	for _, p := range cfg.Providers {
		if p.ThirdParty != want[p.Name] {
			t.Errorf("provider %s: third_party = %v, want %v", p.Name, p.ThirdParty, want[p.Name])
		}
	}
	env := map[string]string{"OPENAI_BASE_URL": "https://api.example.com/v1", "OPENAI_API_KEY": "k"}
	if cfg, err = loadConfig("", func(k string) string { return env[k] }); err != nil || !cfg.Providers[0].ThirdParty {
		t.Fatalf("the environment's remote provider is not third-party (err %v)", err)
	}
}
