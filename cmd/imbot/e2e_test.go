package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core/catalog"
	"imbot/provider/openai/openaitest"
)

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
		`{"text":"Do you deliver to Antarctica?"}`: (*catalog.Catalog)(nil).Text(catalog.EN, catalog.DegradedUnavailable),
		`{"text":"你们送货到南极洲吗？"}`:                    (*catalog.Catalog)(nil).Text(catalog.ZH, catalog.DegradedUnavailable),
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
	const readTimeout = 300 * time.Millisecond
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL()}),
		func(d *daemon) { d.readTimeout = readTimeout })

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
	<-time.After(3 * readTimeout)
	if _, done := ask(t, c, "late", "still there?"); done.Route != "model" {
		t.Fatalf("after idling: %+v", done)
	}
}

// TestServeOperationalEndpoints checks the wiring of the operational
// surface: health, readiness with the store and each provider's breaker,
// and metrics, on the daemon's own listener.
func TestServeOperationalEndpoints(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: model.URL()}))
	get := func(path string) (int, string) {
		t.Helper()
		return httpGet(t, "http://"+in.addr+path)
	}
	if status, body := get("/healthz"); status != http.StatusOK || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", status, body)
	}
	// The listener answers before the adapters' Run has begun; readiness
	// follows within moments.
	status, body := get("/readyz")
	for deadline := time.Now().Add(5 * time.Second); status != http.StatusOK && time.Now().Before(deadline); {
		<-time.After(20 * time.Millisecond)
		status, body = get("/readyz")
	}
	if status != http.StatusOK || !strings.Contains(body, `"store":"ok"`) || !strings.Contains(body, `"dispatcher":"ok"`) ||
		!strings.Contains(body, `"models_reachable":true`) ||
		!strings.Contains(body, `{"chain":"general","name":"fake","model":"fake-model","state":"closed","third_party":false}`) {
		t.Fatalf("/readyz = %d %s", status, body)
	}
	if status, body := get("/metrics"); status != http.StatusOK || !strings.Contains(body, "\nimbot_models_reachable 1\n") {
		t.Fatalf("/metrics = %d, %d bytes", status, len(body))
	}
}
