package core

// Tests of what can go wrong around a turn: shutdown racing deliveries and
// replies, turns that time out or panic, redeliveries while the queue is full.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"imbot/core/catalog"
	"imbot/metric"
)

// gatedInbox is a memStore whose Accept of one message id waits for
// release, after telling entered.
type gatedInbox struct {
	*memStore
	id      MessageID
	entered chan struct{}
	release chan struct{}
}

func (g *gatedInbox) Accept(ctx context.Context, env Envelope) (bool, error) {
	if env.MessageID == g.id {
		close(g.entered)
		<-g.release
	}
	return g.memStore.Accept(ctx, env)
}

// runDispatcher runs d with adapter a, which sends the deliver func it
// gets on got, until cancel is called (or the test ends); done reports
// Run's result.
func runDispatcher(t *testing.T, d *Dispatcher, a Adapter, got <-chan DeliverFunc) (deliver DeliverFunc, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx, a) }()
	t.Cleanup(cancel)
	return <-got, cancel, errc
}

func TestDispatcherDeliverRacingShutdown(t *testing.T) {
	// A webhook request that passed the stopping check is still accepting
	// when shutdown begins: Run must wait for it rather than drain and
	// close the queue under it, and the message must be answered or left
	// pending, never lost and never a crash.
	cfg := testConfig()
	cfg.DrainTimeout = 0
	store := newMemStore()
	in := &gatedInbox{memStore: store, id: "late", entered: make(chan struct{}), release: make(chan struct{})}
	a := newFakeAdapter("test")
	d, err := NewDispatcher(cfg, in, store, &echoAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	deliver, cancel, done := runDispatcher(t, d, a, a.deliver)
	delivered := make(chan error, 1)
	go func() { delivered <- deliver(context.Background(), msg("c", "late", "hello")) }()
	<-in.entered
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Run returned (%v) while a delivery was still being accepted", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(in.release)
	if err := <-delivered; err != nil {
		t.Fatalf("deliver: %v", err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return")
	}
	answered := len(a.done)
	if pending := store.pendingCount(); answered+pending != 1 {
		t.Fatalf("answered %d, pending %d: the accepted message must be one of them", answered, pending)
	}
	if err := deliver(context.Background(), msg("c", "later", "hi")); !errors.Is(err, ErrStopping) {
		t.Fatalf("deliver after shutdown = %v, want ErrStopping", err)
	}
}

func TestDispatcherBusyRefusalComesAfterDedup(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlight, cfg.MaxQueued = 1, 2
	h := startHarness(t, cfg, nil)
	gate := h.ans.gate("slow")
	h.send(msg("A", "1", "slow"))
	h.send(msg("B", "2", "queued"))
	h.send(msg("A", "1", "slow")) // a redelivery while the queue is full
	h.send(msg("C", "3", "shed"))
	if s := h.next(); s.env.MessageID != "3" || s.reply.Refusal != RefusalBusy {
		t.Fatalf("got %+v for %s, want only the busy refusal for 3", s.reply, s.env.MessageID)
	}
	close(gate)
	for _, want := range []MessageID{"1", "2"} {
		if s := h.next(); s.env.MessageID != want || s.reply.Refusal != "" {
			t.Fatalf("got %+v for %s, want the answer to %s", s.reply, s.env.MessageID, want)
		}
	}
	h.send(msg("C", "3", "shed")) // the refused message was not accepted: sent again, it is answered
	if s := h.next(); s.env.MessageID != "3" || s.reply.Text != "echo: shed" {
		t.Fatalf("got %+v for %s, want the answer to 3", s.reply, s.env.MessageID)
	}
	h.none()
}

// Seen makes memStore a SeenInbox.
func (m *memStore) Seen(_ context.Context, env Envelope) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range env.DedupKeys() {
		if m.seen[k] {
			return true, nil
		}
	}
	return false, nil
}

// strictAdapter is a fakeAdapter whose calls behave like platform calls:
// Finish fails on a context that has ended. With holdReply or holdFinish
// set, Reply or Finish first signals entered and waits for its context to
// end, like a send cut off by a shutdown.
type strictAdapter struct {
	*fakeAdapter
	holdReply, holdFinish bool
	holdRefusal           bool // hold Finish of refusals only
	entered               chan struct{}
}

func newStrictAdapter() *strictAdapter {
	return &strictAdapter{fakeAdapter: newFakeAdapter("test"), entered: make(chan struct{}, 10)}
}

func (a *strictAdapter) Reply(ctx context.Context, env Envelope) (ReplyWriter, error) {
	if a.holdReply {
		a.entered <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	w, err := a.fakeAdapter.Reply(ctx, env)
	return &strictWriter{ReplyWriter: w, a: a}, err
}

type strictWriter struct {
	ReplyWriter
	a *strictAdapter
}

func (w *strictWriter) Finish(ctx context.Context, r Reply) error {
	if w.a.holdFinish || (w.a.holdRefusal && r.Refusal != "") {
		w.a.entered <- struct{}{}
		<-ctx.Done()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return w.ReplyWriter.Finish(ctx, r)
}

// lateAnswerer answers only when the turn's context has ended, as a
// provider chain that used up the turn timeout does: with the degraded
// reply.
type lateAnswerer struct{}

func (lateAnswerer) Answer(ctx context.Context, _ Envelope, _ ReplyWriter) Answer {
	<-ctx.Done()
	return Answer{Reply: Reply{Text: "degraded", Route: RouteDegraded}}
}

func TestDispatcherSendsReplyProducedAtTurnTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.TurnTimeout = 50 * time.Millisecond
	store := newMemStore()
	a := newStrictAdapter()
	d, err := NewDispatcher(cfg, store, store, lateAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	deliver, _, _ := runDispatcher(t, d, a, a.deliver)
	if err := deliver(context.Background(), msg("c", "1", "slow question")); err != nil {
		t.Fatal(err)
	}
	if s := nextSent(t, a.done, "the degraded reply"); s.reply.Text != "degraded" {
		t.Fatalf("reply %+v", s.reply)
	}
	waitFor(t, func() bool { return store.pendingCount() == 0 })
}

func TestDispatcherShutdownInterruptingTheReplyKeepsTurnPending(t *testing.T) {
	for _, tc := range []struct {
		name   string
		adjust func(*strictAdapter)
	}{
		{"finish", func(a *strictAdapter) { a.holdFinish = true }},
		{"reply", func(a *strictAdapter) { a.holdReply = true }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.DrainTimeout = 50 * time.Millisecond
			store := newMemStore()
			a := newStrictAdapter()
			tc.adjust(a)
			d, err := NewDispatcher(cfg, store, store, &echoAnswerer{})
			if err != nil {
				t.Fatal(err)
			}
			deliver, cancel, done := runDispatcher(t, d, a, a.deliver)
			if err := deliver(context.Background(), msg("c", "1", "hello")); err != nil {
				t.Fatal(err)
			}
			<-a.entered
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("Run: %v", err)
			}
			if n := store.pendingCount(); n != 1 {
				t.Fatalf("pending = %d, want the unsent turn kept for the next start", n)
			}
			if h, _ := store.Recent(context.Background(), msg("c", "", "").Conversation(), 10); len(h) != 0 {
				t.Fatalf("history %+v recorded for a reply never sent", h)
			}
		})
	}
}

// failingDrop is a memStore whose Drop fails.
type failingDrop struct{ *memStore }

func (failingDrop) Drop(context.Context, Envelope) error { return errors.New("disk full") }

func TestDispatcherReplayGoesOnPastAFailedDrop(t *testing.T) {
	store := newMemStore()
	orphan := msg("c", "9", "q9")
	orphan.Platform = "gone"
	for _, env := range []Envelope{orphan, msg("c", "1", "q1")} {
		if _, err := store.Accept(context.Background(), env); err != nil {
			t.Fatal(err)
		}
	}
	a := newFakeAdapter("test")
	d, err := NewDispatcher(testConfig(), failingDrop{store}, store, &echoAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	runDispatcher(t, d, a, a.deliver)
	if s := nextSent(t, a.done, "the replay of the turn after the orphan"); s.reply.Text != "echo: q1" {
		t.Fatalf("reply %+v", s.reply)
	}
}

// panickyAnswerer panics on the question "boom" and echoes the others.
type panickyAnswerer struct{ echoAnswerer }

func (p *panickyAnswerer) Answer(ctx context.Context, env Envelope, w ReplyWriter) Answer {
	if env.Text == "boom" {
		panic("answerer bug")
	}
	return p.echoAnswerer.Answer(ctx, env, w)
}

func TestDispatcherSurvivesAPanickingTurn(t *testing.T) {
	store := newMemStore()
	a := newFakeAdapter("test")
	d, err := NewDispatcher(testConfig(), store, store, &panickyAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	deliver, _, _ := runDispatcher(t, d, a, a.deliver)
	for _, m := range []Envelope{msg("c", "1", "boom"), msg("c", "2", "after")} {
		if err := deliver(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if s := nextSent(t, a.done, "the answer after the panicking turn"); s.reply.Text != "echo: after" {
		t.Fatalf("reply %+v", s.reply)
	}
	waitFor(t, func() bool { return store.pendingCount() == 0 })
}

func TestDispatcherShutdownBoundsRefusalsByTheDrainTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.RatePerMinute, cfg.RateBurst = 1, 1
	cfg.TurnTimeout = time.Hour
	cfg.DrainTimeout = 50 * time.Millisecond
	store := newMemStore()
	a := newStrictAdapter()
	a.holdRefusal = true // a platform that does not answer the refusal's send
	d, err := NewDispatcher(cfg, store, store, &echoAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	deliver, cancel, done := runDispatcher(t, d, a, a.deliver)
	for _, m := range []Envelope{msg("c", "1", "hi"), msg("c", "2", "too fast")} {
		if err := deliver(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	<-a.entered
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown waited past the drain timeout for a refusal being sent")
	}
}

// nextSent waits for the next finished reply on done; what names it in the
// failure message.
func nextSent(t *testing.T, done <-chan sent, what string) sent {
	t.Helper()
	select {
	case s := <-done:
		return s
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never came", what)
		return sent{}
	}
}

// failingAccept is an inbox whose store cannot write: a full disk.
type failingAccept struct{ *memStore }

func (failingAccept) Accept(context.Context, Envelope) (bool, error) {
	return false, errors.New("store: accept: write: no space left on device")
}

func TestDispatcherAnswersServiceProblemWhenTheStoreFails(t *testing.T) {
	texts, err := catalog.New(catalog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"chinese", "你好，请问怎么重置密码？", texts.Text(catalog.ZH, catalog.ServiceProblem)},
		{"english", "how do I reset my password?", texts.Text(catalog.EN, catalog.ServiceProblem)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := metric.NewRegistry()
			inbox := failingAccept{newMemStore()}
			a := newFakeAdapter("test")
			d, err := NewDispatcher(testConfig(), inbox, inbox, &echoAnswerer{}, WithMetrics(reg))
			if err != nil {
				t.Fatal(err)
			}
			deliver, cancel, done := runDispatcher(t, d, a, a.deliver)
			defer func() { cancel(); <-done }()
			if err := deliver(context.Background(), msg("c", "1", tc.text)); err != nil {
				t.Fatalf("Deliver = %v, want nil: the failure was answered", err)
			}
			s := nextSent(t, a.done, "service problem reply")
			if s.reply.Text != tc.want || s.reply.Refusal != RefusalServiceProblem {
				t.Errorf("reply = %q (%q), want %q (%q)", s.reply.Text, s.reply.Refusal, tc.want, RefusalServiceProblem)
			}
			var out strings.Builder
			if err := reg.WriteText(&out); err != nil {
				t.Fatal(err)
			}
			if line := `imbot_messages_total{outcome="service_problem",platform="test"} 1`; !strings.Contains(out.String(), line) {
				t.Errorf("metrics lack %s:\n%s", line, out.String())
			}
		})
	}
}

// fullDisk is a memStore whose Complete fails while full is set.
type fullDisk struct {
	*memStore
	full atomic.Bool
}

func (f *fullDisk) Complete(ctx context.Context, t Turn) error {
	if f.full.Load() {
		return errors.New("store: complete: no space left on device")
	}
	return f.memStore.Complete(ctx, t)
}

// startOn runs a dispatcher over inbox with a fresh adapter and answerer
// until the returned stop is called.
func startOn(t *testing.T, inbox interface {
	Inbox
	History
}) (deliver DeliverFunc, a *fakeAdapter, ans *echoAnswerer, stop func()) {
	t.Helper()
	a, ans = newFakeAdapter("test"), &echoAnswerer{}
	d, err := NewDispatcher(testConfig(), inbox, inbox, ans)
	if err != nil {
		t.Fatal(err)
	}
	deliver, cancel, done := runDispatcher(t, d, a, a.deliver)
	return deliver, a, ans, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func TestDispatcherReplayDoesNotAnswerAgainATurnItCouldNotRecord(t *testing.T) {
	store := &fullDisk{memStore: newMemStore()}
	store.full.Store(true)
	deliver, a, _, stop := startOn(t, store)
	if err := deliver(context.Background(), msg("c", "1", "q1")); err != nil {
		t.Fatal(err)
	}
	first := nextSent(t, a.done, "the answer")
	stop() // Run waits for the turn, whose record failed: it stays pending
	if n := store.pendingCount(); n != 1 {
		t.Fatalf("pending after a failed record = %d, want 1", n)
	}

	store.full.Store(false) // restart with space again
	_, again, ans, stopAgain := startOn(t, store)
	defer stopAgain()
	waitFor(t, func() bool { return store.pendingCount() == 0 })
	select {
	case s := <-again.done:
		t.Errorf("replay sent %q again; the user already has %q", s.reply.Text, first.reply.Text)
	default:
	}
	if asked := ans.asked(); len(asked) != 0 {
		t.Errorf("replay asked the answerer %q again", asked)
	}
	msgs, _ := store.Recent(context.Background(), msg("c", "1", "").Conversation(), 10)
	if len(msgs) != 2 || msgs[1].Text != first.reply.Text {
		t.Errorf("history = %+v, want the question and %q", msgs, first.reply.Text)
	}
}

func TestDispatcherReplaySendsAKeptUnsentAnswerOnce(t *testing.T) {
	store := newMemStore()
	env := msg("c", "1", "q1")
	ctx := context.Background()
	store.Accept(ctx, env)
	kept := Turn{Envelope: env, User: Message{Role: RoleUser, Text: "q1"},
		Reply: Message{Role: RoleAssistant, Text: "the kept answer", Route: RouteModel, Provider: "fake", Model: "m"}}
	store.KeepAnswer(ctx, kept, false) // a crash came before the reply was sent

	_, a, ans, stop := startOn(t, store)
	defer stop()
	if s := nextSent(t, a.done, "the kept answer"); s.reply.Text != "the kept answer" {
		t.Errorf("replayed reply = %q, want the kept answer", s.reply.Text)
	}
	waitFor(t, func() bool { return store.pendingCount() == 0 })
	if asked := ans.asked(); len(asked) != 0 {
		t.Errorf("replay asked the answerer %q", asked)
	}
}

// takenOverStore is a memStore whose turns another replica took over:
// Complete fails with ErrTurnTakenOver, and it counts the answers kept.
type takenOverStore struct {
	*memStore
	kept atomic.Int32
}

func (s *takenOverStore) Complete(context.Context, Turn) error {
	return fmt.Errorf("postgres: complete: %w", ErrTurnTakenOver)
}

func (s *takenOverStore) KeepAnswer(ctx context.Context, t Turn, sent bool) error {
	s.kept.Add(1)
	return s.memStore.KeepAnswer(ctx, t, sent)
}

// levelLog is a slog.Handler that keeps every record's level and message.
type levelLog struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *levelLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *levelLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *levelLog) WithGroup(string) slog.Handler            { return l }
func (l *levelLog) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r)
	return nil
}

// at returns the messages logged at level.
func (l *levelLog) at(level slog.Level) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.records {
		if r.Level == level {
			out = append(out, r.Message)
		}
	}
	return out
}

func TestDispatcherLeavesATurnTakenOverToTheReplicaThatTookIt(t *testing.T) {
	store := &takenOverStore{memStore: newMemStore()}
	logs := &levelLog{}
	a := newFakeAdapter("test")
	d, err := NewDispatcher(testConfig(), store, store, &echoAnswerer{}, WithLogger(slog.New(logs)))
	if err != nil {
		t.Fatal(err)
	}
	deliver, cancel, done := runDispatcher(t, d, a, a.deliver)
	if err := deliver(context.Background(), msg("c", "1", "q1")); err != nil {
		t.Fatal(err)
	}
	nextSent(t, a.done, "the answer")
	cancel() // Run waits for the turn's record
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := store.kept.Load(); n != 0 {
		t.Errorf("answer kept %d times; the replica that took the turn over records it", n)
	}
	if errs := logs.at(slog.LevelError); len(errs) != 0 {
		t.Errorf("errors logged: %q", errs)
	}
	if warns := logs.at(slog.LevelWarn); !slices.Contains(warns, "turn taken over by another replica; it records it") {
		t.Errorf("warnings = %q, want the takeover", warns)
	}
}
