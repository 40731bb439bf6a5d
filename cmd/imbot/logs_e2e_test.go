package main

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/provider/openai/openaitest"
)

// lockedBuffer is a log sink safe for the daemon's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startLogged runs the daemon of the config at path with env as its
// environment and the process logger writing into the returned buffer.
func startLogged(t *testing.T, path string, env map[string]string) (*instance, *lockedBuffer) {
	t.Helper()
	cfg, err := loadConfig(path, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	log, err := newLogger(cfg, new(slog.LevelVar), logs)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDaemon(cfg, log, true)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{t: t, cancel: cancel, done: make(chan error, 1), d: d}
	ready := make(chan string, 1)
	go func() { in.done <- d.run(ctx, func(a net.Addr) { ready <- a.String() }) }()
	select {
	case in.addr = <-ready:
	case err := <-in.done:
		t.Fatalf("serve stopped before ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve not ready within 10s")
	}
	t.Cleanup(in.stop)
	return in, logs
}

func TestLogsCarryNoSecretsOrPersonalData(t *testing.T) {
	secrets := map[string]string{
		"IMBOT_ADMIN_TOKEN":    "admin-token-6f1c2d3e4b5a69788796",
		"FAKE_API_KEY":         "sk-fake-9a8b7c6d5e4f3a2b1c0d",
		"IMBOT_WEB_JWT_SECRET": "jwt-secret-0123456789abcdef0123456789",
		"IMBOT_WEB_TOKENS":     "web-static-token-13572468",
	}
	// The first call fails with an error that echoes the key and the
	// question, as some providers do; the daemon logs it.
	var calls sync.Map
	model := openaitest.New(t, openaitest.WithAPIKey(secrets["FAKE_API_KEY"]), openaitest.WithScript(func(r openaitest.Request) openaitest.Response {
		if _, again := calls.LoadOrStore(lastUser(r), true); !again {
			return openaitest.Response{Status: http.StatusInternalServerError,
				ErrorMessage: "key " + secrets["FAKE_API_KEY"] + " rejected input: " + lastUser(r)}
		}
		return chunked(5)(r)
	}))
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: model.URL(), provider: "api_key_env = \"FAKE_API_KEY\"\nthird_party = false",
		extra: withWords(t, dir) + "[adapters.web]\ntokens_env = \"IMBOT_WEB_TOKENS\"\njwt_secret_env = \"IMBOT_WEB_JWT_SECRET\"\n"})
	// Debug level: the most the daemon ever logs.
	if err := rewrite(path, `log_level = "warn"`, `log_level = "debug"`); err != nil {
		t.Fatal(err)
	}
	in, logs := startLogged(t, path, secrets)

	header := http.Header{"Authorization": {"Bearer " + secrets["IMBOT_WEB_TOKENS"]}}
	c, _, err := websocket.DefaultDialer.Dial("ws://"+in.addr+"/ws", header)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	readFrame(t, c)
	ask(t, c, "m1", piiQuestion)
	ask(t, c, "m2", "is online casino legal?")
	// A wrong token and a bad admin call are logged as failures.
	if _, resp, err := websocket.DefaultDialer.Dial("ws://"+in.addr+"/ws?token=not-"+secrets["IMBOT_WEB_TOKENS"], nil); err == nil {
		t.Fatal("a wrong token was accepted")
	} else if resp != nil {
		resp.Body.Close()
	}
	in.stop()

	out := logs.String()
	if !strings.Contains(out, "turn done") || !strings.Contains(out, "rejected input: phone [PHONE_1]") {
		t.Fatalf("the daemon logged no turn or no provider error; the test proves nothing:\n%s", out)
	}
	for _, leak := range append(mapValues(secrets), "13812345678", "11010519491231002X", "4111 1111 1111 1111", "li.lei@example.com") {
		if strings.Contains(out, leak) {
			t.Errorf("the logs contain %q:\n%s", leak, out)
		}
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// rewrite replaces old by new in the file at path.
func rewrite(path, old, new string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o600)
}
