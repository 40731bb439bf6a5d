package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"imbot/provider/openai"
	"imbot/provider/openai/openaitest"
)

// kbText is a one-entry knowledge base answering "What are your opening
// hours?" with answer.
func kbText(answer string) string {
	return `
[[entry]]
id = "hours"
answer = "` + answer + `"
questions = ["What are your opening hours?", "When are you open?"]
`
}

func TestReloadSwapsKnowledgeBaseWithoutDroppingWebSockets(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	dir := t.TempDir()
	kb := writeFile(t, dir, "kb.toml", kbText("Nine to five."))
	path := writeConfig(t, dir, testSetup{model: model.URL(), general: "[\"fake\"]\nfaq_file = " + strconv.Quote(kb)})
	in := startServe(t, path)
	c := in.dial("")
	readFrame(t, c)
	if _, done := ask(t, c, "1", "What are your opening hours?"); done.Route != "faq" || done.Text != "Nine to five." {
		t.Fatalf("before the reload: %+v", done)
	}

	writeFile(t, dir, "kb.toml", kbText("Around the clock."))
	if err := in.d.applyReload(context.Background(), path); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if _, done := ask(t, c, "2", "What are your opening hours?"); done.Route != "faq" || done.Text != "Around the clock." {
		t.Fatalf("after the reload, on the same WebSocket: %+v", done)
	}

	// A broken knowledge base, together with a tight rate limit: neither
	// is applied.
	writeFile(t, dir, "kb.toml", "[[entry]]\nid = \"hours\"\nanswer = \"\"\n")
	cfgText, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "config.toml", strings.Replace(string(cfgText), "rate_per_minute = 0", "rate_per_minute = 1\nrate_burst = 1", 1))
	if err := in.d.applyReload(context.Background(), path); err == nil {
		t.Fatal("a broken knowledge base was accepted")
	}
	for _, id := range []string{"3", "4", "5"} {
		if _, done := ask(t, c, id, "What are your opening hours?"); done.Route != "faq" || done.Text != "Around the clock." {
			t.Fatalf("after a refused reload, message %s: %+v", id, done)
		}
	}
}

func TestNeedsRestartNamesStartOnlySettings(t *testing.T) {
	running, err := loadConfig("", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	next := running
	next.Router.RouterConfig.SystemPrompt = "new prompt"
	next.Dispatcher.Allow = []string{"web:*"}
	if keys := needsRestart(running, next); len(keys) != 0 {
		t.Fatalf("reloadable changes reported as needing a restart: %v", keys)
	}
	next.Server.Listen = "127.0.0.1:9999"
	next.Store.Path = "elsewhere.db"
	next.Adapters.Telegram.Enabled = true
	if keys := needsRestart(running, next); !slices.Equal(keys, []string{"server.listen", "store", "adapters.telegram"}) {
		t.Fatalf("needs restart = %v", keys)
	}
}

func TestReloadAppliesLogLevelAndAdminToken(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: model.URL()})
	level := new(slog.LevelVar)
	in := startServe(t, path, func(d *daemon) { d.level = level })
	profile := func(token string) int {
		req, err := http.NewRequest(http.MethodGet, "http://"+in.addr+"/debug/pprof/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := profile(""); got != http.StatusOK {
		t.Fatalf("local profile request without a token configured = %d", got)
	}

	cfgText, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "config.toml", strings.Replace(string(cfgText), `log_level = "warn"`, `log_level = "debug"`, 1))
	t.Setenv("IMBOT_ADMIN_TOKEN", "rotated")
	if err := in.d.applyReload(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	if level.Level() != slog.LevelDebug {
		t.Fatalf("log level after the reload = %v, want debug", level.Level())
	}
	if got := profile(""); got != http.StatusUnauthorized {
		t.Fatalf("profile request without the new token = %d, want 401", got)
	}
	if got := profile("rotated"); got != http.StatusOK {
		t.Fatalf("profile request with the new token = %d, want 200", got)
	}
}

func TestReloadReplacesProviderKeyWithoutDroppingWebSockets(t *testing.T) {
	const first, second = "sk-first-0123456789", "sk-second-9876543210"
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()), openaitest.WithAPIKey(first, second))
	dir := t.TempDir()
	t.Setenv("FAKE_KEY_FILE", writeFile(t, dir, "fake.key", first+"\n"))
	path := writeConfig(t, dir, testSetup{model: model.URL(), provider: `api_key_env = "FAKE_KEY"`})
	in := startServeEnv(t, path, envLookup)
	c := in.dial("")
	readFrame(t, c)
	if _, done := ask(t, c, "1", "hello"); done.Text == "" {
		t.Fatalf("before the reload: %+v", done)
	}

	writeFile(t, dir, "fake.key", second+"\n")
	if err := in.d.applyReload(context.Background(), path); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if _, done := ask(t, c, "2", "hello again"); done.Text == "" {
		t.Fatalf("after the reload, on the same WebSocket: %+v", done)
	}
	// An empty key file is refused whole: the running key stays.
	writeFile(t, dir, "fake.key", "\n")
	if err := in.d.applyReload(context.Background(), path); err == nil {
		t.Fatal("an empty key file was accepted")
	}
	if _, done := ask(t, c, "3", "and again"); done.Text == "" {
		t.Fatalf("after a refused reload: %+v", done)
	}

	reqs := model.Requests()
	var got []string
	for _, r := range reqs {
		got = append(got, r.Authorization)
	}
	want := []string{"Bearer " + first, "Bearer " + second, "Bearer " + second}
	if !slices.Equal(got, want) {
		t.Fatalf("Authorization of the model calls = %q, want %q", got, want)
	}
}

func TestNeedsRestartIgnoresProviderKeys(t *testing.T) {
	running := Config{Providers: []openai.Config{{Name: "a", BaseURL: "http://x/v1", APIKey: "old"}}}
	next := Config{Providers: []openai.Config{{Name: "a", BaseURL: "http://x/v1", APIKey: "new"}}}
	if keys := needsRestart(running, next); len(keys) != 0 {
		t.Fatalf("a changed provider key needs a restart: %v", keys)
	}
	next.Providers[0].BaseURL = "http://y/v1"
	if keys := needsRestart(running, next); !slices.Equal(keys, []string{"providers"}) {
		t.Fatalf("needs restart = %v, want [providers]", keys)
	}
}

func TestReloadAppliesSensitiveWordsAndKeepsTheRefusalText(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: model.URL(), extra: withWords(t, dir) + "refusal_reply = \"Not here.\"\n"})
	in := startServe(t, path)
	c := in.dial("")
	readFrame(t, c)
	if _, done := ask(t, c, "1", "tell me about poker"); done.Text != "tell me about poker" {
		t.Fatalf("before the reload: %+v", done)
	}
	writeFile(t, dir, "banned.txt", "poker\n")
	if err := in.d.applyReload(context.Background(), path); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if _, done := ask(t, c, "2", "tell me about poker"); done.Text != "Not here." {
		t.Fatalf("after the reload: %+v, want the operator's refusal", done)
	}
	writeFile(t, dir, "banned.txt", "bad\tword\n")
	if err := in.d.applyReload(context.Background(), path); err == nil || !strings.Contains(err.Error(), "words_file") {
		t.Fatalf("a broken words file: reload error %v", err)
	}
	if _, done := ask(t, c, "3", "poker again"); done.Text != "Not here." {
		t.Fatalf("after a refused reload: %+v, want the running words", done)
	}
}
