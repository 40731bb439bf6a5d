package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// instance is one in-process `imbot serve` for end-to-end tests.
type instance struct {
	t      testing.TB
	addr   string
	cancel context.CancelFunc
	done   chan error
	d      *daemon
}

// testSetup is what a test config varies.
type testSetup struct {
	model    string // base URL of the first provider, "fake"
	listen   string // default 127.0.0.1:0
	provider string // more keys of the first provider
	general  string // the general chain, default ["fake"]
	extra    string // more tables
}

// writeConfig writes a config that keeps the store in dir and uses the fake
// model; it returns the file's path.
func writeConfig(t testing.TB, dir string, s testSetup) string {
	t.Helper()
	if s.listen == "" {
		s.listen = "127.0.0.1:0"
	}
	if s.general == "" {
		s.general = `["fake"]`
	}
	cfg := fmt.Sprintf(`
[server]
listen = %q
log_level = "warn"
[store]
path = %q
[[providers]]
name = "fake"
base_url = %q
model = "fake-model"
first_token_timeout = "2s"
timeout = "10s"
%s
[router]
general = %s
[dispatcher]
rate_per_minute = 0
%s
`, s.listen, filepath.Join(dir, "imbot.db"), s.model, s.provider, s.general, s.extra)
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startServe builds and runs the daemon from the config file at path, with
// no secrets from the environment and tune applied before it starts.
func startServe(t testing.TB, path string, tune ...func(*daemon)) *instance {
	t.Helper()
	return startServeEnv(t, path, func(string) string { return "" }, tune...)
}

// startServeEnv is startServe with secrets resolved through getenv.
func startServeEnv(t testing.TB, path string, getenv func(string) string, tune ...func(*daemon)) *instance {
	t.Helper()
	cfg, err := loadConfig(path, getenv)
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDaemon(cfg, quiet(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range tune {
		f(d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	inst := &instance{t: t, cancel: cancel, done: make(chan error, 1), d: d}
	ready := make(chan string, 1)
	go func() {
		inst.done <- d.run(ctx, func(a net.Addr) { ready <- a.String() })
	}()
	select {
	case inst.addr = <-ready:
	case err := <-inst.done:
		t.Fatalf("serve stopped before ready: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve not ready within 10s")
	}
	t.Cleanup(inst.stop)
	return inst
}

// quiet is a logger that discards everything.
func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// stop shuts the daemon down as SIGTERM would and closes the store.
func (in *instance) stop() {
	if in.cancel == nil {
		return
	}
	in.cancel()
	in.cancel = nil
	select {
	case err := <-in.done:
		if err != nil {
			in.t.Errorf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		in.t.Fatal("serve did not stop within 20s")
	}
	if err := in.d.close(); err != nil {
		in.t.Errorf("close: %v", err)
	}
}

// stopped waits for the daemon to stop by itself, closes it and returns
// what serve returned.
func (in *instance) stopped() error {
	in.t.Helper()
	var err error
	select {
	case err = <-in.done:
	case <-time.After(20 * time.Second):
		in.t.Fatal("serve did not stop by itself within 20s")
	}
	in.cancel()
	in.cancel = nil
	if cerr := in.d.close(); cerr != nil {
		in.t.Errorf("close: %v", cerr)
	}
	return err
}

// frame is any server frame of the web protocol.
type frame struct {
	Type     string `json:"type"`
	Session  string `json:"session"`
	ReplyTo  string `json:"reply_to"`
	Text     string `json:"text"`
	Route    string `json:"route"`
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Code     string `json:"code"`
	Messages []struct {
		Role string `json:"role"`
		Text string `json:"text"`
		At   string `json:"at"`
	} `json:"messages"`
}

func (in *instance) dial(session string) *websocket.Conn {
	in.t.Helper()
	url := "ws://" + in.addr + "/ws"
	if session != "" {
		url += "?session=" + session
	}
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		in.t.Fatalf("dial %s: %v", url, err)
	}
	in.t.Cleanup(func() { c.Close() })
	return c
}

func readFrame(t *testing.T, c *websocket.Conn) frame {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f frame
	if err := c.ReadJSON(&f); err != nil {
		t.Fatalf("read frame: %v", err)
	}
	return f
}

// ask sends a message and returns the deltas' concatenation and the done
// frame.
func ask(t *testing.T, c *websocket.Conn, id, text string) (string, frame) {
	t.Helper()
	if err := c.WriteJSON(map[string]string{"type": "message", "id": id, "text": text}); err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	for {
		f := readFrame(t, c)
		switch f.Type {
		case "delta":
			streamed.WriteString(f.Text)
		case "done":
			if f.ReplyTo != id {
				t.Fatalf("done for %q, want %q", f.ReplyTo, id)
			}
			return streamed.String(), f
		default:
			t.Fatalf("unexpected frame %+v while waiting for %s", f, id)
		}
	}
}

func postChat(t *testing.T, addr string, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/api/chat", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decode /api/chat answer (status %d): %v", resp.StatusCode, err)
	}
	return resp.StatusCode, out
}

// httpGet returns the status and body of a GET of url.
func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
