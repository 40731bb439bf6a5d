package core

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// memStore is an in-memory Inbox and History for tests.
type memStore struct {
	mu      sync.Mutex
	seen    map[string]bool
	pending []Envelope
	convs   map[ConversationKey][]Message
	resets  int
	kept    map[MessageID]KeptAnswer
}

func newMemStore() *memStore {
	return &memStore{seen: map[string]bool{}, convs: map[ConversationKey][]Message{}, kept: map[MessageID]KeptAnswer{}}
}

func (m *memStore) KeepAnswer(_ context.Context, t Turn, sent bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.isPending(t.Envelope) {
		m.kept[t.Envelope.MessageID] = KeptAnswer{Turn: t, Sent: sent}
	}
	return nil
}

func (m *memStore) KeptAnswer(_ context.Context, env Envelope) (KeptAnswer, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k, ok := m.kept[env.MessageID]
	return k, ok && m.isPending(env), nil
}

func (m *memStore) isPending(env Envelope) bool {
	return slices.ContainsFunc(m.pending, func(e Envelope) bool { return e.MessageID == env.MessageID })
}

func (m *memStore) Accept(_ context.Context, env Envelope) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range env.DedupKeys() {
		if m.seen[k] {
			return false, nil
		}
	}
	for _, k := range env.DedupKeys() {
		m.seen[k] = true
	}
	m.pending = append(m.pending, env)
	return true, nil
}

func (m *memStore) Pending(context.Context) ([]Envelope, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.pending), nil
}

func (m *memStore) Drop(_ context.Context, env Envelope) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = slices.DeleteFunc(m.pending, func(e Envelope) bool {
		return e.Platform == env.Platform && e.ChatID == env.ChatID && e.MessageID == env.MessageID
	})
	delete(m.kept, env.MessageID)
	return nil
}

func (m *memStore) Recent(_ context.Context, conv ConversationKey, limit int) ([]Message, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msgs := m.convs[conv]
	if len(msgs) > limit {
		msgs = msgs[len(msgs)-limit:]
	}
	return slices.Clone(msgs), nil
}

func (m *memStore) Complete(ctx context.Context, t Turn) error {
	m.mu.Lock()
	k := t.Envelope.Conversation()
	m.convs[k] = append(m.convs[k], t.User, t.Reply)
	m.mu.Unlock()
	return m.Drop(ctx, t.Envelope)
}

func (m *memStore) Reset(_ context.Context, conv ConversationKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.convs, conv)
	m.resets++
	return nil
}

func (m *memStore) pendingCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.pending)
}

// fakeAdapter records the replies it is asked to send.
type fakeAdapter struct {
	name    Platform
	deliver chan DeliverFunc
	mu      sync.Mutex
	replies []sent
	done    chan sent
	// failures are errors Finish returns, first to last, for a message id
	// before it succeeds.
	failures map[MessageID][]error
	// held is closed by a test to let a Finish failing with errHeld return.
	held chan struct{}
	// stopped is closed when Run returns.
	stopped chan struct{}
}

// errHeld is an injected Finish failure that first waits for the adapter's
// held channel to close.
var errHeld = errors.New("held, then failed")

// failFinish makes the next Finish calls for id fail with errs, in order.
func (a *fakeAdapter) failFinish(id MessageID, errs ...error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.failures == nil {
		a.failures = map[MessageID][]error{}
	}
	a.failures[id] = errs
}

// nextFailure pops the next injected Finish error for id, or nil.
func (a *fakeAdapter) nextFailure(id MessageID) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	errs := a.failures[id]
	if len(errs) == 0 {
		return nil
	}
	a.failures[id] = errs[1:]
	return errs[0]
}

type sent struct {
	env     Envelope
	reply   Reply
	updates []string
}

func newFakeAdapter(name Platform) *fakeAdapter {
	return &fakeAdapter{name: name, deliver: make(chan DeliverFunc, 1), done: make(chan sent, 1000), held: make(chan struct{}), stopped: make(chan struct{})}
}

func (a *fakeAdapter) Name() Platform { return a.name }

func (a *fakeAdapter) Run(ctx context.Context, deliver DeliverFunc) error {
	a.deliver <- deliver
	<-ctx.Done()
	close(a.stopped)
	return nil
}

func (a *fakeAdapter) Reply(_ context.Context, env Envelope) (ReplyWriter, error) {
	return &fakeWriter{a: a, env: env}, nil
}

type fakeWriter struct {
	a       *fakeAdapter
	env     Envelope
	updates []string
}

func (w *fakeWriter) Update(_ context.Context, text string) error {
	w.updates = append(w.updates, text)
	return nil
}

func (w *fakeWriter) Finish(_ context.Context, r Reply) error {
	if err := w.a.nextFailure(w.env.MessageID); err != nil {
		if errors.Is(err, errHeld) {
			<-w.a.held
		}
		return err
	}
	s := sent{env: w.env, reply: r, updates: w.updates}
	w.a.mu.Lock()
	w.a.replies = append(w.a.replies, s)
	w.a.mu.Unlock()
	w.a.done <- s
	return nil
}

// echoAnswerer answers with the question's text, optionally waiting on a
// gate per question text first.
type echoAnswerer struct {
	mu    sync.Mutex
	gates map[string]chan struct{}
	order []string
}

func (e *echoAnswerer) gate(text string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gates == nil {
		e.gates = map[string]chan struct{}{}
	}
	g := make(chan struct{})
	e.gates[text] = g
	return g
}

func (e *echoAnswerer) Answer(ctx context.Context, env Envelope, w ReplyWriter) Answer {
	e.mu.Lock()
	g := e.gates[env.Text]
	e.order = append(e.order, env.Text)
	e.mu.Unlock()
	if g != nil {
		select {
		case <-g:
		case <-ctx.Done():
		}
	}
	_ = w.Update(ctx, "echo")
	return Answer{Reply: Reply{Text: "echo: " + env.Text, Route: RouteModel, Provider: "fake", Model: "m"}}
}

// asked returns the questions the answerer was asked, in order.
func (e *echoAnswerer) asked() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.order)
}
