package feishu

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
)

// slowModel answers after delay, streaming one update halfway, like a model
// that takes that long per answer.
type slowModel struct{ delay time.Duration }

func (s slowModel) Answer(ctx context.Context, _ core.Envelope, w core.ReplyWriter) core.Answer {
	for i, text := range []string{"thinking", ""} {
		t := time.NewTimer(s.delay / 2)
		select {
		case <-ctx.Done():
			t.Stop()
			return core.Answer{Reply: core.Reply{Text: "interrupted", Route: core.RouteDegraded}}
		case <-t.C:
		}
		if i == 0 {
			_ = w.Update(ctx, text)
		}
	}
	return core.Answer{Reply: core.Reply{Text: "the answer", Route: core.RouteModel, Model: "slow-2s"}}
}

// BenchmarkWebhookAck measures how long Feishu waits for the webhook's 200
// while events arrive at 500/s and the model takes 2 s per answer. Each
// event is verified, decrypted, parsed, accepted by the real dispatcher and
// acknowledged; the turns run meanwhile against the fake Feishu API.
// "bbolt" accepts durably into a store file (what production does);
// "memory" uses an in-memory inbox, leaving out the disk's fsync latency.
// Run with -benchtime=2500x (5 s of load).
func BenchmarkWebhookAck(b *testing.B) {
	b.Run("bbolt", func(b *testing.B) {
		st, _ := openStore(b, filepath.Join(b.TempDir(), "imbot.db"))
		benchmarkWebhookAck(b, st)
	})
	b.Run("memory", func(b *testing.B) { benchmarkWebhookAck(b, newMemStore()) })
}

func benchmarkWebhookAck(b *testing.B, st inboxHistory) {
	const rate = 500
	h := newHarness(b, nil)
	h.a.log = discard()
	d := startDaemon(b, h, st, slowModel{2 * time.Second}, func(c *core.DispatcherConfig) {
		c.MaxInFlight, c.MaxQueued = 2*rate*2, 8*rate*2 // 1000 turns run at once at 500/s × 2 s
	})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: 10 * time.Second}
	plains := make([][]byte, b.N)
	for i := range plains {
		e := h.event(fmt.Sprint(i), "question")
		e.ChatID = fmt.Sprintf("oc_%d", i%rate) // many conversations, as in a busy tenant
		plains[i] = e.JSON()
	}
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / rate)
	defer tick.Stop()
	b.ResetTimer()
	for i := range b.N {
		<-tick.C
		req := feishutest.WebhookRequest(context.Background(), d.url, testEncryptKey, plains[i], h.clock.Now())
		wg.Go(func() {
			start := time.Now()
			resp, err := client.Do(req)
			lat[i] = time.Since(start)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / float64(time.Millisecond) }
	b.ReportMetric(ms(0.50), "p50_ms")
	b.ReportMetric(ms(0.99), "p99_ms")
	b.ReportMetric(ms(1), "max_ms")
	b.ReportMetric(0, "ns/op")
	d.stop()
}
