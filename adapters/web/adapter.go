// Package web owns the browser chat and the HTTP chat API: the embedded chat
// page (GET /), the WebSocket protocol (GET /ws) and the request/response
// endpoint (POST /api/chat). It turns what clients send into core.Envelopes
// for the dispatcher and streams each reply back to every connection attached
// to the session, and to the /api/chat request waiting for it.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/metric"
)

// Platform is the name of this adapter and the Envelope.Platform of every
// message it delivers.
const Platform core.Platform = "web"

// Defaults of the options.
const (
	defaultMaxInFlight = 4
	defaultQueueFrames = 256
	defaultQueueBytes  = 1 << 20
	shutdownGrace      = 2 * time.Second // for clients to answer the close frame
)

// Compile-time checks of the contracts Adapter implements.
var (
	_ core.Adapter      = (*Adapter)(nil)
	_ core.Mounter      = (*Adapter)(nil)
	_ core.Checker      = (*Adapter)(nil)
	_ core.QuietRefuser = (*Adapter)(nil)
	_ core.LocalReplier = (*Adapter)(nil)
)

// ErrNotRunning is returned by Check before Run starts and after it ends.
var ErrNotRunning = errors.New("web: not running")

// Adapter serves the web chat. Name, Reply, Mount and Check may be called
// from any goroutine; Run is called once. Its HTTP handlers may run before
// Run (they answer 503 busy) and after it (likewise).
type Adapter struct {
	cfg         Config
	history     core.History
	log         *slog.Logger
	now         func() time.Time
	metrics     *webMetrics
	maxInFlight int
	queueFrames int
	queueBytes  int
	frameLimit  int // largest WebSocket frame or /api/chat body, in bytes
	auth        authenticator
	verifier    *verifier // nil: no identity tokens
	limits      clientLimits
	origins     originChecker
	hosts       hostChecker
	upgrader    websocket.Upgrader
	page        page
	hub         *hub
	started     chan struct{}     // closed when Run starts serving
	startWait   time.Duration     // how long a request waits for Run to start
	bodyTimeout time.Duration     // for reading one POST /api/chat body
	stopped     chan struct{}     // closed when Run's context ends
	chats       core.ChatList     // nil: no conversation list
	suggest     Suggestions       // nil: no suggested questions
	texts       *catalog.Catalog  // nil: the built-in texts
	feedback    core.FeedbackFunc // nil: feedback frames are refused

	mu      sync.Mutex
	state   runState
	deliver core.DeliverFunc
	runCtx  context.Context
	wg      sync.WaitGroup // handshakes and connection goroutines

	picker *catalog.Picker // picks the language of errors a user reads
}

type runState uint8

const (
	stateIdle runState = iota
	stateRunning
	stateStopped
)

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithClock sets the clock that stamps envelopes (default: time.Now).
func WithClock(now func() time.Time) Option { return func(a *Adapter) { a.now = now } }

// WithMetrics reports the adapter's metrics to r.
func WithMetrics(r metric.Meter) Option {
	return func(a *Adapter) { a.metrics = newWebMetrics(r) }
}

// WithMaxInFlight caps the messages one WebSocket connection may have waiting
// for a reply (default 4); more get an error frame "busy".
func WithMaxInFlight(n int) Option { return func(a *Adapter) { a.maxInFlight = n } }

// WithBodyTimeout bounds how long a client of POST /api/chat may take to
// send its body (default 10 s).
func WithBodyTimeout(d time.Duration) Option { return func(a *Adapter) { a.bodyTimeout = d } }

// WithSendQueue bounds each connection's send queue (default 256 frames,
// 1 MiB). A client whose queue outgrows either bound is disconnected.
func WithSendQueue(frames, bytes int) Option {
	return func(a *Adapter) { a.queueFrames, a.queueBytes = frames, bytes }
}

// New checks cfg and returns an Adapter that reads resumed sessions from
// history. It starts nothing.
func New(cfg Config, history core.History, opts ...Option) (*Adapter, error) {
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, fmt.Errorf("web: invalid config: %s", strings.Join(problems, "; "))
	}
	if history == nil {
		return nil, errors.New("web: history is nil")
	}
	a := &Adapter{
		cfg:         cfg,
		history:     history,
		log:         slog.Default(),
		now:         time.Now,
		maxInFlight: defaultMaxInFlight,
		queueFrames: defaultQueueFrames,
		queueBytes:  defaultQueueBytes,
		// JSON may escape a control character into six bytes; leave room
		// for that and for the rest of the frame.
		frameLimit:  4*cfg.MaxMessageBytes + 1024,
		auth:        newAuthenticator(cfg.allTokens()),
		origins:     newOriginChecker(cfg.AllowedOrigins),
		limits:      newClientLimits(cfg),
		hub:         newHub(),
		started:     make(chan struct{}),
		startWait:   defaultStartWait,
		bodyTimeout: defaultBodyTimeout,
		stopped:     make(chan struct{}),
	}
	for _, o := range opts {
		o(a)
	}
	if a.maxInFlight <= 0 || a.queueFrames <= 0 || a.queueBytes <= 0 {
		return nil, errors.New("web: in-flight and send queue limits must be positive")
	}
	v, err := newVerifier(cfg, a.now)
	if err != nil {
		return nil, err
	}
	a.verifier = v
	open := a.auth.open() && a.verifier == nil
	a.hosts = newHostChecker(cfg.AllowedHosts, open)
	if a.metrics == nil {
		a.metrics = newWebMetrics(metric.Discard())
	}
	if a.picker == nil {
		a.picker = catalog.NewPicker(catalog.ZH)
	}
	a.metrics.watch(a.hub)
	a.upgrader = newUpgrader(a.upgradeError)
	page, err := newPage(!open, cfg.MaxMessageBytes)
	if err != nil {
		return nil, err
	}
	a.page = page
	a.log = a.log.With("platform", string(Platform))
	return a, nil
}

