//go:build drills

package drills

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
	"imbot/store/postgres/pgtest"
)

// TestMain stops the PostgreSQL server the replica drills start, if any.
func TestMain(m *testing.M) { pgtest.Main(m) }

// pgDSNEnv names the variable that hands the replicas their database.
const pgDSNEnv = "IMBOT_PG_DSN"

// telegramSecret is the webhook secret token the replicas expect.
const telegramSecret = "drill-webhook-secret"

// cluster is several `imbot serve` replicas sharing one PostgreSQL database,
// each with its own port, config and replica_id.
type cluster struct {
	t        testing.TB
	dsn      string // the shared database
	replicas []setup
	configs  []string
	procs    []*proc // nil while a replica is down
	ran      []*proc // every process started, for their logs
	env      []string
}

// newCluster configures n replicas of the imbot binary bin on the
// database at dsn with the given lease; adapters(i) is replica i's adapters
// and dispatcher TOML. Nothing is started.
func newCluster(t testing.TB, bin, dsn string, n int, model, lease string, adapters func(i int) string, env ...string) *cluster {
	t.Helper()
	c := &cluster{t: t, dsn: dsn, procs: make([]*proc, n), env: append([]string{pgDSNEnv + "=" + dsn}, env...)}
	for i := range n {
		s := setupFor(t, bin, model, adapters(i)+fmt.Sprintf(`
[cluster]
replica_id = "replica%d"
lease = %q
replicas = %d
`, i+1, lease, n))
		s.store = fmt.Sprintf("backend = \"postgres\"\ndsn_env = %q", pgDSNEnv)
		c.replicas = append(c.replicas, s)
		c.configs = append(c.configs, s.config(t, s.dir))
	}
	t.Cleanup(func() {
		for _, p := range c.procs {
			if p != nil {
				p.kill()
			}
		}
	})
	return c
}

// start runs replica i and waits until it is healthy.
func (c *cluster) start(i int) {
	c.procs[i] = start(c.t, c.replicas[i], c.configs[i], c.env...)
	c.ran = append(c.ran, c.procs[i])
}

// startAll starts every replica, one after the other.
func (c *cluster) startAll() {
	for i := range c.replicas {
		c.start(i)
	}
}

// kill ends replica i with SIGKILL.
func (c *cluster) kill(i int) {
	c.procs[i].kill()
	c.procs[i] = nil
}

// pause stops replica i with SIGSTOP for d, then lets it go on with
// SIGCONT.
func (c *cluster) pause(i int, d time.Duration) {
	p := c.procs[i].cmd.Process
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		c.t.Fatal(err)
	}
	time.Sleep(d)
	if err := p.Signal(syscall.SIGCONT); err != nil {
		c.t.Fatal(err)
	}
}

// stopAll sends every running replica SIGTERM and waits for it to drain.
func (c *cluster) stopAll() {
	for i, p := range c.procs {
		if p != nil {
			p.term()
			c.procs[i] = nil
		}
	}
}

// takenOver sums the pending turns the replicas took over from replicas
// that stopped, as their logs say; every replica must be stopped.
func (c *cluster) takenOver() int {
	n := 0
	for _, p := range c.ran {
		for _, m := range takeoverLine.FindAllStringSubmatch(p.log.String(), -1) {
			k, _ := strconv.Atoi(m[1])
			n += k
		}
	}
	return n
}

// logged counts the log lines with message msg of every process started;
// every replica must be stopped.
func (c *cluster) logged(msg string) int {
	n := 0
	for _, p := range c.ran {
		n += strings.Count(p.log.String(), fmt.Sprintf("msg=%q", msg))
	}
	return n
}

// takeoverLine is the dispatcher's log line of a takeover, in text format.
var takeoverLine = regexp.MustCompile(`msg="took over pending turns of a replica that stopped".* count=(\d+)`)

// urls returns every replica's base URL followed by path.
func (c *cluster) urls(path string) []string {
	out := make([]string, len(c.replicas))
	for i, s := range c.replicas {
		out[i] = "http://" + s.listen + path
	}
	return out
}

// history exports the shared database through replica 0's config; every
// replica must be stopped.
func (c *cluster) history(t *testing.T) []exported {
	t.Helper()
	return export(t, c.replicas[0], c.configs[0], c.env...)
}

