package main

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"imbot/core"

	"imbot/store"
)

// instantModel answers every request at once with a fixed text.
type instantModel struct{}

func (instantModel) Stream(_ context.Context, _ core.ModelRequest, onDelta core.DeltaFunc) (core.ModelResult, error) {
	onDelta("an instant answer")
	return core.ModelResult{Text: "an instant answer", Provider: "instant", Model: "m", Usage: core.ModelUsage{PromptTokens: 20, CompletionTokens: 4}}, nil
}

// countingAdapter delivers nothing itself and signals each finished reply.
type countingAdapter struct{ finished chan struct{} }

func (a *countingAdapter) Name() core.Platform { return "bench" }
func (a *countingAdapter) Run(ctx context.Context, _ core.DeliverFunc) error {
	<-ctx.Done()
	return nil
}
func (a *countingAdapter) Reply(context.Context, core.Envelope) (core.ReplyWriter, error) {
	return finishSignal{a.finished}, nil
}

type finishSignal struct{ finished chan struct{} }

func (finishSignal) Update(context.Context, string) error { return nil }
func (w finishSignal) Finish(context.Context, core.Reply) error {
	w.finished <- struct{}{}
	return nil
}

// BenchmarkTurnThroughput measures whole turns through the dispatcher, the
// router (history read, prompt, model call) and the bbolt store with fsync
// on: accept (dedup marks + pending record) and completion (two history
// messages) per turn, over 256 conversations.
func BenchmarkTurnThroughput(b *testing.B) {
	cfg := store.DefaultConfig()
	cfg.Path = filepath.Join(b.TempDir(), "bench.db")
	st, err := store.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	router, err := core.NewRouter(core.DefaultRouterConfig(), core.RouterDeps{History: st, General: instantModel{}})
	if err != nil {
		b.Fatal(err)
	}
	dcfg := core.DefaultDispatcherConfig()
	dcfg.RatePerMinute, dcfg.MaxInFlight, dcfg.MaxQueued = 0, 256, 1<<20
	d, err := core.NewDispatcher(dcfg, st, st, router)
	if err != nil {
		b.Fatal(err)
	}
	a := &countingAdapter{finished: make(chan struct{}, 1024)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, a) }()
	// Deliver from many goroutines, as adapters do, so accepts batch.
	const senders = 256
	b.ResetTimer()
	start := time.Now()
	for s := range senders {
		go func() {
			for i := s; i < b.N; i += senders {
				env := core.Envelope{Platform: "bench", ChatID: core.ChatID(fmt.Sprint("c", i%256)), UserID: "u",
					MessageID: core.MessageID(fmt.Sprint(b.Name(), i)), Text: "What is the answer?"}
				for d.Deliver(ctx, env) != nil { // adapters not started yet
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	for range b.N {
		<-a.finished
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "turns/s")
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