// Name returns "web".
func (a *Adapter) Name() core.Platform { return Platform }

// Check reports ErrNotRunning unless Run is serving.
func (a *Adapter) Check(context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != stateRunning {
		return ErrNotRunning
	}
	return nil
}

// Run serves messages through deliver until ctx ends. Then it refuses new
// requests, closes every WebSocket with close code 1001 (going away), and
// returns once their goroutines have ended. It may be called once. The
// dispatcher ends ctx only after the turns in flight have drained, so the
// clients get their answers before the connection closes; while it drains,
// deliver refuses new messages and the client is told to send them again.
func (a *Adapter) Run(ctx context.Context, deliver core.DeliverFunc) error {
	if deliver == nil {
		return errors.New("web: run: deliver is nil")
	}
	a.mu.Lock()
	if a.state != stateIdle {
		a.mu.Unlock()
		return errors.New("web: run: already run")
	}
	a.state, a.deliver, a.runCtx = stateRunning, deliver, ctx
	close(a.started)
	a.mu.Unlock()
	a.log.Info("web: serving")

	<-ctx.Done()
	n := a.shutdown()
	a.log.Info("web: stopped", "connections_closed", n)
	return nil
}

// shutdown refuses new work, closes every connection with 1001 and waits
// for the adapter's goroutines: shutdownGrace for clients to answer the close
// frame, then the rest are dropped. It returns how many were connected.
func (a *Adapter) shutdown() int {
	a.mu.Lock()
	a.state, a.deliver = stateStopped, nil
	close(a.stopped)
	a.mu.Unlock()
	conns := a.hub.all()
	for _, c := range conns {
		c.stop(websocketGoingAway)
	}
	done := make(chan struct{})
	go func() {
		a.wg.Wait()
		close(done)
	}()
	grace := time.NewTimer(shutdownGrace)
	defer grace.Stop()
	select {
	case <-done:
	case <-grace.C:
		for _, c := range a.hub.all() {
			_ = c.ws.Close()
		}
		<-done
	}
	return len(conns)
}

// Reply returns a writer that streams the reply to env to whoever listens to
// env's session on this replica when Update and Finish are called. It works
// for envelopes of an earlier process or another replica too; a reply nobody
// listens to here is dropped without an error, so it is not sent again (it
// is in the history).
func (a *Adapter) Reply(_ context.Context, env core.Envelope) (core.ReplyWriter, error) {
	if env.Platform != Platform {
		return nil, fmt.Errorf("web: reply: envelope of platform %q", env.Platform)
	}
	return &replyWriter{hub: a.hub, env: env}, nil
}

// RepliesLocally reports true: replies reach only the WebSockets and the
// /api/chat requests of this replica, so among replicas a message runs on
// the replica that accepted it.
func (a *Adapter) RepliesLocally() bool { return true }

// RefuseQuietly ends the client's wait for env with an error frame (joined
// with other refusals waiting to be written), for a refusal the dispatcher
// sends no notice for: a web client waits for a final frame per message.
func (a *Adapter) RefuseQuietly(env core.Envelope, why core.Refusal) {
	w := &replyWriter{hub: a.hub, env: env}
	_ = w.Finish(context.Background(), core.Reply{Refusal: why})
}

// defaultStartWait bounds how long a request that arrives while the daemon
// is starting waits for Run.
const defaultStartWait = 5 * time.Second

// defaultBodyTimeout bounds reading the body of POST /api/chat.
const defaultBodyTimeout = 10 * time.Second

// awaitRun waits until Run has started (requests may reach the listener a
// moment before the dispatcher starts the adapters), ctx ends, or the start
// wait passes.
func (a *Adapter) awaitRun(ctx context.Context) {
	t := time.NewTimer(a.startWait)
	defer t.Stop()
	select {
	case <-a.started:
	case <-ctx.Done():
	case <-t.C:
	}
}

// deliverer returns the deliver function and Run's context, or a nil
// function when Run is not serving.
func (a *Adapter) deliverer() (core.DeliverFunc, context.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != stateRunning {
		return nil, nil
	}
	return a.deliver, a.runCtx
}

// begin counts one handler that may start connection goroutines, so that
// Run waits for it; it reports false when Run is not serving.
func (a *Adapter) begin() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.state != stateRunning {
		return false
	}
	a.wg.Add(1)
	return true
}

// register attaches c to its session; it reports false when Run is not
// serving or max_connections are attached.
func (a *Adapter) register(c *wsConn) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state == stateRunning && a.hub.attach(c, a.cfg.MaxConnections)
}

// envelope builds the Envelope of a web message of p. One session is one
// direct conversation; its user is the identity token's subject, which
// owns the conversation on every device, or else the session itself.
func (a *Adapter) envelope(session core.ChatID, id core.MessageID, text string, p peer) core.Envelope {
	return core.Envelope{
		LangHint:  p.hint,
		Platform:  Platform,
		ChatID:    session,
		ChatKind:  core.ChatDirect,
		UserID:    p.owner(session),
		UserName:  p.who.name,
		MessageID: id,
		Text:      text,
		Received:  a.now(),
	}
}
