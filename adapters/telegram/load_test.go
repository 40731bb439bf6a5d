package telegram_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"imbot/adapters/telegram"
	"imbot/adapters/telegram/telegramtest"
	"imbot/core"
	"imbot/core/chain"
	"imbot/provider/openai"
	"imbot/provider/openai/openaitest"
	"imbot/store"
)

// Load shape of the measurement: chats × messages per chat, each
// chat sending its next message when the previous one is answered.
const (
	loadChats    = 50
	loadMessages = 20
)

// BenchmarkEndToEnd runs 50 private chats × 20 messages through the fake
// Bot API, the adapter (rate limits off), the dispatcher, the router, the
// bbolt store (fsync on) and a zero-latency fake model. Latency is from the
// update becoming available to getUpdates to the final sendMessage arriving
// at the fake. CPU and RSS are the whole process's, fakes included. Run with
// -benchtime 1x -count 5.
func BenchmarkEndToEnd(b *testing.B) {
	var lat []time.Duration
	var cpu, wall time.Duration
	for b.Loop() {
		l, c, w := runLoad(b)
		lat, cpu, wall = append(lat, l...), cpu+c, wall+w
	}
	slices.Sort(lat)
	n := float64(len(lat))
	b.ReportMetric(n/wall.Seconds(), "msg/s")
	b.ReportMetric(ms(lat[len(lat)/2]), "p50_ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99_ms")
	b.ReportMetric(ms(cpu)/n, "cpu_ms/msg")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak_rss_MB")
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runLoad runs one round and returns each message's latency, the CPU time
// and the wall time it took.
func runLoad(b *testing.B) (lat []time.Duration, cpu, wall time.Duration) {
	fake := telegramtest.New()
	defer fake.Close()
	model := openaitest.New(b, openaitest.WithDefault(openaitest.Answer("Go is ", "a **programming** ", "language.")))
	st, err := store.Open(store.Config{Path: filepath.Join(b.TempDir(), "imbot.db"), LockTimeout: time.Second,
		DedupTTL: time.Hour, MaxMessages: 1000, SweepInterval: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	d := newLoadDispatcher(b, fake, model, st)

	var mu sync.Mutex
	pushed := map[int64]time.Time{}
	replies := make(map[int64]chan struct{}, loadChats)
	for c := range loadChats {
		replies[int64(c+1)] = make(chan struct{}, 1)
	}
	fake.OnSent(func(m telegramtest.Message) {
		mu.Lock()
		lat = append(lat, time.Since(pushed[m.ChatID]))
		mu.Unlock()
		replies[m.ChatID] <- struct{}{}
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.run(ctx) }()

	startCPU, start := cpuTime(), time.Now()
	var chats sync.WaitGroup
	for c := range loadChats {
		chats.Go(func() {
			user := telegramtest.User(int64(c+1), fmt.Sprintf("user%d", c+1))
			chat := telegramtest.PrivateChat(user)
			for i := range loadMessages {
				m := fake.NewMessage(chat, user, fmt.Sprintf("question %d: what is Go?", i))
				mu.Lock()
				pushed[chat.ID] = time.Now()
				mu.Unlock()
				fake.PushMessage(m)
				select {
				case <-replies[chat.ID]:
				case <-time.After(30 * time.Second):
					b.Errorf("chat %d: no answer to message %d", chat.ID, i)
					return
				}
			}
		})
	}
	chats.Wait()
	wall, cpu = time.Since(start), cpuTime()-startCPU
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	if len(lat) != loadChats*loadMessages {
		b.Fatalf("%d answers, want %d", len(lat), loadChats*loadMessages)
	}
	return lat, cpu, wall
}

type loadDispatcher struct {
	d *core.Dispatcher
	a *telegram.Adapter
}

func (l loadDispatcher) run(ctx context.Context) error { return l.d.Run(ctx, l.a) }

func newLoadDispatcher(b *testing.B, fake *telegramtest.Server, model *openaitest.Server, st *store.Store) loadDispatcher {
	pcfg := openai.DefaultConfig()
	pcfg.Name, pcfg.BaseURL, pcfg.Model = "local", model.URL(), "fake"
	pooled := http.DefaultTransport.(*http.Transport).Clone()
	pooled.MaxIdleConnsPerHost = 64 // the model is one host that every turn calls at once
	client, err := openai.NewClient(pcfg, openai.WithHTTPClient(&http.Client{Transport: pooled}))
	if err != nil {
		b.Fatal(err)
	}
	member, err := chain.NewMember(client, pcfg.Policy())
	if err != nil {
		b.Fatal(err)
	}
	general, err := chain.New("general", []*chain.Member{member})
	if err != nil {
		b.Fatal(err)
	}
	router, err := core.NewRouter(core.DefaultRouterConfig(), core.RouterDeps{History: st, General: general})
	if err != nil {
		b.Fatal(err)
	}
	dcfg := core.DefaultDispatcherConfig()
	dcfg.RatePerMinute, dcfg.MaxInFlight = 0, 64
	d, err := core.NewDispatcher(dcfg, st, st, router)
	if err != nil {
		b.Fatal(err)
	}
	cfg := telegram.DefaultConfig()
	cfg.Enabled, cfg.Token, cfg.APIURL = true, telegramtest.Token, fake.URL
	cfg.EditInterval, cfg.DraftInterval, cfg.GlobalRate = 0, 0, 0
	a, err := telegram.New(cfg, st)
	if err != nil {
		b.Fatal(err)
	}
	return loadDispatcher{d: d, a: a}
}