// telegramWebhookExtra enables Telegram in webhook mode against the fake
// Bot API, with the production send limits off so the drills measure the
// replicas and not the pacing.
func telegramWebhookExtra(api string) string {
	return fmt.Sprintf(`
[adapters.telegram]
enabled = true
mode = "webhook"
token_env = "DRILL_TELEGRAM_TOKEN"
api_url = %q
webhook_url = "https://bot.example.com/telegram/webhook"
webhook_secret_env = "DRILL_TELEGRAM_SECRET"
draft_interval = "0s"
edit_interval = "0s"
global_rate = 0
`, api)
}

// feishuLongConnExtra enables Feishu on its long connection to the fake.
func feishuLongConnExtra(api string) string {
	return fmt.Sprintf(`
[adapters.feishu]
enabled = true
mode = "websocket"
app_id = %q
app_secret_env = "DRILL_FEISHU_SECRET"
base_url = %q
`, feishuApp, api)
}

// drillDispatcher is the dispatcher of the replica drills: one answer per
// message (no burst coalescing), no per-user rate limit.
const drillDispatcher = `
[adapters.web]
enabled = false
[dispatcher]
coalesce = false
rate_per_minute = 0
drain_timeout = "20s"
`

// balancer plays a load balancer in front of the replicas' Telegram
// webhook endpoints, and Telegram behind it: each update is POSTed to the
// replicas in turn and, when a replica refuses it or dies, sent again to
// the next one, until one answers 200.
type balancer struct {
	urls   []string
	client *http.Client
	turn   atomic.Int64
	// retries counts the updates sent again after a refusal or a failure.
	retries atomic.Int64
}

func newBalancer(urls []string) *balancer {
	return &balancer{urls: urls, client: &http.Client{Timeout: 10 * time.Second}}
}

// deliver posts the update until a replica accepts it or ctx ends, pausing
// after every replica has failed it once in a row.
func (b *balancer) deliver(ctx context.Context, update []byte) error {
	for failed := 0; ; failed++ {
		if failed > 0 {
			b.retries.Add(1)
		}
		if failed > 0 && failed%len(b.urls) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
		if b.post(ctx, b.urls[int(b.turn.Add(1))%len(b.urls)], update) {
			return nil
		}
	}
}

// post sends one update to one replica and reports whether it answered 200.
func (b *balancer) post(ctx context.Context, url string, update []byte) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(update))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", telegramSecret)
	resp, err := b.client.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// telegramUpdates makes one message update per marker from user, with ids
// from next on.
func telegramUpdates(tg *telegramtest.Server, user models.User, markers []string, next *atomic.Int64) [][]byte {
	out := make([][]byte, len(markers))
	for i, mk := range markers {
		u := models.Update{ID: next.Add(1), Message: tg.NewMessage(telegramtest.PrivateChat(user), user, mk)}
		b, err := json.Marshal(u)
		if err != nil {
			panic("drills: marshal update: " + err.Error()) // models.Update always marshals
		}
		out[i] = b
	}
	return out
}

// pollWatch stands between each replica and the fake Bot API and records
// who long-polls: the getUpdates calls in flight per replica, the most
// replicas ever polling at once, and the calls each replica made.
type pollWatch struct {
	mu         sync.Mutex
	inFlight   []int
	calls      []int
	maxPollers int
}

// newPollWatch starts one proxy per replica in front of the Bot API at
// upstream and returns their URLs.
func newPollWatch(t testing.TB, upstream string, n int) (*pollWatch, []string) {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	w := &pollWatch{inFlight: make([]int, n), calls: make([]int, n)}
	urls := make([]string, n)
	for i := range n {
		proxy := httputil.NewSingleHostReverseProxy(target)
		proxy.ErrorLog = log.New(io.Discard, "", 0) // a killed replica's poll ends in an error, as planned
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/getUpdates") {
				w.begin(i)
				defer w.end(i)
			}
			proxy.ServeHTTP(rw, r)
		}))
		t.Cleanup(srv.Close)
		urls[i] = srv.URL
	}
	return w, urls
}

func (w *pollWatch) begin(i int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight[i]++
	w.calls[i]++
	pollers := 0
	for _, n := range w.inFlight {
		if n > 0 {
			pollers++
		}
	}
	w.maxPollers = max(w.maxPollers, pollers)
}

func (w *pollWatch) end(i int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.inFlight[i]--
}

// poller returns the replica with a getUpdates call in flight, or -1.
func (w *pollWatch) poller() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, n := range w.inFlight {
		if n > 0 {
			return i
		}
	}
	return -1
}

// report returns the getUpdates calls per replica and the most replicas
// seen polling at once.
func (w *pollWatch) report() (calls []int, maxPollers int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.calls...), w.maxPollers
}
