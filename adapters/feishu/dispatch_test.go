package feishu

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"

	"imbot/core"
	"imbot/store"
)

// echoAnswerer streams "answer: <text>" in two steps and records questions.
type echoAnswerer struct {
	mu    sync.Mutex
	asked []core.MessageID
}

func (e *echoAnswerer) Answer(ctx context.Context, env core.Envelope, w core.ReplyWriter) core.Answer {
	e.mu.Lock()
	e.asked = append(e.asked, env.MessageID)
	e.mu.Unlock()
	_ = w.Update(ctx, "answer:")
	return core.Answer{Reply: core.Reply{Text: "answer: " + env.Text, Route: core.RouteFAQ}}
}

func (e *echoAnswerer) questions() []core.MessageID {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]core.MessageID(nil), e.asked...)
}

// daemon runs the real dispatcher on a bbolt store with the adapter's
// webhook mounted, like cmd/imbot does, until stop is called.
type daemon struct {
	url  string
	stop func()
}

// inboxHistory is what the dispatcher needs from a store.
type inboxHistory interface {
	core.Inbox
	core.History
}

// openStore opens the bbolt store at path; it is closed by the returned
// func or when the test ends.
func openStore(t testing.TB, path string) (*store.Store, func()) {
	t.Helper()
	scfg := store.DefaultConfig()
	scfg.Path = path
	st, err := store.Open(scfg)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	closeStore := func() {
		once.Do(func() {
			if err := st.Close(); err != nil {
				t.Errorf("store close: %v", err)
			}
		})
	}
	t.Cleanup(closeStore)
	return st, closeStore
}

func startDaemon(t testing.TB, h *harness, st inboxHistory, ans core.Answerer, edit func(*core.DispatcherConfig)) daemon {
	t.Helper()
	dcfg := core.DefaultDispatcherConfig()
	dcfg.RatePerMinute = 0
	if edit != nil {
		edit(&dcfg)
	}
	d, err := core.NewDispatcher(dcfg, st, st, ans, core.WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.a.Mount(mux)
	srv := httptest.NewServer(mux)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, h.a) }()
	h.waitFor("adapter running", func() bool { return h.a.Check(ctx) == nil && h.a.deliver.Load() != nil })
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("dispatcher: %v", err)
			}
			srv.Close()
		})
	}
	t.Cleanup(stop)
	return daemon{url: srv.URL + h.a.cfg.WebhookPath, stop: stop}
}

func TestRedeliveredEventIsAnsweredOnceAcrossRestart(t *testing.T) {
	h := newHarness(t, nil)
	path := filepath.Join(t.TempDir(), "imbot.db")
	ans := &echoAnswerer{}
	st, closeStore := openStore(t, path)
	d := startDaemon(t, h, st, ans, nil)
	h.url = d.url
	e := h.event("1", "where is the office?")
	for i := range 5 {
		if got := h.post(e.JSON()); got != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i+1, got)
		}
	}
	h.waitFor("the answer", func() bool {
		ms := h.fake.Messages()
		return len(ms) == 1 && h.fake.Shown(ms[0], answerElement) != ""
	})
	d.stop()
	closeStore()

	// A new process on the same store file: the redelivery is still dropped.
	h.restart()
	st2, _ := openStore(t, path)
	d2 := startDaemon(t, h, st2, ans, nil)
	h.url = d2.url
	if got := h.post(e.JSON()); got != http.StatusOK {
		t.Fatalf("redelivery after restart: status %d", got)
	}
	// A later message in the same conversation is answered after anything
	// the redelivery could have queued.
	if got := h.post(h.event("2", "and the parking?").JSON()); got != http.StatusOK {
		t.Fatalf("second message: status %d", got)
	}
	h.waitFor("second answer", func() bool { return len(h.fake.Messages()) >= 2 })
	d2.stop()
	ms := h.fake.Messages()
	if len(ms) != 2 || ms[0].ParentID != "om_1" || ms[1].ParentID != "om_2" {
		t.Fatalf("messages %+v, want one answer each to om_1 and om_2", ms)
	}
	if q := ans.questions(); len(q) != 2 {
		t.Fatalf("answerer asked %v, want om_1 and om_2 once each", q)
	}
	if got := h.fake.Shown(ms[0], answerElement); got != "answer: where is the office?" {
		t.Fatalf("answer %q", got)
	}
}
