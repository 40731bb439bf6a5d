package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
)

func TestWSNewSessionGetsReady(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, nil, nil)
	f := expect(t, c, "ready")
	if !validSession(f.Session) || len(f.Session) != 22 {
		t.Fatalf("generated session %q is not a 22-character URL-safe id", f.Session)
	}
	// No history frame for a new session: the next frame is the reply.
	send(t, c, message("m1", "hi"))
	env := e.d.next(t)
	e.d.answer(t, env, core.Reply{Text: "hello", Route: core.RouteFAQ})
	if f := expect(t, c, "done"); f.Text != "hello" || f.Route != "faq" {
		t.Fatalf("done frame %+v", f)
	}
}

func TestWSMessageBecomesEnvelope(t *testing.T) {
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	e := newTestEnv(t, testConfig(), true, WithClock(func() time.Time { return now }))
	c := e.dial(t, url.Values{"session": {"s-1_A"}}, nil)
	expect(t, c, "ready")
	send(t, c, message("c-42", "  what is imbot?\n"))
	got := e.d.next(t)
	want := core.Envelope{Platform: "web", ChatID: "s-1_A", ChatKind: core.ChatDirect, UserID: "s-1_A",
		MessageID: "c-42", Text: "what is imbot?", Received: now}
	if got != want {
		t.Fatalf("envelope\n got %+v\nwant %+v", got, want)
	}
}

func TestWSStreamsDeltasAndDone(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, url.Values{"session": {"stream"}}, nil)
	expect(t, c, "ready")
	send(t, c, message("m1", "tell me"))
	env := e.d.next(t)
	reply := core.Reply{Text: "Hello, 世界!", Route: core.RouteModel, Provider: "local", Model: "qwen3"}
	// "世" split across two updates must not produce broken UTF-8.
	go e.d.answer(t, env, reply, "Hello, ", "\xe4\xb8", "\x96界", "!")
	deltas, done := collect(t, c, "m1")
	if done.Text != reply.Text || done.Route != "model" || done.Provider != "local" || done.Model != "qwen3" {
		t.Fatalf("done frame %+v does not carry the reply %+v", done, reply)
	}
	if deltas != reply.Text {
		t.Fatalf("deltas add up to %q, want %q", deltas, reply.Text)
	}
}

func TestWSHistoryOnResume(t *testing.T) {
	user := func(text string) historyMessage {
		return historyMessage{Role: "user", Text: text, At: "2026-11-20T01:30:00Z"}
	}
	faqAnswer := func(text string) historyMessage {
		return historyMessage{Role: "assistant", Text: text, At: "2026-11-20T01:30:01Z", Route: "faq"}
	}
	e := newTestEnv(t, testConfig(), true)
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	env := e.a.envelope("resume-me", "m0", "earlier", peer{})
	for i := range 3 {
		turn := core.Turn{Envelope: env,
			User:  core.Message{Role: core.RoleUser, Text: "q" + string(rune('0'+i)), At: at},
			Reply: core.Message{Role: core.RoleAssistant, Text: "a" + string(rune('0'+i)), At: at.Add(time.Second), Route: core.RouteFAQ}}
		if err := e.history.Complete(t.Context(), turn); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		limit int
		want  []historyMessage
	}{
		{"all", 50, []historyMessage{
			user("q0"), faqAnswer("a0"), user("q1"), faqAnswer("a1"), user("q2"), faqAnswer("a2")}},
		{"newest three", 3, []historyMessage{faqAnswer("a1"), user("q2"), faqAnswer("a2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.a.cfg.HistoryMessages = tt.limit
			c := e.dial(t, url.Values{"session": {"resume-me"}}, nil)
			if f := expect(t, c, "ready"); f.Session != "resume-me" {
				t.Fatalf("ready session %q, want resume-me", f.Session)
			}
			f := expect(t, c, "history")
			if len(f.Messages) != len(tt.want) {
				t.Fatalf("history %+v, want %+v", f.Messages, tt.want)
			}
			for i := range tt.want {
				if f.Messages[i] != tt.want[i] {
					t.Fatalf("history[%d] = %+v, want %+v", i, f.Messages[i], tt.want[i])
				}
			}
		})
	}
}

func TestWSHistoryFailureStillConnects(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	e.history.err = errTest
	c := e.dial(t, url.Values{"session": {"broken"}}, nil)
	expect(t, c, "ready")
	send(t, c, message("m1", "still works"))
	if env := e.d.next(t); env.Text != "still works" {
		t.Fatalf("text %q", env.Text)
	}
}

func TestWSBadFramesKeepConnectionOpen(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMessageBytes = 16
	e := newTestEnv(t, cfg, true)
	c := e.dial(t, nil, nil)
	expect(t, c, "ready")
	tests := []struct {
		name, data, code, replyTo string
	}{
		{"malformed JSON", `{"type":"message",`, codeBadRequest, ""},
		{"not an object", `[1,2]`, codeBadRequest, ""},
		{"unknown type", `{"type":"typing","id":"m1"}`, codeBadRequest, "m1"},
		{"missing id", `{"type":"message","text":"hi"}`, codeBadRequest, ""},
		{"id with spaces", `{"type":"message","id":"a b","text":"hi"}`, codeBadRequest, ""},
		{"empty text", `{"type":"message","id":"m2","text":"  "}`, codeBadRequest, "m2"},
		{"text too large", `{"type":"message","id":"m3","text":"0123456789abcdefg"}`, codeTooLarge, "m3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.WriteMessage(websocket.TextMessage, []byte(tt.data)); err != nil {
				t.Fatal(err)
			}
			f := expect(t, c, "error")
			if f.Code != tt.code || f.ReplyTo == nil || *f.ReplyTo != tt.replyTo || f.Message == "" {
				t.Fatalf("error frame %+v, want code %q reply_to %q", f, tt.code, tt.replyTo)
			}
		})
	}
	t.Run("binary frame", func(t *testing.T) {
		if err := c.WriteMessage(websocket.BinaryMessage, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if f := expect(t, c, "error"); f.Code != codeBadRequest {
			t.Fatalf("code %q, want bad_request", f.Code)
		}
	})
	send(t, c, message("ok", "still open"))
	if env := e.d.next(t); env.MessageID != "ok" {
		t.Fatalf("delivered %q after errors, want ok", env.MessageID)
	}
}

