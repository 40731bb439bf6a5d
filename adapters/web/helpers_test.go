package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"imbot/core"
)

// waitTimeout bounds every wait in these tests; nothing sleeps.
const waitTimeout = 5 * time.Second

// errTest is an injected failure.
var errTest = errors.New("injected failure")

// memHistory is an in-memory core.History.
type memHistory struct {
	mu    sync.Mutex
	convs map[core.ConversationKey][]core.Message
	err   error // returned by Recent when set
}

func newMemHistory() *memHistory {
	return &memHistory{convs: make(map[core.ConversationKey][]core.Message)}
}

func (h *memHistory) Recent(_ context.Context, conv core.ConversationKey, limit int) ([]core.Message, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return nil, h.err
	}
	msgs := h.convs[conv]
	if len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	return append([]core.Message(nil), msgs...), nil
}

func (h *memHistory) Complete(_ context.Context, turn core.Turn) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := turn.Envelope.Conversation()
	h.convs[k] = append(h.convs[k], turn.User, turn.Reply)
	return nil
}

func (h *memHistory) Reset(_ context.Context, conv core.ConversationKey) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.convs, conv)
	return nil
}

// fakeDispatcher records delivered envelopes. When refuse is set it answers
// every message at once with that refusal, as the dispatcher does when its
// queue is full; when fail is set deliver returns it.
type fakeDispatcher struct {
	a      *Adapter
	got    chan core.Envelope
	refuse core.Refusal
	fail   error
	// seen, when set, drops a message id delivered again on its session, as
	// the dispatcher's dedup does, and notes "<session>/<id>/again".
	seen *sync.Map
}

func (d *fakeDispatcher) deliver(ctx context.Context, env core.Envelope) error {
	if d.fail != nil {
		return d.fail
	}
	if d.seen != nil {
		key := string(env.ChatID) + "/" + string(env.MessageID)
		if _, dup := d.seen.LoadOrStore(key, true); dup {
			d.seen.Store(key+"/again", true)
			return nil
		}
	}
	if d.refuse != "" {
		w, err := d.a.Reply(ctx, env)
		if err != nil {
			return err
		}
		return w.Finish(ctx, core.Reply{Refusal: d.refuse})
	}
	select {
	case d.got <- env:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// next returns the next delivered envelope.
func (d *fakeDispatcher) next(t *testing.T) core.Envelope {
	t.Helper()
	select {
	case env := <-d.got:
		return env
	case <-time.After(waitTimeout):
		t.Fatal("no message delivered")
		return core.Envelope{}
	}
}

// answer streams parts as updates, then finishes with reply. It may run on
// its own goroutine, so it reports failures with Errorf.
func (d *fakeDispatcher) answer(t *testing.T, env core.Envelope, reply core.Reply, parts ...string) {
	ctx := context.Background()
	w, err := d.a.Reply(ctx, env)
	if err != nil {
		t.Errorf("Reply: %v", err)
		return
	}
	var sofar strings.Builder
	for _, p := range parts {
		sofar.WriteString(p)
		if err := w.Update(ctx, sofar.String()); err != nil {
			t.Errorf("Update: %v", err)
		}
	}
	if err := w.Finish(ctx, reply); err != nil {
		t.Errorf("Finish: %v", err)
	}
}

// testEnv is a running adapter behind an httptest server.
type testEnv struct {
	a       *Adapter
	srv     *httptest.Server
	d       *fakeDispatcher
	history *memHistory
	stop    func() // cancels Run and waits for it
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.RequestTimeout = waitTimeout
	return cfg
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestEnv builds an adapter, mounts it and, when run is set, runs it.
func newTestEnv(t testing.TB, cfg Config, run bool, opts ...Option) *testEnv {
	t.Helper()
	h := newMemHistory()
	a, err := New(cfg, h, append([]Option{WithLogger(quietLogger())}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	a.Mount(mux)
	e := &testEnv{a: a, srv: httptest.NewServer(mux), history: h,
		d: &fakeDispatcher{a: a, got: make(chan core.Envelope, 64)}, stop: func() {}}
	t.Cleanup(e.srv.Close)
	if run {
		e.run(t)
	}
	return e
}

func (e *testEnv) run(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx, e.d.deliver) }()
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitTimeout):
				t.Error("Run did not return after cancel")
			}
		})
	}
	t.Cleanup(e.stop)
	deadline := time.Now().Add(waitTimeout)
	for e.a.Check(ctx) != nil {
		if time.Now().After(deadline) {
			t.Fatal("adapter did not start")
		}
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
}

