package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"imbot/check"
	"imbot/provider/openai/openaitest"
)

func TestOpenAIBaseURLWithoutKey(t *testing.T) {
	model := openaitest.New(t)
	env := map[string]string{"OPENAI_BASE_URL": model.URL(), "OPENAI_MODEL": "m1"}
	cfg, err := loadConfig("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers[0]
	if p.Name != "openai" || p.APIKeyEnv != "" || p.ThirdParty || p.Model != "m1" {
		t.Fatalf("provider = %+v, want openai, no key, local", p)
	}
	if r := check.Run(context.Background(), []check.Probe{check.Provider(p)}, 5*time.Second)[0]; !r.OK() {
		t.Fatalf("ping without a key: %v", r)
	}
	if got := model.Requests()[0].Authorization; got != "" {
		t.Fatalf("Authorization = %q, want none", got)
	}
}

func TestUnusedOpenAIVariablesAreNamed(t *testing.T) {
	path := writeConfig(t, t.TempDir(), testSetup{model: "http://127.0.0.1:1/v1"})
	env := map[string]string{"OPENAI_BASE_URL": "http://x/v1", "OPENAI_API_KEY": "sk-x"}
	cfg, err := loadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := "OPENAI_BASE_URL, OPENAI_API_KEY set but not used: the config defines [[providers]]; in use: fake (http://127.0.0.1:1/v1)"
	if !slices.Contains(cfg.Notes, want) {
		t.Fatalf("notes = %q, want %q", cfg.Notes, want)
	}
	t.Setenv("OPENAI_MODEL", "m")
	code, out := runArgs("check", "-offline", "-config", path)
	if code != checkOK || !strings.Contains(out, "! OPENAI_MODEL set but not used") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestKeyWithoutBaseURLIsNamed(t *testing.T) {
	env := map[string]string{"OPENAI_API_KEY": "sk-x"}
	cfg, err := loadConfig("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := "OPENAI_API_KEY set but not used: OPENAI_BASE_URL is not set; in use: local (http://127.0.0.1:11434/v1)"
	if !slices.Equal(cfg.Notes, []string{want}) {
		t.Fatalf("notes = %q, want %q", cfg.Notes, want)
	}
}

func TestEnvFileBesideConfig(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: "http://127.0.0.1:1/v1", provider: `api_key_env = "FAKE_KEY"`})
	envPath := filepath.Join(dir, "env")
	if err := os.WriteFile(envPath, []byte("FAKE_KEY=from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(path, func(k string) string { return map[string]string{}[k] })
	if err != nil || cfg.Providers[0].APIKey != "from-file" {
		t.Fatalf("key = %q, %v; want the env file's", cfg.Providers[0].APIKey, err)
	}
	cfg, err = loadConfig(path, func(k string) string { return map[string]string{"FAKE_KEY": "from-env"}[k] })
	if err != nil || cfg.Providers[0].APIKey != "from-env" {
		t.Fatalf("key = %q, %v; want the environment's", cfg.Providers[0].APIKey, err)
	}
	if err := os.WriteFile(envPath, []byte("not an env file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = loadConfig(path, func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), "$FAKE_KEY") {
		t.Fatalf("err = %v, want the unset key", err)
	}
}
