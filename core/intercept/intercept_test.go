package intercept

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/metric"
)

// memStates is an in-memory core.StateStore.
type memStates struct {
	mu sync.Mutex
	m  map[core.ConversationKey]core.ConversationState
}

func newMemStates() *memStates {
	return &memStates{m: map[core.ConversationKey]core.ConversationState{}}
}

func (s *memStates) State(_ context.Context, k core.ConversationKey) (core.ConversationState, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.m[k]
	return st, ok, nil
}

func (s *memStates) SetState(_ context.Context, k core.ConversationKey, st core.ConversationState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[k] = st
	return nil
}

func (s *memStates) ClearState(_ context.Context, k core.ConversationKey) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[k]
	delete(s.m, k)
	return ok, nil
}

// normalRoute is the next Answerer: it records what it was asked.
type normalRoute struct {
	mu    sync.Mutex
	asked []core.Envelope
}

func (n *normalRoute) Answer(_ context.Context, env core.Envelope, _ core.ReplyWriter) core.Answer {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.asked = append(n.asked, env)
	return core.Answer{Reply: core.Reply{Text: "normal answer", Route: core.RouteModel}}
}

// endpoint is an httptest interceptor that checks each request's method,
// headers and signature, and answers with its handler.
type endpoint struct {
	t      *testing.T
	secret string
	srv    *httptest.Server
	got    chan Request
}

