package web

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"imbot/core"
)

func TestAPIChatAnswers(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	reply := core.Reply{Text: "42", Route: core.RouteModel, Provider: "deepseek", Model: "deepseek-chat"}
	go func() {
		env := e.d.next(t)
		e.d.answer(t, env, reply, "4", "2")
	}()
	var got chatResponse
	status := e.post(t, `{"session":"api-1","id":"q-1","text":"meaning of life?"}`, nil, &got)
	want := chatResponse{Session: "api-1", Text: "42", Route: "model", Provider: "deepseek", Model: "deepseek-chat"}
	if status != http.StatusOK || got != want {
		t.Fatalf("got %d %+v, want 200 %+v", status, got, want)
	}
}

func TestAPIChatGeneratesIDs(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	envs := make(chan core.Envelope, 1)
	go func() {
		env := e.d.next(t)
		envs <- env
		e.d.answer(t, env, core.Reply{Text: "hi", Route: core.RouteFAQ})
	}()
	var got chatResponse
	if status := e.post(t, `{"text":"hello"}`, nil, &got); status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	env := <-envs
	if !validSession(got.Session) || core.ChatID(got.Session) != env.ChatID {
		t.Fatalf("session %q returned, envelope chat %q", got.Session, env.ChatID)
	}
	if !validMessageID(string(env.MessageID)) || string(env.MessageID) == got.Session {
		t.Fatalf("generated message id %q", env.MessageID)
	}
	if env.Platform != Platform || env.ChatKind != core.ChatDirect || env.Text != "hello" {
		t.Fatalf("envelope %+v", env)
	}
}

func TestAPIChatErrors(t *testing.T) {
	cfg := testConfig()
	cfg.MaxMessageBytes = 32
	e := newTestEnv(t, cfg, true)
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"bad JSON", `{"text":`, 400, codeBadRequest},
		{"empty body", ``, 400, codeBadRequest},
		{"text not a string", `{"text":5}`, 400, codeBadRequest},
		{"empty text", `{"text":" \n"}`, 400, codeBadRequest},
		{"missing text", `{"session":"abc"}`, 400, codeBadRequest},
		{"bad session", `{"session":"a/b","text":"hi"}`, 400, codeBadRequest},
		{"bad id", `{"id":"a b","text":"hi"}`, 400, codeBadRequest},
		{"text over max_message_bytes", `{"text":"` + strings.Repeat("y", 33) + `"}`, 413, codeTooLarge},
		{"body over the frame limit", `{"text":"` + strings.Repeat("z", e.a.frameLimit) + `"}`, 413, codeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body errorBody
			status := e.post(t, tt.body, nil, &body)
			if status != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Fatalf("got %d %+v, want %d %q", status, body, tt.status, tt.code)
			}
		})
	}
	select {
	case env := <-e.d.got:
		t.Fatalf("a rejected request was delivered: %+v", env)
	default:
	}
}

func TestAPIChatRefusalsAndFailures(t *testing.T) {
	tests := []struct {
		name    string
		refuse  core.Refusal
		fail    error
		timeout time.Duration
		status  int
		code    string
	}{
		{name: "busy", refuse: core.RefusalBusy, status: 503, code: codeBusy},
		{name: "rate limited", refuse: core.RefusalRateLimited, status: 429, code: codeRateLimited},
		{name: "not accepted", fail: errTest, status: 503, code: codeBusy},
		{name: "no reply in time", timeout: 50 * time.Millisecond, status: 504, code: codeTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			if tt.timeout > 0 {
				cfg.RequestTimeout = tt.timeout
			}
			e := newTestEnv(t, cfg, true)
			e.d.refuse, e.d.fail = tt.refuse, tt.fail
			var body errorBody
			status := e.post(t, `{"text":"hello"}`, nil, &body)
			if status != tt.status || body.Error.Code != tt.code {
				t.Fatalf("got %d %+v, want %d %q", status, body, tt.status, tt.code)
			}
		})
	}
}