func TestWSReadLimitCloses1009(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMessageBytes = 100
	e := newTestEnv(t, cfg, true)
	c := e.dial(t, nil, nil)
	expect(t, c, "ready")
	send(t, c, message("big", strings.Repeat("x", e.a.frameLimit)))
	if code := readClose(t, c); code != websocket.CloseMessageTooBig {
		t.Fatalf("close code %d, want 1009", code)
	}
}

func TestWSRefusals(t *testing.T) {
	tests := []struct {
		refusal core.Refusal
		code    string
	}{
		{core.RefusalBusy, codeBusy},
		{core.RefusalRateLimited, codeRateLimited},
	}
	for _, tt := range tests {
		t.Run(string(tt.refusal), func(t *testing.T) {
			e := newTestEnv(t, testConfig(), true)
			e.d.refuse = tt.refusal
			c := e.dial(t, nil, nil)
			expect(t, c, "ready")
			send(t, c, message("r1", "hello"))
			f := expect(t, c, "error")
			if f.Code != tt.code || *f.ReplyTo != "r1" {
				t.Fatalf("error frame %+v, want code %q for r1", f, tt.code)
			}
		})
	}
}

func TestWSDeliverFailureIsBusy(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	e.d.fail = errTest
	c := e.dial(t, nil, nil)
	expect(t, c, "ready")
	send(t, c, message("x1", "hello"))
	if f := expect(t, c, "error"); f.Code != codeBusy || *f.ReplyTo != "x1" {
		t.Fatalf("error frame %+v, want busy for x1", f)
	}
}

func TestWSInFlightCap(t *testing.T) {
	e := newTestEnv(t, testConfig(), true, WithMaxInFlight(2))
	c := e.dial(t, url.Values{"session": {"cap"}}, nil)
	expect(t, c, "ready")
	send(t, c, message("a", "1"))
	send(t, c, message("b", "2"))
	send(t, c, message("a", "1 again")) // a resend takes no second slot
	send(t, c, message("c", "3"))
	if f := expect(t, c, "error"); f.Code != codeBusy || *f.ReplyTo != "c" {
		t.Fatalf("error frame %+v, want busy for c", f)
	}
	first := e.d.next(t)
	e.d.next(t)
	e.d.next(t)
	e.d.answer(t, first, core.Reply{Text: "one", Route: core.RouteFAQ})
	expect(t, c, "done")
	send(t, c, message("d", "4"))
	if env := e.d.next(t); env.MessageID != "d" {
		t.Fatalf("delivered %q, want d once a slot is free", env.MessageID)
	}
}

