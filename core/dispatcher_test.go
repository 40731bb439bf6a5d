package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/core/catalog"
)

type harness struct {
	t       *testing.T
	d       *Dispatcher
	store   *memStore
	ans     *echoAnswerer
	a       *fakeAdapter
	deliver DeliverFunc
	cancel  context.CancelFunc
	runErr  chan error
}

func startHarness(t *testing.T, cfg DispatcherConfig, store *memStore, opts ...DispatcherOption) *harness {
	t.Helper()
	if store == nil {
		store = newMemStore()
	}
	h := &harness{t: t, store: store, ans: &echoAnswerer{}, a: newFakeAdapter("test"), runErr: make(chan error, 1)}
	d, err := NewDispatcher(cfg, store, store, h.ans, opts...)
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.runErr <- d.Run(ctx, h.a) }()
	h.deliver = <-h.a.deliver
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.runErr:
		if err != nil {
			h.t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("Run did not return after cancel")
	}
}

func (h *harness) send(env Envelope) {
	h.t.Helper()
	if err := h.deliver(context.Background(), env); err != nil {
		h.t.Fatalf("deliver %s: %v", env.MessageID, err)
	}
}

// next waits for the next finished reply.
func (h *harness) next() sent {
	h.t.Helper()
	select {
	case s := <-h.a.done:
		return s
	case <-time.After(10 * time.Second):
		h.t.Fatal("no reply within 10s")
		return sent{}
	}
}

// none checks that no reply arrives while the dispatcher settles.
func (h *harness) none() {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.d.Queued() > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	select {
	case s := <-h.a.done:
		h.t.Fatalf("unexpected reply %q to %s", s.reply.Text, s.env.MessageID)
	default:
	}
}

func msg(chat, id, text string) Envelope {
	return Envelope{Platform: "test", ChatID: ChatID(chat), UserID: UserID("u-" + chat), MessageID: MessageID(id), Text: text}
}

func testConfig() DispatcherConfig {
	c := DefaultDispatcherConfig()
	c.RatePerMinute = 0
	c.Coalesce = false // coalesce_test.go covers it
	return c
}

func TestDispatcherAnswersAndRecords(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	h.send(msg("c1", "1", "hello"))
	s := h.next()
	if s.reply.Text != "echo: hello" || s.reply.Route != RouteModel {
		t.Fatalf("reply = %+v", s.reply)
	}
	if len(s.updates) != 1 {
		t.Errorf("updates = %v, want the answerer's one update", s.updates)
	}
	h.stop()
	got, _ := h.store.Recent(context.Background(), msg("c1", "", "").Conversation(), 10)
	if len(got) != 2 || got[0].Text != "hello" || got[1].Text != "echo: hello" || got[1].Provider != "fake" {
		t.Fatalf("history = %+v", got)
	}
	if n := h.store.pendingCount(); n != 0 {
		t.Errorf("pending = %d after completed turn", n)
	}
}

func TestDispatcherDropsDuplicates(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	for range 5 {
		h.send(msg("c1", "1", "hello"))
	}
	event := msg("c1", "2", "again")
	event.EventID = "ev-9"
	h.send(event)
	redelivered := msg("c1", "3", "again")
	redelivered.EventID = "ev-9" // same event id, other message id
	h.send(redelivered)
	h.next()
	h.next()
	h.none()
}

func TestDispatcherKeepsConversationOrderAndRunsOthersInParallel(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	gate := h.ans.gate("a0")
	for i := range 5 {
		h.send(msg("A", fmt.Sprint("a", i), fmt.Sprint("a", i)))
	}
	h.send(msg("B", "b0", "b0"))
	if s := h.next(); s.env.ChatID != "B" {
		t.Fatalf("first reply from %s, want B while A is blocked", s.env.ChatID)
	}
	close(gate)
	for i := range 5 {
		if s := h.next(); s.reply.Text != fmt.Sprint("echo: a", i) {
			t.Fatalf("reply %d = %q, want order kept", i, s.reply.Text)
		}
	}
}

func TestDispatcherAnswersBusyWhenQueueFull(t *testing.T) {
	cfg := testConfig()
	cfg.MaxInFlight, cfg.MaxQueued = 1, 2
	h := startHarness(t, cfg, nil)
	gate := h.ans.gate("slow")
	h.send(msg("A", "1", "slow"))
	h.send(msg("B", "2", "queued"))
	h.send(msg("C", "3", "shed"))
	h.send(msg("D", "4", "现在可以回答吗？"))
	want := map[MessageID]catalog.Lang{"3": catalog.EN, "4": catalog.ZH} // refusals may arrive in any order
	for range want {
		s := h.next()
		lang, ok := want[s.env.MessageID]
		if !ok || s.reply.Refusal != RefusalBusy || s.reply.Text != (*catalog.Catalog)(nil).Text(lang, catalog.Busy) {
			t.Fatalf("got %+v for %s, want a busy refusal in the sender's language for 3 and 4", s.reply, s.env.MessageID)
		}
	}
	close(gate)
	h.next()
	h.next()
}

