//go:build drills

package drills

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"imbot/adapters/telegram/telegramtest"
	"imbot/provider/openai/openaitest"
	"imbot/store/postgres/pgtest"
)

// BenchmarkReplicas measures Telegram webhook turns per second through 1, 2
// and 3 replicas sharing one PostgreSQL, and through one daemon on bbolt for
// comparison, with a zero-latency model: the drill's balancer spreads the
// updates over the replicas, and each of DRILL_BENCH_CHATS users sends
// DRILL_BENCH_TURNS messages, the next once the previous one is answered.
// The replicas, the database, the fakes and the load generator share the
// machine. Run it with
//
//	go test -tags drills -run '^$' -bench Replicas -benchtime 1x -count 5 ./drills
func BenchmarkReplicas(b *testing.B) {
	bin := buildImbot(b)
	// A server of its own that waits for the disk at each commit, as
	// production must (docs/scale-out.md).
	pg, err := pgtest.Start("fsync=on", "synchronous_commit=on", "full_page_writes=on")
	if err != nil {
		b.Fatal(err)
	}
	defer pg.Stop()
	chats, turns := envInt("DRILL_BENCH_CHATS", 32), envInt("DRILL_BENCH_TURNS", 40)
	for _, run := range []struct {
		name     string
		replicas int // 0: one daemon on bbolt
	}{{"bbolt", 0}, {"postgres/replicas=1", 1}, {"postgres/replicas=2", 2}, {"postgres/replicas=3", 3}} {
		b.Run(run.name, func(b *testing.B) {
			model := openaitest.New(b, openaitest.WithDefault(openaitest.Response{Echo: true}))
			tg := telegramtest.New()
			defer tg.Close()
			answered := newAnswerClock()
			tg.OnSent(answered.sent)
			adapters := telegramWebhookExtra(tg.URL) + drillDispatcher
			env := []string{"DRILL_TELEGRAM_TOKEN=" + telegramtest.Token, "DRILL_TELEGRAM_SECRET=" + telegramSecret}
			var urls []string
			var pids []int
			var dsn string
			if run.replicas == 0 {
				s := setupFor(b, bin, model.URL(), adapters)
				p := start(b, s, s.config(b, s.dir), env...)
				defer p.term()
				urls, pids = []string{"http://" + s.listen + "/telegram/webhook"}, []int{p.cmd.Process.Pid}
			} else {
				c := newCluster(b, bin, pg.NewDatabase(b), run.replicas, model.URL(), "5s", func(int) string { return adapters }, env...)
				if !durable(b, c.dsn) {
					b.Fatal("the server commits without fsync or synchronous commit")
				}
				c.startAll()
				defer c.stopAll()
				urls, dsn = c.urls("/telegram/webhook"), c.dsn
				for _, p := range c.procs {
					pids = append(pids, p.cmd.Process.Pid)
				}
			}
			lb := newBalancer(urls)
			var nextUpdate atomic.Int64
			b.ResetTimer()
			for i := range b.N {
				sizeBefore, cpuBefore := databaseSize(b, dsn), measureCPU(b, pids, dsn)
				elapsed, latencies := driveChats(b, tg, lb, answered, &nextUpdate, fmt.Sprintf("i%d", i), chats, turns)
				cpu, n := measureCPU(b, pids, dsn).sub(cpuBefore), float64(chats*turns)
				b.ReportMetric(n/elapsed.Seconds(), "turns/s")
				b.ReportMetric(float64(percentile(latencies, 50).Microseconds())/1000, "p50_ms")
				b.ReportMetric(float64(percentile(latencies, 99).Microseconds())/1000, "p99_ms")
				b.ReportMetric(cpu.replicas.Seconds()*1000/n, "imbot_cpu_ms/turn")
				b.ReportMetric(cpu.driver.Seconds()*1000/n, "driver_cpu_ms/turn")
				logLoad(b)
				if dsn != "" {
					b.ReportMetric(cpu.database.Seconds()*1000/n, "db_cpu_ms/turn")
					b.ReportMetric(float64(databaseSize(b, dsn)-sizeBefore)/n, "db_B/turn")
				}
			}
		})
	}
}

// durable reports whether a new connection to dsn commits with fsync and
// synchronous commit on.
func durable(b *testing.B, dsn string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return false
	}
	defer conn.Close(ctx)
	var fsync, sync string
	err = conn.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &sync)
	return err == nil && fsync == "on" && sync == "on"
}

// databaseSize returns the size on disk of the database at dsn, 0 when
// dsn is empty.
func databaseSize(b *testing.B, dsn string) int64 {
	if dsn == "" {
		return 0
	}
	var n int64
	queryOne(b, dsn, "SELECT pg_database_size(current_database())", &n)
	return n
}

// queryOne scans the one value sql selects from the database at dsn into
// dest, failing b on any error.
func queryOne(b *testing.B, dsn, sql string, dest any) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, sql).Scan(dest); err != nil {
		b.Fatal(err)
	}
}

// logLoad logs the machine's load average, which the figures depend on.
func logLoad(b *testing.B) {
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average: %s", strings.TrimSpace(string(load)))
	}
}

// driveChats runs chats users, each sending turns messages through lb one
// after the other, and returns the time it all took and each message's time
// from its webhook POST to the bot's answer.
func driveChats(b *testing.B, tg *telegramtest.Server, lb *balancer, answered *answerClock, next *atomic.Int64, prefix string, chats, turns int) (time.Duration, []time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	began := time.Now()
	for chat := range chats {
		user := telegramtest.User(int64(5000+chat), fmt.Sprint("bench", chat))
		markers := burstMarkers(fmt.Sprintf("%sc%d_", prefix, chat), turns)
		updates := telegramUpdates(tg, user, markers, next)
		wg.Go(func() {
			for i, u := range updates {
				done := answered.expect(markers[i])
				sent := time.Now()
				if lb.deliver(ctx, u) != nil {
					return
				}
				select {
				case at := <-done:
					mu.Lock()
					latencies = append(latencies, at.Sub(sent))
					mu.Unlock()
				case <-ctx.Done():
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(began)
	if ctx.Err() != nil {
		b.Fatalf("%d of %d turns answered within the deadline", len(latencies), chats*turns)
	}
	return elapsed, latencies
}

// answerClock tells waiters when the bot's answer carrying their marker
// was sent.
type answerClock struct {
	mu      sync.Mutex
	waiting map[string]chan time.Time
}

func newAnswerClock() *answerClock { return &answerClock{waiting: map[string]chan time.Time{}} }

// expect returns the channel that receives the time marker is answered.
func (a *answerClock) expect(marker string) <-chan time.Time {
	ch := make(chan time.Time, 1)
	a.mu.Lock()
	a.waiting[marker] = ch
	a.mu.Unlock()
	return ch
}

// sent is the fake Bot API's OnSent hook.
func (a *answerClock) sent(m telegramtest.Message) {
	at := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, f := range strings.Fields(m.Plain) {
		if ch, ok := a.waiting[f]; ok {
			delete(a.waiting, f)
			ch <- at
		}
	}
}
