package telegram_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/adapters/telegram"
	"imbot/adapters/telegram/telegramtest"
	"imbot/core"
	"imbot/store"
)

// scripted answers every question with "answer: <question>", streamed in
// two steps, or blocks until ctx ends when hold is set.
type scripted struct {
	hold bool
	mu   sync.Mutex
	asks []string
}

func (s *scripted) Answer(ctx context.Context, env core.Envelope, w core.ReplyWriter) core.Answer {
	s.mu.Lock()
	s.asks = append(s.asks, env.Text)
	s.mu.Unlock()
	if s.hold {
		<-ctx.Done()
		return core.Answer{Reply: core.Reply{Text: "too late", Route: core.RouteDegraded}}
	}
	text := "answer: " + env.Text
	_ = w.Update(ctx, text[:len(text)/2])
	_ = w.Update(ctx, text)
	return core.Answer{Reply: core.Reply{Text: text, Route: core.RouteModel}}
}

// daemon is the dispatcher, store and adapter of one process.
type daemon struct {
	st     *store.Store
	cancel context.CancelFunc
	done   chan error
}

// startDaemon opens the store at path and runs a dispatcher with a
// Telegram adapter against fake. wrap, when set, wraps the deliver func
// the adapter gets.
func startDaemon(t *testing.T, fake *telegramtest.Server, path string, ans core.Answerer, wrap func(core.DeliverFunc) core.DeliverFunc) *daemon {
	t.Helper()
	scfg := store.DefaultConfig()
	scfg.Path = path
	st, err := store.Open(scfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := telegram.DefaultConfig()
	cfg.Enabled, cfg.Token, cfg.APIURL = true, telegramtest.Token, fake.URL
	cfg.PollTimeout, cfg.EditInterval, cfg.DraftInterval, cfg.GlobalRate = 2*time.Second, 0, 0, 0
	a, err := telegram.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	dcfg := core.DefaultDispatcherConfig()
	dcfg.RatePerMinute, dcfg.DrainTimeout = 0, 200*time.Millisecond
	dcfg.Coalesce = false // every message of a burst is answered on its own here
	d, err := core.NewDispatcher(dcfg, st, st, ans)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	dm := &daemon{st: st, cancel: cancel, done: make(chan error, 1)}
	var adapter core.Adapter = a
	if wrap != nil {
		adapter = wrapped{a, wrap}
	}
	go func() { dm.done <- d.Run(ctx, adapter) }()
	t.Cleanup(dm.stop)
	return dm
}

// stop ends the process as SIGTERM would and closes the store.
func (d *daemon) stop() {
	if d.cancel == nil {
		return
	}
	d.cancel()
	<-d.done
	d.st.Close()
	d.cancel = nil
}

// wrapped is the adapter with its deliver func wrapped.
type wrapped struct {
	*telegram.Adapter
	wrap func(core.DeliverFunc) core.DeliverFunc
}

func (w wrapped) Run(ctx context.Context, deliver core.DeliverFunc) error {
	return w.Adapter.Run(ctx, w.wrap(deliver))
}

func waitFor(t *testing.T, fake *telegramtest.Server, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := fake.Wait(ctx, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

func TestEndToEnd(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	ans := &scripted{}
	startDaemon(t, fake, filepath.Join(t.TempDir(), "imbot.db"), ans, nil)
	ann := telegramtest.User(42, "Ann")
	dm := telegramtest.PrivateChat(ann)
	group := telegramtest.Group(-100200, "Team")
	at := "@" + fake.Bot.Username

	fake.PushMessage(fake.NewMessage(dm, ann, "What is Go?"))
	fake.PushMessage(fake.NewMessage(group, ann, "just chatting"))
	mention := fake.NewMessage(group, ann, at+" who are you?")
	fake.PushMessage(mention)
	help := fake.NewMessage(group, ann, "/help"+at)
	fake.PushMessage(help)
	waitFor(t, fake, "three answers", func() bool {
		g := fake.Sent(-100200)
		return len(fake.Sent(42)) == 1 && len(g) == 2 && g[0].Plain == "answer: who are you?"
	})

	if got := fake.Sent(42)[0].Plain; got != "answer: What is Go?" {
		t.Errorf("DM answer %q", got)
	}
	if len(fake.Calls("sendMessageDraft")) == 0 {
		t.Error("the DM answer was not streamed as a draft")
	}
	sent := fake.Sent(-100200)
	if sent[0].ReplyTo != mention.ID {
		t.Errorf("mention answered with %+v", sent[0])
	}
	if !strings.Contains(sent[1].Plain, "/reset") || sent[1].ReplyTo != help.ID {
		t.Errorf("/help answered with %+v", sent[1])
	}
	reply := fake.NewMessage(group, ann, "and why?")
	reply.ReplyToMessage = fake.BotMessage(-100200, sent[0].ID)
	fake.PushMessage(reply)
	waitFor(t, fake, "answer to the reply", func() bool {
		g := fake.Sent(-100200)
		return len(g) == 3 && g[2].Plain == "answer: and why?"
	})
	if got := fake.Sent(-100200)[2]; got.ReplyTo != reply.ID {
		t.Errorf("reply answered with %+v", got)
	}
	ans.mu.Lock()
	defer ans.mu.Unlock()
	for _, q := range ans.asks {
		if q == "just chatting" {
			t.Error("a group message that did not address the bot was answered")
		}
	}
}

// TestCrashAfterFetchNothingLostNothingDoubled kills the daemon in the
// middle of a burst: some updates accepted and not yet answered, some
// fetched and not yet accepted. After the restart every message of the
// burst is answered exactly once.
func TestCrashAfterFetchNothingLostNothingDoubled(t *testing.T) {
	fake := telegramtest.New()
	defer fake.Close()
	path := filepath.Join(t.TempDir(), "imbot.db")
	const chats, perChat = 4, 3
	type key struct {
		chat int64
		msg  int
	}
	burst := map[key]bool{}
	for c := range chats {
		chat := telegramtest.Group(-1000-int64(c), "g")
		user := telegramtest.User(500+int64(c), "u")
		for range perChat {
			m := fake.NewMessage(chat, user, "@"+fake.Bot.Username+" question")
			fake.PushMessage(m)
			burst[key{chat.ID, m.ID}] = true
		}
	}
	// The first process accepts everything but chat -1003's messages, which
	// it fetched but never got to deliver; no answer gets out before the
	// kill.
	stuck := make(chan struct{}, 1) // the first stuck delivery signals even before the test waits
	accepted := make(chan struct{}, chats*perChat)
	first := startDaemon(t, fake, path, &scripted{hold: true}, func(next core.DeliverFunc) core.DeliverFunc {
		return func(ctx context.Context, env core.Envelope) error {
			if env.ChatID == "-1003" {
				select {
				case stuck <- struct{}{}:
				default:
				}
				<-ctx.Done()
				return ctx.Err()
			}
			err := next(ctx, env)
			if err == nil {
				accepted <- struct{}{}
			}
			return err
		}
	})
	<-stuck
	for range (chats - 1) * perChat {
		<-accepted
	}
	first.stop()
	if n := len(fake.Calls("sendMessage")); n != 0 {
		t.Fatalf("%d answers sent before the kill, want none", n)
	}

	second := startDaemon(t, fake, path, &scripted{}, nil)
	waitFor(t, fake, "every message answered", func() bool {
		n := 0
		for c := range chats {
			for _, m := range fake.Sent(-1000 - int64(c)) {
				if m.Plain == "answer: question" {
					n++
				}
			}
		}
		return n >= chats*perChat && fake.Unconfirmed() == 0
	})
	second.stop() // drains: whatever it would still send is sent now
	answered := map[key]int{}
	for c := range chats {
		for _, m := range fake.Sent(-1000 - int64(c)) {
			answered[key{m.ChatID, m.ReplyTo}]++
		}
	}
	for k := range burst {
		if answered[k] != 1 {
			t.Errorf("chat %d message %d answered %d times, want once", k.chat, k.msg, answered[k])
		}
	}
	if len(answered) != len(burst) {
		t.Errorf("%d messages answered, want %d", len(answered), len(burst))
	}
}