func TestDispatcherRateLimitsPerUser(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	cfg := testConfig()
	cfg.RatePerMinute, cfg.RateBurst = 6, 2
	h := startHarness(t, cfg, nil, WithClock(clock))
	for i := range 3 {
		h.send(msg("c1", fmt.Sprint(i), "hi"))
	}
	h.send(msg("c2", "other-user", "hi"))
	var refused, answered int
	for range 4 {
		if h.next().reply.Refusal == RefusalRateLimited {
			refused++
		} else {
			answered++
		}
	}
	if refused != 1 || answered != 3 {
		t.Fatalf("refused %d answered %d, want 1 and 3", refused, answered)
	}
	mu.Lock()
	now = now.Add(10 * time.Second) // one token back at 6/min
	mu.Unlock()
	h.send(msg("c1", "later", "hi"))
	if s := h.next(); s.reply.Refusal != "" {
		t.Fatalf("after refill got refusal %q", s.reply.Refusal)
	}
}

func TestDispatcherGroupTrigger(t *testing.T) {
	group := func(id, text string, mention, reply bool) Envelope {
		e := msg("g", id, text)
		e.ChatKind, e.MentionsBot, e.RepliesToBot = ChatGroup, mention, reply
		return e
	}
	t.Run("mention", func(t *testing.T) {
		h := startHarness(t, testConfig(), nil)
		h.send(group("1", "chatter", false, false))
		h.send(group("2", "/unknowncmd chatter", false, false))
		h.none()
		for i, e := range []Envelope{group("3", "hi bot", true, false), group("4", "thanks", false, true), group("5", "/help", false, false)} {
			h.send(e)
			if s := h.next(); s.env.MessageID != e.MessageID {
				t.Fatalf("case %d: reply to %s, want %s", i, s.env.MessageID, e.MessageID)
			}
		}
	})
	t.Run("all", func(t *testing.T) {
		cfg := testConfig()
		cfg.GroupPolicies = map[Platform]GroupPolicy{"test": {Trigger: TriggerAll}}
		h := startHarness(t, cfg, nil)
		h.send(group("1", "chatter", false, false))
		h.next()
	})
	t.Run("command", func(t *testing.T) {
		cfg := testConfig()
		cfg.GroupPolicies = map[Platform]GroupPolicy{"test": {Trigger: TriggerCommand}}
		h := startHarness(t, cfg, nil)
		h.send(group("1", "hi bot", true, false))
		h.send(group("2", "thanks", false, true))
		h.none()
		h.send(group("3", "/help", false, false))
		if s := h.next(); s.env.MessageID != "3" {
			t.Fatalf("reply to %s, want the command", s.env.MessageID)
		}
	})
}

// TestDispatcherAppliesGroupScope: the platform's policy, not the adapter,
// decides how a group is divided into conversations.
func TestDispatcherAppliesGroupScope(t *testing.T) {
	cfg := testConfig()
	cfg.GroupPolicies = map[Platform]GroupPolicy{"test": {Trigger: TriggerAll, Scope: ScopeUser}}
	h := startHarness(t, cfg, nil)
	e := msg("g", "1", "hi")
	e.ChatKind, e.Scope = ChatGroup, ScopeChat
	h.send(e)
	s := h.next()
	want := ConversationKey{Platform: "test", Chat: "g", User: "u-g"}
	if got := s.env.Conversation(); got != want {
		t.Fatalf("conversation %+v, want %+v", got, want)
	}
}

func TestDispatcherAllowList(t *testing.T) {
	cfg := testConfig()
	cfg.Allow = []string{"test:u-ok", "test:chat:room"}
	cfg.DeniedReplyInterval = 0
	h := startHarness(t, cfg, nil)
	h.send(msg("nope", "1", "hi"))
	h.none()
	h.send(msg("ok", "2", "hi"))
	h.next()
	room := msg("x", "3", "hi")
	room.ChatID = "room"
	h.send(room)
	h.next()
	cfg.Allow = nil
	if err := h.d.SetPolicy(cfg); err != nil {
		t.Fatal(err)
	}
	h.send(msg("nope", "4", "hi"))
	h.next()
}

