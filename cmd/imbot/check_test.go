package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imbot/adapters/telegram/telegramtest"
	"imbot/provider/openai/openaitest"
)

// liveConfig writes a config using the fake model, Telegram and Feishu,
// with secrets in the env file beside it; it returns the config's path.
func liveConfig(t *testing.T, modelURL, tgURL, feishuURL, env string) string {
	t.Helper()
	dir := t.TempDir()
	extra := `
[adapters.telegram]
enabled = true
api_url = "` + tgURL + `"
[adapters.feishu]
enabled = true
app_id = "cli_app"
base_url = "` + feishuURL + `"`
	path := writeConfig(t, dir, testSetup{model: modelURL, listen: freeAddr(t), provider: `api_key_env = "FAKE_KEY"`, extra: extra})
	if err := os.WriteFile(filepath.Join(dir, "env"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckLive(t *testing.T) {
	model := openaitest.New(t, openaitest.WithAPIKey("sk-good"), openaitest.WithUnauthorized())
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	fs := feishuFake(t)
	good := "FAKE_KEY=sk-good\nTELEGRAM_BOT_TOKEN=" + telegramtest.Token + "\nFEISHU_APP_SECRET=good-secret\n"
	code, out := runArgs("check", "-config", liveConfig(t, model.URL(), tg.URL, fs.URL, good))
	for _, want := range []string{"✓ provider fake: fake-model at", "✓ telegram: @imbot_test_bot", "✓ feishu: app imbot",
		"✓ store", "not created yet", "✓ listen", ": free"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if code != checkOK {
		t.Fatalf("exit %d, want 0\n%s", code, out)
	}

	bad := "FAKE_KEY=sk-bad\nTELEGRAM_BOT_TOKEN=1:bad\nFEISHU_APP_SECRET=bad-secret\n"
	code, out = runArgs("check", "-config", liveConfig(t, model.URL(), tg.URL, fs.URL, bad))
	for _, want := range []string{"✗ provider fake: status 401", "✗ telegram: getMe: unauthorized",
		"✗ feishu: tenant token: code 10014 (http 200): app secret invalid"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "sk-bad") || strings.Contains(out, "bad-secret") {
		t.Errorf("output shows a secret:\n%s", out)
	}
	if code != checkLiveFailure {
		t.Fatalf("exit %d, want 2\n%s", code, out)
	}
}

func TestCheckListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg := `[server]
listne = "127.0.0.1:8080"
log_level = "loud"

[[providers]]
name = "a"
base_url = "http://127.0.0.1:1/v1"
model = "m"
api_key = "sk-0123456789abcdefghijkl"

[adapters.telegram]
enabled = true
token_env = "123456:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ"
[store]
lock_timeout = "forever"
max_messages = "many"
`
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runArgs("check", "-offline", "-config", path)
	want := []string{
		"line 2: server.listne: unknown key; did you mean listen?",
		`line 3: server.log_level: `,
		"line 9: providers[0].api_key: a secret written in the file: put the value in an environment variable (or the env file) and name that variable in api_key_env",
		"line 13: adapters.telegram.token_env: holds what looks like a secret",
		`line 15: store.lock_timeout: invalid duration: "forever"`,
		"line 16: store.max_messages: incompatible types: TOML value has type string; destination has type int",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q", w)
		}
	}
	if strings.Contains(out, "sk-0123456789") || strings.Contains(out, "AAbbCC") {
		t.Errorf("output shows a secret:\n%s", out)
	}
	if code != checkInvalid || !strings.Contains(out, "6 problem(s)") {
		t.Fatalf("exit %d, want 1 and 6 problems\n%s", code, out)
	}
}

func TestCheckOfflineNeedsNoProviderKey(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: "http://127.0.0.1:1/v1", provider: `api_key_env = "IMBOT_TEST_UNSET_KEY"`})
	code, out := runArgs("check", "-offline", "-config", path)
	if code != checkOK || !strings.Contains(out, "! providers[0].api_key_env: $IMBOT_TEST_UNSET_KEY is unset") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out = runArgs("check", "-config", path, "-timeout", "2s")
	if code != checkLiveFailure || !strings.Contains(out, "✗ provider fake: invalid config: api_key_env: $IMBOT_TEST_UNSET_KEY") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestCheckShowsSafetyAndRefusesABadWordsFile(t *testing.T) {
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: "https://api.example.com/v1", extra: withWords(t, dir)})
	code, out := runArgs("check", "-offline", "-config", path)
	if code != checkOK || !strings.Contains(out, "sensitive words from "+filepath.Join(dir, "banned.txt")) ||
		!strings.Contains(out, "personal data masked for fake (restore_pii=true)") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "banned.txt"), []byte("ok\nbad\tword\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := runArgs("check", "-offline", "-config", path); code != checkInvalid || !strings.Contains(out, "safety.words_file:") ||
		!strings.Contains(out, "line 2") {
		t.Fatalf("a words file with a tab: exit %d\n%s", code, out)
	}
}
