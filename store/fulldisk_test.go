package store

import (
	"context"
	"errors"
	"syscall"
	"testing"
	"time"

	"imbot/core"
	"imbot/core/catalog"
)

// chatAdapter is a core.Adapter whose final replies arrive on sent.
type chatAdapter struct {
	deliver chan core.DeliverFunc
	sent    chan core.Reply
}

func (a *chatAdapter) Name() core.Platform { return "telegram" }

func (a *chatAdapter) Run(ctx context.Context, deliver core.DeliverFunc) error {
	a.deliver <- deliver
	<-ctx.Done()
	return nil
}

func (a *chatAdapter) Reply(context.Context, core.Envelope) (core.ReplyWriter, error) { return a, nil }
func (a *chatAdapter) Update(context.Context, string) error                           { return nil }
func (a *chatAdapter) Finish(_ context.Context, r core.Reply) error                   { a.sent <- r; return nil }

// fixedAnswerer answers every question with the same text.
type fixedAnswerer struct{}

func (fixedAnswerer) Answer(context.Context, core.Envelope, core.ReplyWriter) core.Answer {
	return core.Answer{Reply: core.Reply{Text: "42", Route: core.RouteModel}}
}

// TestFullDiskIsAServiceProblemAndRecoversWithoutRestart runs a dispatcher on
// a store whose disk fills up and is freed again.
func TestFullDiskIsAServiceProblemAndRecoversWithoutRestart(t *testing.T) {
	var full diskFull
	cfg := testConfig(t)
	cfg.MinFreeMB = 0
	s := openTest(t, cfg, WithWriteFault(full.fault))
	dcfg := core.DefaultDispatcherConfig()
	dcfg.RatePerMinute = 0
	d, err := core.NewDispatcher(dcfg, s, s, fixedAnswerer{})
	if err != nil {
		t.Fatal(err)
	}
	a := &chatAdapter{deliver: make(chan core.DeliverFunc, 1), sent: make(chan core.Reply, 4)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, a) }()
	defer func() { cancel(); <-done }()
	deliver := <-a.deliver

	full.on.Store(true)
	env := envelope("c", 1)
	env.Text = "what is the answer?"
	if err := deliver(ctx, env); err != nil {
		t.Fatalf("Deliver on a full disk = %v, want nil (answered)", err)
	}
	texts, _ := catalog.New(catalog.Config{})
	if r := nextReply(t, a.sent); r.Refusal != core.RefusalServiceProblem || r.Text != texts.Text(catalog.EN, catalog.ServiceProblem) {
		t.Errorf("reply on a full disk = %q (%q), want the service problem text", r.Text, r.Refusal)
	}
	if err := s.Check(ctx); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("Check on a full disk = %v, want ENOSPC", err)
	}

	full.on.Store(false)
	if err := deliver(ctx, env); err != nil { // sent again once space is freed
		t.Fatal(err)
	}
	if r := nextReply(t, a.sent); r.Text != "42" {
		t.Errorf("reply after space was freed = %q, want the answer", r.Text)
	}
	if err := s.Check(ctx); err != nil {
		t.Errorf("Check after space was freed = %v", err)
	}
}

func nextReply(t *testing.T, sent <-chan core.Reply) core.Reply {
	t.Helper()
	select {
	case r := <-sent:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reply within 10s")
		return core.Reply{}
	}
}
