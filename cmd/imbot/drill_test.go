package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/provider/openai/openaitest"
)

// Drill settings: users, how often each asks, how long the drill runs once
// every user is connected, and the fake model's fixed latency.
const (
	drillUsers    = 3000
	drillEvery    = 5 * time.Second
	drillRun      = 30 * time.Second
	drillModelLag = 100 * time.Millisecond
	// drillFAQ is a question the built-in knowledge base answers itself.
	drillFAQ = "How do I connect Telegram?"
)

// BenchmarkWebDrill3000 holds drillUsers WebSockets open on one daemon
// (its store on disk, the built-in knowledge base, a fake model answering
// after drillModelLag) while each user asks every drillEvery, alternating
// an FAQ question and a model question, for drillRun. It reports the
// send → done latency percentiles per route (the model's with its fixed
// latency subtracted), the turns answered, and the process's peak resident
// memory, which includes the clients' ends of the connections. Run it with
// -benchtime 1x. [dispatcher] max_inflight is raised to a quarter of the
// users.
func BenchmarkWebDrill3000(b *testing.B) {
	raiseFileLimit(b, 4*drillUsers)
	model := openaitest.New(b, openaitest.WithDefault(openaitest.Response{
		Chunks: []string{"A model ", "answer."}, ChunkDelay: drillModelLag / 2}))
	path := writeConfig(b, b.TempDir(), testSetup{model: model.URL(),
		// A turn holds a worker for the model's latency: 600 turns/s at
		// 100 ms need 60 at once, far above the default 32 when the
		// machine is slow.
		extra: fmt.Sprintf("max_inflight = %d\nmax_queued = %d\n[adapters.web]\nenabled = true\nmax_connections = %d\n",
			drillUsers/4, drillUsers, drillUsers+100)})
	in := startServe(b, path)
	for range b.N {
		rec := runDrill(b, "ws://"+in.addr+"/ws")
		faq, mdl := rec.percentiles("faq"), rec.percentiles("model")
		b.ReportMetric(faq[0], "faq-p50-ms")
		b.ReportMetric(faq[1], "faq-p99-ms")
		b.ReportMetric(mdl[0]-ms(drillModelLag), "model-p50-ms-over-lag")
		b.ReportMetric(mdl[1]-ms(drillModelLag), "model-p99-ms-over-lag")
		b.ReportMetric(float64(rec.answered()), "turns")
		b.ReportMetric(float64(rec.failed), "failures")
		b.ReportMetric(float64(rec.peakRSS)/1024, "peak-rss-MiB")
		b.Logf("refusals and failures by code: %v", rec.refused)
	}
}

// drillRecord collects the drill's latencies per route, and its refusals
// and failures by error code.
type drillRecord struct {
	mu      sync.Mutex
	byRoute map[string][]float64
	refused map[string]int
	failed  int
	peakRSS int64 // KiB
}

func (r *drillRecord) add(route string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byRoute[route] = append(r.byRoute[route], ms(d))
}

func (r *drillRecord) fail(code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed++
	r.refused[code]++
}

func (r *drillRecord) answered() int {
	n := 0
	for _, l := range r.byRoute {
		n += len(l)
	}
	return n
}

// percentiles returns route's p50 and p99 in milliseconds.
func (r *drillRecord) percentiles(route string) [2]float64 {
	l := slices.Clone(r.byRoute[route])
	if len(l) == 0 {
		return [2]float64{}
	}
	slices.Sort(l)
	return [2]float64{l[len(l)/2], l[len(l)*99/100]}
}

// runDrill connects every user, lets them ask for drillRun, and waits for
// their last answers.
func runDrill(b *testing.B, url string) *drillRecord {
	rec := &drillRecord{byRoute: map[string][]float64{}, refused: map[string]int{}}
	conns := make([]*websocket.Conn, drillUsers)
	for i := range conns {
		c, _, err := websocket.DefaultDialer.Dial(url+"?session=drill-"+strconv.Itoa(i), nil)
		if err != nil {
			b.Fatalf("dial user %d: %v", i, err)
		}
		defer c.Close()
		if f := readDrillFrame(c); f.Type != "ready" {
			b.Fatalf("user %d: first frame %+v", i, f)
		}
		conns[i] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), drillRun)
	defer cancel()
	var users sync.WaitGroup
	for i, c := range conns {
		users.Go(func() { drillUser(ctx, c, i, rec) })
	}
	done := make(chan struct{})
	go func() { users.Wait(); close(done) }()
	for tick := time.NewTicker(200 * time.Millisecond); ; {
		select {
		case <-done:
			tick.Stop()
			return rec
		case <-tick.C:
			rec.peakRSS = max(rec.peakRSS, vmRSS())
		}
	}
}

// drillUser asks every drillEvery (the first time after a random share of
// it, so users do not ask in step) until ctx ends.
func drillUser(ctx context.Context, c *websocket.Conn, user int, rec *drillRecord) {
	wait := time.Duration(rand.Int64N(int64(drillEvery)))
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		text := drillFAQ
		if (user+n)%2 == 1 {
			text = fmt.Sprintf("model question %d from user %d", n, user)
		}
		start := time.Now()
		f := drillAsk(c, strconv.Itoa(n), text)
		switch f.Type {
		case "done":
			rec.add(f.Route, time.Since(start))
		case "error":
			rec.fail(f.Code)
		default:
			rec.fail("no answer")
			return
		}
		wait = drillEvery - time.Since(start)
	}
}

// drillAsk sends one message and returns its done or error frame, or the
// zero frame when the connection failed.
func drillAsk(c *websocket.Conn, id, text string) frame {
	if err := c.WriteJSON(map[string]string{"type": "message", "id": id, "text": text}); err != nil {
		return frame{}
	}
	for {
		f := readDrillFrame(c)
		if f.Type == "" || f.Type == "error" || (f.Type == "done" && f.ReplyTo == id) {
			return f
		}
	}
}

// readDrillFrame reads one frame, or returns the zero frame when none
// comes within 30 s.
func readDrillFrame(c *websocket.Conn) frame {
	var f frame
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_ = c.ReadJSON(&f)
	return f
}

// raiseFileLimit raises the open files limit to at least n, or skips.
func raiseFileLimit(b *testing.B, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Skip(err)
	}
	if lim.Max < n {
		b.Skipf("open files hard limit %d, need %d", lim.Max, n)
	}
	old := lim
	lim.Cur = max(lim.Cur, n)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
}

// vmRSS returns this process's resident set in KiB, or 0.
func vmRSS() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