func newEndpoint(t *testing.T, secret string, answer func(Request) (int, string)) *endpoint {
	e := &endpoint{t: t, secret: secret, got: make(chan Request, 10)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req Request
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(body, &req) != nil {
			t.Errorf("bad request: %s %q %s", r.Method, r.Header.Get("Content-Type"), body)
		}
		if e.secret != "" && r.Header.Get(HeaderSignature) != Sign(e.secret, body) {
			t.Errorf("signature %q does not match the body", r.Header.Get(HeaderSignature))
		}
		if r.Header.Get(HeaderTimestamp) != strconv.FormatInt(req.Timestamp, 10) {
			t.Errorf("timestamp header %q, body %d", r.Header.Get(HeaderTimestamp), req.Timestamp)
		}
		e.got <- req
		status, text := answer(req)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	ic     *Interceptors
	ans    core.Answerer
	next   *normalRoute
	states *memStates
	reg    *metric.Registry
	clock  *clock
}

func newFixture(t *testing.T, cfgs []Config) fixture {
	t.Helper()
	f := fixture{next: &normalRoute{}, states: newMemStates(), reg: metric.NewRegistry(),
		clock: &clock{t: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}}
	ic, err := New(cfgs, Deps{States: f.states, Metrics: f.reg, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	f.ic, f.ans = ic, ic.Wrap(f.next)
	return f
}

func (f fixture) ask(text string) core.Answer {
	env := core.Envelope{Platform: "test", ChatID: "c1", UserID: "u1", MessageID: "m", Text: text}
	return f.ans.Answer(context.Background(), env, nil)
}

func (f fixture) count(t *testing.T, name, outcome string) float64 {
	t.Helper()
	v, _ := f.reg.Value("imbot_interceptor_calls_total", name, outcome)
	return v
}

func TestInterceptorTimeoutFallsThroughCounted(t *testing.T) {
	release := make(chan struct{})
	e := newEndpoint(t, "", func(Request) (int, string) { <-release; return 200, `{"reply":"late"}` })
	t.Cleanup(func() { close(release) }) // before the server's Close, which waits for the handler
	f := newFixture(t, []Config{{Name: "orders", Keywords: []string{"order"}, URL: e.srv.URL, Timeout: 50 * time.Millisecond}})
	ans := f.ask("where is my ORDER?")
	if ans.Reply.Text != "normal answer" {
		t.Fatalf("reply = %+v, want the normal route's", ans.Reply)
	}
	if n := f.count(t, "orders", "timeout"); n != 1 {
		t.Errorf("timeouts counted = %v, want 1", n)
	}
}

func TestInterceptorFailuresFallThrough(t *testing.T) {
	for _, tt := range []struct {
		name, outcome string
		status        int
		body          string
	}{
		{"server error", "bad_status", 500, `{"reply":"x"}`},
		{"bad json", "bad_answer", 200, `{"reply":`},
		{"bad ttl", "bad_answer", 200, `{"reply":"x","state":"s","ttl":"forever"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEndpoint(t, "k", func(Request) (int, string) { return tt.status, tt.body })
			f := newFixture(t, []Config{{Name: "svc", Pattern: `^refund`, URL: e.srv.URL, Secret: "k"}})
			if ans := f.ask("refund please"); ans.Reply.Text != "normal answer" {
				t.Fatalf("reply = %+v", ans.Reply)
			}
			if n := f.count(t, "svc", tt.outcome); n != 1 {
				t.Errorf("%s counted = %v, want 1", tt.outcome, n)
			}
		})
	}
}

func TestInterceptorReplyAndContextModes(t *testing.T) {
	e := newEndpoint(t, "", func(r Request) (int, string) { return 200, `{"reply":"order 4711 shipped"}` })
	f := newFixture(t, []Config{
		{Name: "status", Keywords: []string{"status"}, URL: e.srv.URL},
		{Name: "orders", Pattern: `order`, URL: e.srv.URL, Mode: ModeContext},
	})
	if ans := f.ask("status?"); ans.Reply.Text != "order 4711 shipped" || ans.Reply.Route != core.RouteIntercept {
		t.Errorf("reply mode answer = %+v", ans.Reply)
	}
	if ans := f.ask("my order"); ans.Reply.Text != "normal answer" {
		t.Errorf("context mode answer = %+v, want the model's", ans.Reply)
	}
	if got := f.next.asked[0].Context; !strings.Contains(got, "order 4711 shipped") {
		t.Errorf("model context = %q, want the interceptor's answer", got)
	}
	if ans := f.ask("hello"); ans.Reply.Text != "normal answer" || len(e.got) != 2 {
		t.Errorf("unmatched message: %+v, %d calls", ans.Reply, len(e.got))
	}
}

// formEndpoint asks for an order id, then answers with it and ends the form.
func formEndpoint(t *testing.T) *endpoint {
	return newEndpoint(t, "", func(r Request) (int, string) {
		if r.State == "awaiting_order_id" {
			return 200, `{"reply":"order ` + r.Text + ` is on its way"}`
		}
		return 200, `{"reply":"Which order?","state":"awaiting_order_id","ttl":"10m"}`
	})
}

func TestStateRoutesNextMessageAndExpires(t *testing.T) {
	e := formEndpoint(t)
	f := newFixture(t, []Config{{Name: "orders", Keywords: []string{"order"}, URL: e.srv.URL}})
	if ans := f.ask("track my order"); ans.Reply.Text != "Which order?" {
		t.Fatalf("first answer = %+v", ans.Reply)
	}
	if ans := f.ask("4711"); ans.Reply.Text != "order 4711 is on its way" {
		t.Fatalf("answer in state = %+v, want the interceptor's", ans.Reply)
	}
	if ans := f.ask("4712"); ans.Reply.Text != "normal answer" {
		t.Errorf("after the form ended: %+v, want the normal route", ans.Reply)
	}
	f.ask("another order")
	f.clock.add(10 * time.Minute)
	ans := f.ask("4713")
	notice := (*catalog.Catalog)(nil).Text(catalog.EN, catalog.StateExpired)
	if !strings.HasPrefix(ans.Reply.Text, notice) || !strings.HasSuffix(ans.Reply.Text, "normal answer") {
		t.Errorf("after the TTL: %q, want the state_expired notice and the normal answer", ans.Reply.Text)
	}
	if _, ok, _ := f.states.State(context.Background(), core.ConversationKey{Platform: "test", Chat: "c1"}); ok {
		t.Error("expired state kept")
	}
}

func TestCancelLeavesState(t *testing.T) {
	e := formEndpoint(t)
	f := newFixture(t, []Config{{Name: "orders", Keywords: []string{"order"}, URL: e.srv.URL}})
	cancel := f.ic.CancelCommand()
	req := core.CommandRequest{Envelope: core.Envelope{Platform: "test", ChatID: "c1", UserID: "u1", Text: "/cancel"}}
	if text, _ := cancel.Run(context.Background(), req); text != (*catalog.Catalog)(nil).Text(catalog.EN, catalog.CancelNothing) {
		t.Errorf("/cancel with no state = %q", text)
	}
	f.ask("track my order")
	if text, _ := cancel.Run(context.Background(), req); text != (*catalog.Catalog)(nil).Text(catalog.EN, catalog.CancelDone) {
		t.Errorf("/cancel in a state = %q", text)
	}
	if ans := f.ask("4711"); ans.Reply.Text != "normal answer" {
		t.Errorf("after /cancel: %+v, want the normal route", ans.Reply)
	}
}

func TestValidate(t *testing.T) {
	p := Validate([]Config{
		{Name: "a", URL: "ftp://x", Pattern: "(", Mode: "shout", Timeout: time.Hour},
		{Name: "a", URL: "http://x", Keywords: []string{" "}},
		{URL: "http://x"},
	})
	want := []string{"interceptors[0].pattern", "interceptors[0].url", "interceptors[0].timeout", "interceptors[0].mode",
		"interceptors[1].keywords[0]", "interceptors[1].name: a is used twice", "interceptors[2].name", "interceptors[2].pattern: set"}
	joined := strings.Join(p, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("problems %q lack %q", p, w)
		}
	}
}

func FuzzParseResult(f *testing.F) {
	for _, s := range []string{`{"reply":"x"}`, `{"reply":"x","state":"s","ttl":"10m"}`, `{"state":"\u0000"}`, `[]`, `{"ttl":"-1s","state":"a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := ParseResult(body)
		if err != nil {
			return
		}
		if !validStateName(r.State) || (r.State != "" && (r.TTL <= 0 || r.TTL > maxStateTTL)) || (r.State == "" && r.TTL != 0) {
			t.Errorf("ParseResult(%q) = %+v: state or ttl out of bounds", body, r)
		}
	})
}
