package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"imbot/provider/openai/openaitest"
	"imbot/store"
	"imbot/store/postgres/pgtest"
	"imbot/store/storage"
	"imbot/store/storetest"
)

// storeConfig writes a config whose [store] section holds keys, and
// returns its path.
func storeConfig(t *testing.T, keys string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	text := fmt.Sprintf("[server]\nlisten = \"127.0.0.1:0\"\n[store]\npath = %q\n%s\n", filepath.Join(dir, "imbot.db"), keys)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckNamesBadStoreKeys(t *testing.T) {
	cases := []struct{ keys, want string }{
		{`backend = "mysql"`, "store.backend"},
		{"backend = \"postgres\"\ndsn_env = \"IMBOT_TEST_UNSET_DSN\"", "IMBOT_TEST_UNSET_DSN is not set"},
	}
	for _, c := range cases {
		code, out := runArgs("check", "-offline", "-config", storeConfig(t, c.keys))
		if code != checkInvalid || !strings.Contains(out, c.want) || !strings.Contains(out, "line ") {
			t.Errorf("check of %q: exit %d, output lacks %q with its line:\n%s", c.keys, code, c.want, out)
		}
	}
}

func TestMigrateWithBoltHasNothingToDo(t *testing.T) {
	code, out := runArgs("migrate", "-config", storeConfig(t, ""))
	if code != 0 || !strings.Contains(out, "nothing to migrate") {
		t.Errorf("migrate with bbolt: exit %d\n%s", code, out)
	}
}

// fillBoltFile writes three answered turns, a pending one and an
// unanswered question into a new bbolt file and returns its path.
func fillBoltFile(t *testing.T) string {
	t.Helper()
	cfg := store.DefaultConfig()
	cfg.Path = filepath.Join(t.TempDir(), "old.db")
	st, err := store.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	now := time.Now()
	for n := 1; n <= 4; n++ {
		env := storetest.Envelope("c1", n)
		if _, err := st.Accept(ctx, env); err != nil {
			t.Fatal(err)
		}
		if n < 4 {
			if err := st.Complete(ctx, storetest.TurnFor(env, now)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.AddUnanswered(ctx, storetest.UnansweredSample()); err != nil {
		t.Fatal(err)
	}
	return cfg.Path
}

// TestPostgresCommands moves a bbolt file into PostgreSQL with the
// commands an operator runs, twice, and reads it back with the read-only
// commands.
func TestPostgresCommands(t *testing.T) {
	t.Setenv("IMBOT_TEST_PG_DSN", pgtest.NewDatabase(t))
	cfg := storeConfig(t, "backend = \"postgres\"\ndsn_env = \"IMBOT_TEST_PG_DSN\"")
	code, out := runArgs("migrate", "-config", cfg)
	if code != 0 || !strings.Contains(out, "schema version 0 → ") {
		t.Fatalf("migrate: exit %d\n%s", code, out)
	}
	if code, out = runArgs("migrate", "-config", cfg); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("second migrate: exit %d\n%s", code, out)
	}
	file := fillBoltFile(t)
	for range 2 {
		code, out = runArgs("migrate-store", "-config", cfg, "-from", "bbolt:"+file, "-to", "postgres")
		if code != 0 || !strings.Contains(out, "messages") {
			t.Fatalf("migrate-store: exit %d\n%s", code, out)
		}
	}
	code, out = runArgs("stats", "-json", "-config", cfg)
	var st storage.Stats
	if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil {
		t.Fatalf("stats: exit %d, %v\n%s", code, err, out)
	}
	if st.Backend != "postgres" || st.Messages != 6 || st.Pending != 1 || st.Unanswered != 1 {
		t.Errorf("stats after two moves = %+v, want 6 messages, 1 pending, 1 unanswered", st)
	}
	if code, out = runArgs("export", "-config", cfg); code != 0 || strings.Count(out, "\n") != 1 {
		t.Errorf("export: exit %d, want one conversation\n%s", code, out)
	}
	if code, out = runArgs("faq", "unanswered", "-config", cfg); code != 0 || !strings.Contains(out, "退货") {
		t.Errorf("faq unanswered: exit %d\n%s", code, out)
	}
	if code, out = runArgs("backup", "-config", cfg, "-o", filepath.Join(t.TempDir(), "b")); code == 0 || !strings.Contains(out, "pg_dump") {
		t.Errorf("backup on postgres: exit %d, want a failure naming pg_dump\n%s", code, out)
	}
	if _, out = runArgs("check", "-config", cfg); !strings.Contains(out, "✓ store postgres ($IMBOT_TEST_PG_DSN): reachable, schema") {
		t.Errorf("live check does not report the database:\n%s", out)
	}
	if code, out = runArgs("migrate-store", "-config", cfg, "-from", "sqlite:x"); code == 0 {
		t.Errorf("migrate-store from sqlite: exit 0\n%s", out)
	}
}

// writePostgresConfig writes, in a directory of its own, the config of s
// with the store in the PostgreSQL database $IMBOT_TEST_PG_DSN names, and
// returns its path.
func writePostgresConfig(t *testing.T, s testSetup) string {
	t.Helper()
	path := writeConfig(t, t.TempDir(), s)
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text = []byte(strings.Replace(string(text), "[store]\n", "[store]\nbackend = \"postgres\"\ndsn_env = \"IMBOT_TEST_PG_DSN\"\n", 1))
	if err := os.WriteFile(path, text, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestServeOnPostgres runs a turn with `imbot chat` on its own, then one
// through a daemon serving from the same database: the daemon sees the
// first turn's history and /readyz counts the database.
func TestServeOnPostgres(t *testing.T) {
	t.Setenv("IMBOT_TEST_PG_DSN", pgtest.NewDatabase(t))
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	path := writePostgresConfig(t, testSetup{model: model.URL(), listen: freeAddr(t)})
	var out, errOut bytes.Buffer
	if err := runChat([]string{"-config", path}, strings.NewReader("remember the word teapot\n"), &out, &errOut); err != nil {
		t.Fatalf("local chat: %v (%s)", err, errOut.String())
	}
	serve := startServeEnv(t, path, envLookup)
	out.Reset()
	if err := runChat([]string{"-config", path}, strings.NewReader("which word?\n"), &out, &errOut); err != nil {
		t.Fatalf("chat with the daemon: %v (%s)", err, errOut.String())
	}
	reqs := model.Requests()
	var prompt []string
	for _, m := range reqs[len(reqs)-1].Messages {
		prompt = append(prompt, m.Content)
	}
	if !strings.Contains(strings.Join(prompt, "\n"), "remember the word teapot") {
		t.Fatalf("the daemon's turn did not see the history in the database: %q", prompt)
	}
	if status, body := httpGet(t, "http://"+serve.addr+"/readyz"); status != http.StatusOK || !strings.Contains(body, "store") {
		t.Errorf("/readyz = %d %s", status, body)
	}
	_, metrics := httpGet(t, "http://"+serve.addr+"/metrics")
	for _, series := range []string{"\nimbot_store_accepts_total{result=\"accepted\"} 1\n",
		"\nimbot_store_pool_connections{state=\"idle\"} "} {
		if !strings.Contains(metrics, series) {
			t.Errorf("/metrics lacks %q", series)
		}
	}
}
