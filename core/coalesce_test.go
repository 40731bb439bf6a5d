package core

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/metric"
)

// slowModel waits firstToken before it streams its answer (or until its
// context ends) and tells calls about every request it receives.
type slowModel struct {
	firstToken time.Duration
	calls      chan ModelRequest
	mu         sync.Mutex
	reqs       []ModelRequest
}

func newSlowModel(firstToken time.Duration) *slowModel {
	return &slowModel{firstToken: firstToken, calls: make(chan ModelRequest, 100)}
}

func (m *slowModel) Stream(ctx context.Context, req ModelRequest, onDelta DeltaFunc) (ModelResult, error) {
	m.mu.Lock()
	m.reqs = append(m.reqs, req)
	m.mu.Unlock()
	m.calls <- req
	select {
	case <-time.After(m.firstToken):
	case <-ctx.Done():
		return ModelResult{}, context.Cause(ctx)
	}
	onDelta("answer")
	return ModelResult{Text: "answer", Provider: "slow", Model: "slow-1"}, nil
}

func (m *slowModel) requests() []ModelRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]ModelRequest(nil), m.reqs...)
}

// waitCall waits for the model's next request.
func (m *slowModel) waitCall(t *testing.T) ModelRequest {
	t.Helper()
	select {
	case r := <-m.calls:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no model call within 10s")
		return ModelRequest{}
	}
}

