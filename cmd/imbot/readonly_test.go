package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imbot/provider/openai"
	"imbot/provider/openai/openaitest"
	"imbot/store"
)

// secretsConfig writes a config whose provider and platforms each need a
// secret from a variable that is not set.
func secretsConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"IMBOT_TEST_CLOUD_KEY", "IMBOT_TEST_TG_TOKEN", "IMBOT_TEST_FEISHU_SECRET"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	doc := `
[store]
path = "` + filepath.ToSlash(filepath.Join(dir, "imbot.db")) + `"
[[providers]]
name = "cloud"
base_url = "https://llm.invalid/v1"
model = "m"
api_key_env = "IMBOT_TEST_CLOUD_KEY"
[adapters.telegram]
enabled = true
token_env = "IMBOT_TEST_TG_TOKEN"
[adapters.feishu]
enabled = true
app_id = "cli_x"
app_secret_env = "IMBOT_TEST_FEISHU_SECRET"
`
	path := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadOnlyCommandsNeedNoSecrets(t *testing.T) {
	path := secretsConfig(t)
	_, err := loadConfig(path, envLookup)
	if err == nil {
		t.Fatal("serve's config loading accepted unset secrets")
	}
	for _, key := range []string{"providers[0].api_key_env", "adapters.telegram.token_env", "adapters.feishu.app_secret_env"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("serve's error %q does not name %s", err, key)
		}
	}
	var out bytes.Buffer
	if err := runFAQUnanswered([]string{"-config", path}, &out, io.Discard); err != nil {
		t.Fatalf("faq unanswered with every secret unset: %v", err)
	}
	if err := runExport([]string{"-config", path}, &out, io.Discard); err != nil {
		t.Fatalf("export with every secret unset: %v", err)
	}
	if err := runBackup([]string{"-config", path, "-o", filepath.Join(t.TempDir(), "b.db")}, &out, io.Discard); err != nil {
		t.Fatalf("backup with every secret unset: %v", err)
	}
}

func TestReadOnlyConfigStillReportsOtherProblems(t *testing.T) {
	path := secretsConfig(t)
	data, _ := os.ReadFile(path)
	bad := strings.Replace(string(data), `model = "m"`, `model = ""`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadConfigKeys(path, envLookup, false)
	if err == nil || !strings.Contains(err.Error(), "providers[0].model") || strings.Contains(err.Error(), "api_key_env") {
		t.Fatalf("err = %v, want the missing model and nothing about unset secrets", err)
	}
}

func TestWarmUpLogsWhoAnswered(t *testing.T) {
	fake := openaitest.New(t)
	up := testClient(t, "up", fake.URL())
	down := testClient(t, "down", "http://127.0.0.1:1/v1")
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	warmUp(context.Background(), map[string]*openai.Client{"up": up, "down": down}, log)
	if fake.Pings() != 1 {
		t.Fatalf("pings = %d, want 1", fake.Pings())
	}
	if !strings.Contains(logs.String(), "answered=[up] unreachable=[down]") {
		t.Errorf("log does not say who answered:\n%s", logs.String())
	}
	logs.Reset()
	warmUp(context.Background(), map[string]*openai.Client{"down": down}, log)
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "NO PROVIDER ANSWERED") {
		t.Errorf("no loud warning when nothing answered:\n%s", logs.String())
	}
}

func TestProviderHintOnlyForTheBuiltInProvider(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"nothing configured", nil, true},
		{"OPENAI_BASE_URL set", map[string]string{"OPENAI_BASE_URL": "https://api.example.com/v1", "OPENAI_API_KEY": "k"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			cfg, err := loadConfig("", getenv)
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			logProviderHint(slog.New(slog.NewTextHandler(&logs, nil)), cfg, getenv)
			if got := strings.Contains(logs.String(), "OPENAI_BASE_URL"); got != tt.want {
				t.Errorf("hint logged = %v, want %v:\n%s", got, tt.want, logs.String())
			}
		})
	}
}

func testClient(t *testing.T, name, url string) *openai.Client {
	t.Helper()
	pc := openai.DefaultConfig()
	pc.Name, pc.BaseURL, pc.Model = name, url, "m"
	c, err := openai.NewClient(pc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secretsConfigStore is secretsConfig with the store it names opened, for
// tests that fill it before running a command against the file.
func secretsConfigStore(t *testing.T) (string, *store.Store) {
	t.Helper()
	path := secretsConfig(t)
	cfg := store.DefaultConfig()
	cfg.Path = filepath.Join(filepath.Dir(path), "imbot.db")
	s, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return path, s
}