func TestAPIChatAuth(t *testing.T) {
	cfg := testConfig()
	cfg.TokensEnv = "IMBOT_WEB_TOKENS"
	cfg.EnvTokens = "first-token-0123456789, second-token-0123456789"
	e := newTestEnv(t, cfg, true)
	go func() {
		for {
			select {
			case env := <-e.d.got:
				e.d.answer(t, env, core.Reply{Text: "ok", Route: core.RouteCommand})
			case <-t.Context().Done():
				return
			}
		}
	}()
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int
	}{
		{"missing", "", nil, 401},
		{"wrong bearer", "", http.Header{"Authorization": {"Bearer first-token-0123456788"}}, 401},
		{"not bearer", "", http.Header{"Authorization": {"Basic Zmlyc3Q="}}, 401},
		{"wrong query", "?token=second", nil, 401},
		{"header", "", http.Header{"Authorization": {"Bearer first-token-0123456789"}}, 200},
		{"lower-case scheme", "", http.Header{"Authorization": {"bearer second-token-0123456789"}}, 200},
		{"query", "?token=" + url.QueryEscape("second-token-0123456789"), nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/chat"+tt.query, strings.NewReader(`{"text":"hi"}`))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
}

func TestAPIChatForeignOrigin(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	var body errorBody
	status := e.post(t, `{"text":"hi"}`, http.Header{"Origin": {"https://evil.example"}}, &body)
	if status != http.StatusForbidden || body.Error.Code != codeForbidden {
		t.Fatalf("got %d %+v, want 403 forbidden", status, body)
	}
}

// TestOpenChatAnswersOnlyItsHosts guards against DNS rebinding: a page on
// another domain that resolves to this daemon must not reach an open chat.
func TestOpenChatAnswersOnlyItsHosts(t *testing.T) {
	const token = "0123456789abcdef0123"
	tests := []struct {
		name   string
		tokens []string
		hosts  []string
		host   string
		auth   string
		want   int
	}{
		{"loopback ip", nil, nil, "127.0.0.1:8080", "", http.StatusOK},
		{"localhost", nil, nil, "localhost:8080", "", http.StatusOK},
		{"ipv6 loopback", nil, nil, "[::1]:8080", "", http.StatusOK},
		{"rebound name", nil, nil, "attacker.example:8080", "", http.StatusForbidden},
		{"listed host", nil, []string{"chat.internal"}, "chat.internal", "", http.StatusOK},
		{"unlisted host", nil, []string{"chat.internal"}, "other.internal", "", http.StatusForbidden},
		{"every host", nil, []string{"*"}, "anything.example", "", http.StatusOK},
		{"tokens serve any host", []string{token}, nil, "chat.example.com", "Bearer " + token, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.Tokens, cfg.AllowedHosts = tt.tokens, tt.hosts
			e := newTestEnv(t, cfg, true)
			if tt.want == http.StatusOK {
				go func() { e.d.answer(t, e.d.next(t), core.Reply{Text: "hi", Route: core.RouteFAQ}) }()
			}
			req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/api/chat", strings.NewReader(`{"text":"hi"}`))
			req.Host = tt.host
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("Host %s: status %d, want %d", tt.host, resp.StatusCode, tt.want)
			}
		})
	}
}

func TestAPIChatBeforeRunIsBusy(t *testing.T) {
	e := newTestEnv(t, testConfig(), false)
	e.a.startWait = 0 // never started: answer at once
	var body errorBody
	if status := e.post(t, `{"text":"hi"}`, nil, &body); status != 503 || body.Error.Code != codeBusy {
		t.Fatalf("got %d %+v, want 503 busy", status, body)
	}
}

func TestAPIChatShutdownWhileWaiting(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	go func() {
		e.d.next(t) // accepted, never answered
		e.stop()
	}()
	var body errorBody
	if status := e.post(t, `{"text":"hi"}`, nil, &body); status != 503 || body.Error.Code != codeBusy {
		t.Fatalf("got %d %+v, want 503 busy", status, body)
	}
}

func TestAPIAndWSShareSession(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	tab := e.dial(t, url.Values{"session": {"shared"}}, nil)
	expect(t, tab, "ready")
	go func() {
		env := e.d.next(t)
		e.d.answer(t, env, core.Reply{Text: "from the API", Route: core.RouteFAQ}, "from ", "the API")
	}()
	var got chatResponse
	if status := e.post(t, `{"session":"shared","id":"api-7","text":"hi"}`, nil, &got); status != 200 || got.Text != "from the API" {
		t.Fatalf("got %d %+v", status, got)
	}
	deltas, done := collect(t, tab, "api-7")
	if deltas != "from the API" || done.Text != "from the API" || done.Route != "faq" {
		t.Fatalf("tab saw deltas %q and done %+v", deltas, done)
	}
	// And a WebSocket message is answered into the same conversation.
	send(t, tab, message("ws-8", "again"))
	if env := e.d.next(t); env.Conversation() != e.a.envelope("shared", "api-7", "", peer{}).Conversation() {
		t.Fatal("WebSocket and API messages of one session are different conversations")
	}
}

func TestAPIConcurrentRetriesShareReply(t *testing.T) {
	e := newTestEnv(t, testConfig(), true)
	results := make(chan chatResponse, 2)
	for range 2 {
		go func() {
			var got chatResponse
			if _, err := e.tryPost(`{"session":"retry","id":"same","text":"hi"}`, nil, &got); err != nil {
				t.Error(err)
			}
			results <- got
		}()
	}
	first := e.d.next(t)
	e.d.next(t) // the retry; a real dispatcher drops it as a duplicate
	e.d.answer(t, first, core.Reply{Text: "once", Route: core.RouteFAQ})
	for range 2 {
		select {
		case got := <-results:
			if got.Text != "once" {
				t.Fatalf("retry got %+v", got)
			}
		case <-time.After(waitTimeout):
			t.Fatal("a waiter got no reply")
		}
	}
}

// TestAPIChatSlowBody: a client that sends its headers but not its body is
// answered once the body timeout passes, with or without a valid token,
// instead of holding the connection for as long as it likes.
func TestAPIChatSlowBody(t *testing.T) {
	cfg := testConfig()
	cfg.Tokens = []string{"first-token-0123456789"}
	e := newTestEnv(t, cfg, true, WithBodyTimeout(50*time.Millisecond))
	for _, tt := range []struct {
		name, token string
		want        int
	}{
		{"valid token", "first-token-0123456789", http.StatusBadRequest},
		{"no token", "", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // the test's own bound
			fmt.Fprintf(conn, "POST /api/chat HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n{\"text\":",
				e.srv.Listener.Addr(), tt.token)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to a stalled body: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	select {
	case env := <-e.d.got:
		t.Fatalf("delivered %+v", env)
	default:
	}
}