func TestDispatcherDeniedReplyOncePerInterval(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	cfg := testConfig()
	cfg.Allow = []string{"test:u-ok"}
	h := startHarness(t, cfg, nil, WithClock(clock))
	h.send(msg("nope", "1", "你好"))
	if s := h.next(); s.reply.Refusal != RefusalDenied || s.reply.Text != "抱歉，你没有使用这个机器人的权限。" {
		t.Fatalf("first message got %+v, want the Chinese denied reply", s.reply)
	}
	h.send(msg("nope", "2", "hello again"))
	group := msg("nope", "3", "chatting among ourselves")
	group.ChatKind = ChatGroup
	h.send(group)
	h.none()
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	h.send(msg("nope", "4", "hello?"))
	if s := h.next(); s.reply.Refusal != RefusalDenied || s.reply.Text != "Sorry, you are not allowed to use this bot." {
		t.Fatalf("after an hour got %+v, want the English denied reply", s.reply)
	}
	h.stop() // waits for refusals in flight
	if n := len(h.a.replies); n != 2 {
		t.Fatalf("%d replies, want 2 (one per hour)", n)
	}
	if asked := h.ans.asked(); len(asked) != 0 {
		t.Fatalf("the answerer was asked %q", asked)
	}
}

func TestNoticeGateIsBounded(t *testing.T) {
	g := newNoticeGate(time.Hour, 2)
	t0 := time.Unix(0, 0)
	if !g.allow("a", t0) || !g.allow("b", t0) || g.allow("c", t0) || g.allow("a", t0.Add(time.Minute)) {
		t.Fatal("a full gate let a new key through, or a key twice within the interval")
	}
	if !g.allow("c", t0.Add(time.Hour)) || len(g.last) > 2 {
		t.Fatalf("after the interval the gate has %d keys and refused a new one", len(g.last))
	}
}

func TestDispatcherCommands(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	h.send(msg("c", "1", "remember me"))
	h.next()
	h.send(msg("c", "2", "/help"))
	if s := h.next(); s.reply.Route != RouteCommand || !strings.Contains(s.reply.Text, "/reset") {
		t.Fatalf("/help = %+v", s.reply)
	}
	h.send(msg("c", "3", "/NEW"))
	if s := h.next(); s.reply.Route != RouteCommand || h.store.resets != 1 {
		t.Fatalf("/new = %+v, resets = %d", s.reply, h.store.resets)
	}
	h.send(msg("c", "4", "/ask what now?"))
	if s := h.next(); s.reply.Text != "echo: what now?" {
		t.Fatalf("/ask = %+v", s.reply)
	}
	h.send(msg("c", "5", "/ask"))
	if s := h.next(); s.reply.Route != RouteCommand {
		t.Fatalf("/ask with nothing = %+v", s.reply)
	}
	got, _ := h.store.Recent(context.Background(), msg("c", "", "").Conversation(), 10)
	if len(got) != 2 || got[0].Text != "what now?" {
		t.Fatalf("history after reset = %+v, want only the /ask turn", got)
	}
}

func TestDispatcherReplaysPendingTurns(t *testing.T) {
	store := newMemStore()
	for i := range 3 {
		if _, err := store.Accept(context.Background(), msg("c", fmt.Sprint(i), fmt.Sprint("q", i))); err != nil {
			t.Fatal(err)
		}
	}
	orphan := msg("c", "9", "q9")
	orphan.Platform = "gone"
	store.Accept(context.Background(), orphan)
	h := startHarness(t, testConfig(), store)
	for i := range 3 {
		if s := h.next(); s.reply.Text != fmt.Sprint("echo: q", i) {
			t.Fatalf("replay %d = %q", i, s.reply.Text)
		}
	}
	h.send(msg("c", "1", "redelivered")) // already accepted before the restart
	h.none()
	h.stop()
	if n := store.pendingCount(); n != 0 {
		t.Fatalf("pending = %d after replay", n)
	}
}

func TestDispatcherShutdown(t *testing.T) {
	t.Run("drains turns in flight", func(t *testing.T) {
		h := startHarness(t, testConfig(), nil)
		gate := h.ans.gate("slow")
		h.send(msg("c", "1", "slow"))
		stopped := make(chan struct{})
		go func() { h.stop(); close(stopped) }()
		waitFor(t, h.d.life.stopping)
		if err := h.deliver(context.Background(), msg("c", "2", "late")); !errors.Is(err, ErrStopping) {
			t.Fatalf("deliver while stopping = %v, want ErrStopping", err)
		}
		close(gate)
		<-stopped
		if s := h.next(); s.reply.Text != "echo: slow" {
			t.Fatalf("drained reply = %+v", s.reply)
		}
		if n := h.store.pendingCount(); n != 0 {
			t.Fatalf("pending = %d", n)
		}
	})
	t.Run("leaves unfinished turns pending", func(t *testing.T) {
		cfg := testConfig()
		cfg.DrainTimeout = 50 * time.Millisecond
		h := startHarness(t, cfg, nil)
		h.ans.gate("stuck")
		h.send(msg("c", "1", "stuck"))
		h.send(msg("c", "2", "behind"))
		h.stop()
		if n := h.store.pendingCount(); n != 2 {
			t.Fatalf("pending = %d, want both turns kept for the next start", n)
		}
		select {
		case s := <-h.a.done:
			t.Fatalf("interrupted turn was answered: %+v", s.reply)
		default:
		}
	})
}