func TestWSTwoTabsShareSession(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	q := url.Values{"session": {"two-tabs"}}
	tab1, tab2 := e.dial(t, q, nil), e.dial(t, q, nil)
	other := e.dial(t, url.Values{"session": {"someone-else"}}, nil)
	for _, c := range []*websocket.Conn{tab1, tab2, other} {
		expect(t, c, "ready")
	}
	send(t, tab1, message("t1", "question"))
	env := e.d.next(t)
	e.d.answer(t, env, core.Reply{Text: "answer", Route: core.RouteDegraded}, "ans", "wer")
	for name, c := range map[string]*websocket.Conn{"tab1": tab1, "tab2": tab2} {
		deltas, done := collect(t, c, "t1")
		if deltas != "answer" || done.Text != "answer" || done.Route != "degraded" {
			t.Fatalf("%s: deltas %q, done %+v", name, deltas, done)
		}
	}
	// The other session hears nothing: its next frame is its own error.
	send(t, other, map[string]string{"type": "nope"})
	if f := expect(t, other, "error"); f.Code != codeBadRequest {
		t.Fatalf("other session got %+v", f)
	}
}

// A reply for a session with no connection here (a turn replayed after a
// restart, or taken over from a replica that died) is dropped without an
// error, so that the dispatcher does not send it again.
func TestWSReplayedReplyWithoutListener(t *testing.T) {
	e := newTestEnv(t, testConfig(), false)
	env := e.a.envelope("gone", "old", "from before the restart", peer{})
	e.d.answer(t, env, core.Reply{Text: "late", Route: core.RouteModel}, "la", "te")
	if _, err := e.a.Reply(t.Context(), core.Envelope{Platform: "telegram"}); err == nil {
		t.Fatal("Reply accepted an envelope of another platform")
	}
}

func TestWSHandshakeRefusals(t *testing.T) {
	cfg := testConfig()
	cfg.Tokens = []string{"0123456789abcdef-token"}
	cfg.AllowedOrigins = []string{"https://chat.example.com"}
	e := newTestEnv(t, cfg, true)
	auth := http.Header{"Authorization": {"Bearer 0123456789abcdef-token"}}
	tests := []struct {
		name   string
		query  url.Values
		header http.Header
		status int
		code   string
	}{
		{"no token", nil, nil, 401, codeUnauthorized},
		{"wrong header token", nil, http.Header{"Authorization": {"Bearer wrong-token-wrong-token"}}, 401, codeUnauthorized},
		{"wrong query token", url.Values{"token": {"nope"}}, nil, 401, codeUnauthorized},
		{"foreign origin", nil, http.Header{"Authorization": auth["Authorization"], "Origin": {"https://evil.example"}}, 403, codeForbidden},
		{"bad session", url.Values{"session": {"../etc"}}, auth, 400, codeBadRequest},
		{"session too long", url.Values{"session": {strings.Repeat("a", 65)}}, auth, 400, codeBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.dialStatus(t, tt.query, tt.header)
			if status != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Fatalf("got %d %+v, want %d %q", status, body, tt.status, tt.code)
			}
		})
	}
	accepted := []struct {
		name   string
		query  url.Values
		header http.Header
	}{
		{"header token", nil, auth},
		{"query token", url.Values{"token": {"0123456789abcdef-token"}}, nil},
		{"allowed origin", nil, http.Header{"Authorization": auth["Authorization"], "Origin": {"https://CHAT.example.com"}}},
		{"same host origin", nil, http.Header{"Authorization": auth["Authorization"], "Origin": {e.srv.URL}}},
		{"session of 64", url.Values{"session": {strings.Repeat("a", 64)}}, auth},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			expect(t, e.dial(t, tt.query, tt.header), "ready")
		})
	}
}

func TestWSBeforeRunIsBusy(t *testing.T) {
	e := newTestEnv(t, testConfig(), false)
	e.a.startWait = 0 // never started: answer at once
	status, body := e.dialStatus(t, nil, nil)
	if status != http.StatusServiceUnavailable || body.Error.Code != codeBusy {
		t.Fatalf("got %d %+v, want 503 busy", status, body)
	}
}

