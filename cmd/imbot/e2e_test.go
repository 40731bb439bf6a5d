package main

import (
	"bytes"
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

	"imbot/core/catalog"
	"imbot/provider/openai/openaitest"
)

// instance is one in-process `imbot serve` for end-to-end tests.
type instance struct {
	t      *testing.T
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
func writeConfig(t *testing.T, dir string, s testSetup) string {
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

// startServe builds and runs the daemon from the config file at path.
func startServe(t *testing.T, path string) *instance {
	t.Helper()
	cfg, err := loadConfig(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := newDaemon(cfg, log, true)
	if err != nil {
		t.Fatal(err)
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

func TestServeEndToEnd(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	dir := t.TempDir()
	path := writeConfig(t, dir, testSetup{model: model.URL()})

	first := startServe(t, path)
	c := first.dial("")
	ready := readFrame(t, c)
	if ready.Type != "ready" || ready.Session == "" {
		t.Fatalf("first frame = %+v, want ready with a session", ready)
	}
	session := ready.Session
	streamed, done := ask(t, c, "m1", "What colour is the sky on Mars?")
	if done.Route != "model" || done.Provider != "fake" || done.Model != "fake-model" || done.Text == "" || streamed != done.Text {
		t.Fatalf("done = %+v, streamed %q", done, streamed)
	}
	status, out := postChat(t, first.addr, fmt.Sprintf(`{"session":%q,"text":"And on Venus?"}`, session))
	if status != http.StatusOK || out["session"] != session || out["route"] != "model" || out["text"] == "" {
		t.Fatalf("/api/chat = %d %v", status, out)
	}
	first.stop()

	second := startServe(t, path)
	c = second.dial(session)
	if f := readFrame(t, c); f.Type != "ready" || f.Session != session {
		t.Fatalf("after restart: %+v, want ready for %s", f, session)
	}
	hist := readFrame(t, c)
	if hist.Type != "history" || len(hist.Messages) != 4 || hist.Messages[0].Text != "What colour is the sky on Mars?" ||
		hist.Messages[3].Role != "assistant" {
		t.Fatalf("history frame = %+v", hist)
	}
	ask(t, c, "m3", "Which planet did I ask about first?")
	reqs := model.Requests()
	last := reqs[len(reqs)-1]
	var prompt []string
	for _, m := range last.Messages {
		prompt = append(prompt, m.Content)
	}
	joined := strings.Join(prompt, "\n")
	if !strings.Contains(joined, "What colour is the sky on Mars?") || !strings.Contains(joined, "And on Venus?") {
		t.Fatalf("history did not reach the next prompt:\n%s", joined)
	}
}

func TestServeBadInput(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL(), extra: "[adapters.web]\nmax_message_bytes = 64\n"}))
	c := in.dial("")
	readFrame(t, c)
	for _, bad := range []string{`{not json`, `{"type":"wat"}`, `{"type":"message","id":"x","text":"  "}`} {
		c.WriteMessage(websocket.TextMessage, []byte(bad))
		if f := readFrame(t, c); f.Type != "error" || f.Code != "bad_request" {
			t.Fatalf("%s → %+v, want bad_request", bad, f)
		}
	}
	c.WriteJSON(map[string]string{"type": "message", "id": "big", "text": strings.Repeat("x", 65)})
	if f := readFrame(t, c); f.Type != "error" || f.Code != "too_large" {
		t.Fatalf("oversize text → %+v, want too_large", f)
	}
	if _, done := ask(t, c, "ok", "still there?"); done.Route != "model" {
		t.Fatalf("connection unusable after bad input: %+v", done)
	}
	c.WriteMessage(websocket.TextMessage, bytes.Repeat([]byte("x"), 1<<20))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
		t.Fatalf("oversize frame: %v, want close 1009", err)
	}
	for body, want := range map[string]int{`nope`: 400, `{"text":""}`: 400, `{"text":"` + strings.Repeat("y", 65) + `"}`: 413} {
		if status, out := postChat(t, in.addr, body); status != want || out["error"] == nil {
			t.Errorf("/api/chat %.20s → %d %v, want %d with an error", body, status, out, want)
		}
	}
	if status, out := postChat(t, in.addr, `{"text":"fine"}`); status != 200 || out["route"] != "model" {
		t.Fatalf("server unusable after bad input: %d %v", status, out)
	}
}

func TestServeDegradesWhenModelIsDown(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Fail(http.StatusInternalServerError)))
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL(), provider: "max_retries = 0"}))
	for body, want := range map[string]string{
		`{"text":"Tell me something interesting about owls"}`: (*catalog.Catalog)(nil).Text(catalog.EN, catalog.DegradedUnavailable),
		`{"text":"给我讲讲猫头鹰的趣事"}`:                               (*catalog.Catalog)(nil).Text(catalog.ZH, catalog.DegradedUnavailable),
	} {
		status, out := postChat(t, in.addr, body)
		if status != 200 || out["route"] != "degraded" || out["text"] != want {
			t.Fatalf("/api/chat %s with model down = %d %v, want %q", body, status, out, want)
		}
		for _, operator := range []string{"OPENAI", "Operator", "Ollama", "providers"} {
			if strings.Contains(out["text"].(string), operator) {
				t.Errorf("degraded reply %q shows operator text %q", out["text"], operator)
			}
		}
	}
}

func TestServeStalledRequestsTimeOutButWebSocketsLive(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	cfg, err := loadConfig(writeConfig(t, t.TempDir(), testSetup{model: model.URL()}), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDaemon(cfg, quiet(), true)
	if err != nil {
		t.Fatal(err)
	}
	d.readTimeout = 300 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done, ready := make(chan error, 1), make(chan string, 1)
	go func() { done <- d.run(ctx, func(a net.Addr) { ready <- a.String() }) }()
	in := &instance{t: t, addr: <-ready, cancel: cancel, done: done, d: d}
	t.Cleanup(in.stop)

	// A request whose body never comes is cut off.
	stalled, err := net.Dial("tcp", in.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close()
	fmt.Fprintf(stalled, "POST /healthz HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n\r\n", in.addr)
	stalled.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(stalled); err != nil {
		t.Fatalf("stalled request was not closed by the server: %v", err)
	}

	// A WebSocket idle for longer than the read timeout still works.
	c := in.dial("")
	readFrame(t, c)
	<-time.After(3 * d.readTimeout)
	if _, done := ask(t, c, "late", "still there?"); done.Route != "model" {
		t.Fatalf("after idling: %+v", done)
	}
}