func (e *testEnv) wsURL(query url.Values) string {
	u := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws"
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// dial opens a WebSocket; it fails the test unless the handshake succeeds.
func (e *testEnv) dial(t testing.TB, query url.Values, header http.Header) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(e.wsURL(query), header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// dialStatus attempts a handshake that should fail and returns the status
// and the decoded error body.
func (e *testEnv) dialStatus(t *testing.T, query url.Values, header http.Header) (int, errorBody) {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial(e.wsURL(query), header)
	if err == nil {
		_ = c.Close()
		t.Fatal("handshake succeeded; want it refused")
	}
	if resp == nil {
		t.Fatalf("dial: %v", err)
	}
	defer resp.Body.Close()
	var body errorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode error body: %v", err)
	}
	return resp.StatusCode, body
}

// frame is any server frame, decoded loosely for assertions.
type frame struct {
	Type     string           `json:"type"`
	Session  string           `json:"session"`
	Messages []historyMessage `json:"messages"`
	ReplyTo  *string          `json:"reply_to"`
	Text     string           `json:"text"`
	Route    string           `json:"route"`
	Provider string           `json:"provider"`
	Model    string           `json:"model"`
	Code     string           `json:"code"`
	Message  string           `json:"message"`
	Also     []string         `json:"also"`
}

func read(t testing.TB, c *websocket.Conn) frame {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	kind, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	if kind != websocket.TextMessage {
		t.Fatalf("frame kind %d, want text", kind)
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("decode frame %s: %v", data, err)
	}
	return f
}

// expect reads the next frame and checks its type.
func expect(t testing.TB, c *websocket.Conn, typ string) frame {
	t.Helper()
	f := read(t, c)
	if f.Type != typ {
		t.Fatalf("frame %+v, want type %q", f, typ)
	}
	return f
}

// collect reads the delta frames of the reply to id up to its done frame and
// returns their concatenated text and the done frame.
func collect(t *testing.T, c *websocket.Conn, id string) (string, frame) {
	t.Helper()
	var text strings.Builder
	for {
		f := read(t, c)
		if f.ReplyTo == nil || *f.ReplyTo != id {
			t.Fatalf("frame %+v: reply_to is not %q", f, id)
		}
		switch f.Type {
		case "done":
			return text.String(), f
		case "delta":
			if !utf8.ValidString(f.Text) || f.Text == "" {
				t.Fatalf("delta %q is empty or not valid UTF-8", f.Text)
			}
			text.WriteString(f.Text)
		default:
			t.Fatalf("frame %+v, want delta or done", f)
		}
	}
}

// readClose reads until the connection closes and returns the close code.
func readClose(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		_, _, err := c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		t.Fatalf("read: %v, want a close frame", err)
	}
}

func send(t *testing.T, c *websocket.Conn, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteMessage(websocket.TextMessage, data); err != nil {
		t.Fatalf("write: %v", err)
	}
}

func message(id, text string) map[string]string {
	return map[string]string{"type": "message", "id": id, "text": text}
}

// post sends a POST /api/chat and decodes the response body into out.
func (e *testEnv) post(t *testing.T, body string, header http.Header, out any) int {
	t.Helper()
	status, err := e.tryPost(body, header, out)
	if err != nil {
		t.Fatal(err)
	}
	return status
}

// tryPost is post for goroutines other than the test's.
func (e *testEnv) tryPost(body string, header http.Header, out any) (int, error) {
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/chat", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		return 0, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return 0, fmt.Errorf("content type %q, want JSON", ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return 0, fmt.Errorf("decode response: %w", err)
	}
	return resp.StatusCode, nil
}