// coalesceHarness runs a dispatcher with coalescing over a real Router and
// model, with knowledge as its FAQ tier (nil for none).
func coalesceHarness(t *testing.T, model Streamer, knowledge Knowledge) (*harness, *metric.Registry) {
	t.Helper()
	store := newMemStore()
	router, err := NewRouter(DefaultRouterConfig(), RouterDeps{History: store, General: model, Knowledge: knowledge})
	if err != nil {
		t.Fatal(err)
	}
	reg := metric.NewRegistry()
	cfg := testConfig()
	cfg.Coalesce = true
	h := &harness{t: t, store: store, a: newFakeAdapter("test"), runErr: make(chan error, 1)}
	h.d, err = NewDispatcher(cfg, store, store, router, WithMetrics(reg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.runErr <- h.d.Run(ctx, h.a) }()
	h.deliver = <-h.a.deliver
	t.Cleanup(h.stop)
	return h, reg
}

// lastUser is the text of the last user message of a request.
func lastUser(r ModelRequest) string { return r.Messages[len(r.Messages)-1].Content }

func TestCoalesceBurstBeforeStreamingRestartsWithAllMessages(t *testing.T) {
	model := newSlowModel(time.Second)
	h, reg := coalesceHarness(t, model, nil)
	texts := []string{"my order", "it is 4711", "where is it?"}
	for i, text := range texts {
		h.send(msg("c1", "m"+string(rune('1'+i)), text))
		model.waitCall(t) // each message supersedes the call still waiting for its first token
	}
	s := h.next()
	if s.reply.Text != "answer" || s.env.MessageID != "m1" {
		t.Fatalf("reply = %+v to %s, want the answer to the first message", s.reply, s.env.MessageID)
	}
	h.none()
	reqs := model.requests()
	if got, want := lastUser(reqs[len(reqs)-1]), strings.Join(texts, "\n"); got != want {
		t.Errorf("last prompt's question = %q, want %q", got, want)
	}
	h.stop()
	hist, _ := h.store.Recent(context.Background(), msg("c1", "", "").Conversation(), 10)
	var got []string
	for _, m := range hist {
		got = append(got, string(m.Role)+":"+m.Text)
	}
	want := []string{"user:my order", "user:it is 4711", "user:where is it?", "assistant:answer"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("history = %q, want %q", got, want)
	}
	if n := h.store.pendingCount(); n != 0 {
		t.Errorf("pending = %d, want every message completed", n)
	}
	for name, want := range map[string]float64{"imbot_superseded_calls_total": 2, "imbot_coalesced_messages_total": 2} {
		if v, ok := reg.Value(name, "test"); !ok || v != want {
			t.Errorf("%s = %v, %t; want %v", name, v, ok, want)
		}
	}
}

// gatedModel streams its first chunk at once and finishes when release is
// closed, recording requests.
type gatedModel struct {
	streaming chan string
	release   chan struct{}
	mu        sync.Mutex
	asked     []string
}

func (m *gatedModel) Stream(ctx context.Context, req ModelRequest, onDelta DeltaFunc) (ModelResult, error) {
	q := lastUser(req)
	m.mu.Lock()
	m.asked = append(m.asked, q)
	m.mu.Unlock()
	onDelta("partial")
	m.streaming <- q
	select {
	case <-m.release:
	case <-ctx.Done():
		return ModelResult{Text: "partial", Interrupted: true}, ctx.Err()
	}
	return ModelResult{Text: "re: " + q, Provider: "gated", Model: "g"}, nil
}

func TestCoalesceFollowupsAfterStreamingWaitForOneTurn(t *testing.T) {
	model := &gatedModel{streaming: make(chan string, 10), release: make(chan struct{})}
	h, reg := coalesceHarness(t, model, nil)
	h.send(msg("c1", "1", "first"))
	<-model.streaming
	h.send(msg("c1", "2", "second"))
	h.send(msg("c1", "3", "third"))
	close(model.release)
	if s := h.next(); s.reply.Text != "re: first" {
		t.Fatalf("first reply = %q", s.reply.Text)
	}
	if s := h.next(); s.reply.Text != "re: second\nthird" || s.env.MessageID != "2" {
		t.Fatalf("second reply = %q to %s, want both follow-ups answered together", s.reply.Text, s.env.MessageID)
	}
	h.none()
	if v, _ := reg.Value("imbot_superseded_calls_total", "test"); v != 0 {
		t.Errorf("superseded calls = %v, want 0: the first answer was streaming", v)
	}
}

func TestCoalesceKeepsOtherSendersAndCommandsApart(t *testing.T) {
	model := &gatedModel{streaming: make(chan string, 10), release: make(chan struct{})}
	h, _ := coalesceHarness(t, model, nil)
	h.send(msg("c1", "1", "first"))
	<-model.streaming
	other := msg("c1", "2", "from someone else")
	other.UserID = "u-other"
	h.send(other)
	h.send(msg("c1", "3", "/help"))
	h.send(msg("c1", "4", "mine again"))
	close(model.release)
	want := []string{"re: first", "re: from someone else", "", "re: mine again"}
	for i, w := range want {
		s := h.next()
		if w != "" && s.reply.Text != w {
			t.Errorf("reply %d = %q, want %q", i, s.reply.Text, w)
		}
		if w == "" && s.reply.Route != RouteCommand {
			t.Errorf("reply %d route = %q, want the command's", i, s.reply.Route)
		}
	}
	h.none()
}

func TestCoalesceFAQAnswersSingleMessagesOnly(t *testing.T) {
	model := &gatedModel{streaming: make(chan string, 10), release: make(chan struct{})}
	close(model.release)
	kb := fixedKnowledge{Tier: TierAnswer, Answer: "From the FAQ.", EntryID: "e1"}
	h, _ := coalesceHarness(t, model, kb)
	burst := []Envelope{msg("c1", "1", "a"), msg("c1", "2", "b")}
	env := merged(burst)
	router := h.d.answerer.(*Router)
	w := &fakeWriter{a: h.a, env: burst[0]}
	if ans := router.Answer(context.Background(), env, w); ans.Reply.Route != RouteModel || ans.Reply.Text != "re: a\nb" {
		t.Errorf("burst answer = %+v, want the model's", ans.Reply)
	}
	if ans := router.Answer(context.Background(), burst[0], w); ans.Reply.Route != RouteFAQ {
		t.Errorf("single answer = %+v, want the FAQ's", ans.Reply)
	}
}

func TestCoalescedTurnKeptAnswerReplaysOnce(t *testing.T) {
	store := newMemStore()
	head, next := msg("c1", "1", "first"), msg("c1", "2", "second")
	for _, e := range []Envelope{head, next} {
		if _, err := store.Accept(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	turn := Turn{Envelope: head, User: Message{Role: RoleUser, Text: "first"},
		Followups: followups([]Envelope{head, next}),
		Reply:     Message{Role: RoleAssistant, Text: "kept answer", Route: RouteModel}}
	if err := store.KeepAnswer(context.Background(), turn, false); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Coalesce = true
	h := startHarness(t, cfg, store)
	if s := h.next(); s.reply.Text != "kept answer" {
		t.Fatalf("replayed reply = %q, want the kept one", s.reply.Text)
	}
	h.none()
	if asked := h.ans.asked(); len(asked) != 0 {
		t.Errorf("answerer asked %q; the kept answer covers both messages", asked)
	}
	h.stop()
	if n := store.pendingCount(); n != 0 {
		t.Errorf("pending = %d, want both messages completed", n)
	}
	hist, _ := store.Recent(context.Background(), head.Conversation(), 10)
	if len(hist) != 3 || hist[1].Text != "second" {
		t.Errorf("history = %+v, want both questions and one answer", hist)
	}
}