func TestDispatcherRefusesDeliveryBeforeRun(t *testing.T) {
	store := newMemStore()
	d, err := NewDispatcher(testConfig(), store, store, &echoAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(context.Background(), msg("c", "1", "early")); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Deliver before Run = %v, want ErrNotRunning", err)
	}
	if store.pendingCount() != 0 {
		t.Fatal("a message delivered before Run was accepted")
	}
}

func TestDispatcherIgnoresEmptyText(t *testing.T) {
	h := startHarness(t, testConfig(), nil)
	h.send(msg("c", "1", "  \n"))
	h.none()
}

func TestConfigValidate(t *testing.T) {
	if p := DefaultDispatcherConfig().Validate(); len(p) != 0 {
		t.Fatalf("defaults invalid: %v", p)
	}
	bad := DispatcherConfig{MaxInFlight: 0, MaxQueued: -1, RatePerMinute: 1, Allow: []string{"nocolon"}}
	p := strings.Join(bad.Validate(), "\n")
	for _, key := range []string{"max_inflight", "max_queued", "rate_burst", "turn_timeout", "allow[0]"} {
		if !strings.Contains(p, key+":") {
			t.Errorf("problems %q miss %s", p, key)
		}
	}
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	waitUntil(t, "the condition", cond)
}

func TestDispatcherShedsInProportionPastTheHighWaterMark(t *testing.T) {
	// max_queued 10, shed_from 0.5: none shed up to 5 queued, then a share
	// of 1/6, 2/6 … 5/6 for the 6th … 10th, and every one past 10. A
	// message is shed when the random draw is below its share, so a fixed
	// draw r lets the queue grow exactly to the depth whose share passes r.
	tests := []struct {
		draw  float64
		depth int
	}{{0.1, 5}, {0.2, 6}, {0.4, 7}, {0.6, 8}, {0.7, 9}, {0.9, 10}, {0.999, 10}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.draw), func(t *testing.T) {
			cfg := testConfig()
			cfg.MaxInFlight, cfg.MaxQueued, cfg.ShedFrom = 1, 10, 0.5
			h := startHarness(t, cfg, nil, WithRandom(func() float64 { return tt.draw }))
			gate := h.ans.gate("hold")
			const sent = 15
			for i := range sent {
				h.send(msg(fmt.Sprint("c", i), fmt.Sprint(i), "hold"))
			}
			for range sent - tt.depth {
				if s := h.next(); s.reply.Refusal != RefusalBusy {
					t.Fatalf("got %+v, want busy refusals first", s.reply)
				}
			}
			if got := h.d.Queued(); got != tt.depth {
				t.Errorf("queued %d, want %d", got, tt.depth)
			}
			close(gate)
			for range tt.depth {
				if s := h.next(); s.reply.Refusal != "" {
					t.Fatalf("got %+v, want answers", s.reply)
				}
			}
			h.none()
		})
	}
}

func TestDispatcherShedShare(t *testing.T) {
	cfg := DispatcherConfig{MaxQueued: 1024, ShedFrom: 0.75}
	for _, tt := range []struct {
		n    int64
		want float64
	}{{1, 0}, {768, 0}, {769, 1.0 / 257}, {896, 128.0 / 257}, {1024, 256.0 / 257}, {1025, 1}} {
		if got := cfg.shedShare(tt.n); got != tt.want {
			t.Errorf("shedShare(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

// A burst of rate-limited messages gets one notice per sender per window,
// not one per message.
func TestDispatcherRateLimitNoticeOncePerWindow(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	cfg := testConfig()
	cfg.RatePerMinute, cfg.RateBurst = 6, 2
	h := startHarness(t, cfg, nil, WithClock(clock))
	burst := func(prefix string, n int) (answered, notices int) {
		for i := range n {
			h.send(msg("c1", fmt.Sprint(prefix, i), "hi"))
		}
		for range 3 {
			if h.next().reply.Refusal == RefusalRateLimited {
				notices++
			} else {
				answered++
			}
		}
		h.none()
		return answered, notices
	}
	if a, n := burst("a", 10); a != 2 || n != 1 {
		t.Fatalf("first burst: answered %d, notices %d; want 2 and 1", a, n)
	}
	mu.Lock()
	now = now.Add(noticeWindow + time.Second)
	mu.Unlock()
	if a, n := burst("b", 5); a != 2 || n != 1 {
		t.Fatalf("next window: answered %d, notices %d; want 2 and 1", a, n)
	}
}