func TestWSMaxConnections(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConnections = 2
	e := newTestEnv(t, cfg, true)
	first := e.dial(t, nil, nil)
	expect(t, first, "ready")
	expect(t, e.dial(t, nil, nil), "ready")
	status, body := e.dialStatus(t, nil, nil)
	if status != http.StatusServiceUnavailable || body.Error.Code != codeBusy {
		t.Fatalf("third connection: %d %+v, want 503 busy", status, body)
	}
	_ = first.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	readClose(t, first)
	deadline := time.Now().Add(waitTimeout)
	for e.a.hub.connections() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections after a close, want 1", e.a.hub.connections())
		}
		<-time.After(time.Millisecond)
	}
	expect(t, e.dial(t, nil, nil), "ready")
}

func TestWSPingKeepsAlive(t *testing.T) {
	cfg := testConfig()
	cfg.PingInterval = time.Second
	e := newTestEnv(t, cfg, true)
	c := e.dial(t, nil, nil)
	pinged := make(chan struct{}, 1)
	c.SetPingHandler(func(data string) error {
		select {
		case pinged <- struct{}{}:
		default:
		}
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	expect(t, c, "ready")
	go func() { _, _, _ = c.ReadMessage() }() // ping handlers run inside reads
	select {
	case <-pinged:
	case <-time.After(waitTimeout):
		t.Fatal("no ping within the ping interval")
	}
}

func TestWSGracefulShutdown(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	q := url.Values{"session": {"bye"}}
	conns := []*websocket.Conn{e.dial(t, q, nil), e.dial(t, q, nil)}
	for _, c := range conns {
		expect(t, c, "ready")
	}
	codes := make(chan int, len(conns))
	for _, c := range conns {
		go func() {
			_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
			for {
				_, _, err := c.ReadMessage()
				var ce *websocket.CloseError
				if errors.As(err, &ce) {
					codes <- ce.Code
					return
				}
				if err != nil {
					codes <- 0
					return
				}
			}
		}()
	}
	start := time.Now()
	e.stop() // waits for Run to return
	if d := time.Since(start); d >= closeGrace {
		t.Errorf("shutdown took %s although the clients answered the close frame", d)
	}
	for range conns {
		if code := <-codes; code != websocket.CloseGoingAway {
			t.Fatalf("close code %d, want 1001", code)
		}
	}
	if n := e.a.hub.connections(); n != 0 {
		t.Fatalf("%d connections attached after Run returned", n)
	}
	if err := e.a.Check(t.Context()); err == nil {
		t.Fatal("Check reports ready after Run returned")
	}
	if status, _ := e.dialStatus(t, nil, nil); status != http.StatusServiceUnavailable {
		t.Fatalf("handshake after shutdown: %d, want 503", status)
	}
	if err := e.a.Run(t.Context(), e.d.deliver); err == nil {
		t.Fatal("second Run succeeded")
	}
}

// TestWSMergedFollowups: a reply that also answers later messages (burst
// coalescing) frees them with merged frames and answers their /api/chat
// requests.
func TestWSMergedFollowups(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	c := e.dial(t, url.Values{"session": {"burst"}}, nil)
	expect(t, c, "ready")
	send(t, c, message("m1", "my order"))
	send(t, c, message("m2", "it is 4711"))
	head, next := e.d.next(t), e.d.next(t)
	posted := make(chan chatResponse, 1)
	go func() {
		var got chatResponse
		if _, err := e.tryPost(`{"session":"burst","id":"m3","text":"where is it?"}`, nil, &got); err != nil {
			t.Error(err)
		}
		posted <- got
	}()
	third := e.d.next(t)
	w, err := e.a.Reply(context.Background(), head)
	if err != nil {
		t.Fatal(err)
	}
	w.(core.MergeWriter).Merged([]core.Envelope{next, third})
	if err := w.Finish(context.Background(), core.Reply{Text: "on its way", Route: core.RouteModel}); err != nil {
		t.Fatal(err)
	}
	if _, done := collect(t, c, "m1"); done.Text != "on its way" {
		t.Fatalf("done = %+v", done)
	}
	for _, id := range []string{"m2", "m3"} {
		if f := expect(t, c, "merged"); f.ReplyTo == nil || *f.ReplyTo != id || f.Into != "m1" {
			t.Errorf("merged frame %+v, want %s into m1", f, id)
		}
	}
	select {
	case got := <-posted:
		if got.Text != "on its way" {
			t.Errorf("/api/chat for the follow-up got %+v", got)
		}
	case <-time.After(waitTimeout):
		t.Fatal("/api/chat for the follow-up got no reply")
	}
}
