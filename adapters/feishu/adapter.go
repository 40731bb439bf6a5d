// Package feishu connects Feishu/Lark to the core: it receives message events
// over the long connection (WebSocket) or a verified, encrypted webhook, turns
// them into core.Envelopes, and streams replies back as CardKit cards (falling
// back to PATCHed cards, then plain text), within Feishu's size and rate limits.
package feishu

import (
	"imbot/core/kit"

	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/metric"
)

// Adapter is the Feishu/Lark platform adapter. Name, Reply, Mount and Check
// may be called from any goroutine; Run is called once.
type Adapter struct {
	cfg         Config
	log         *slog.Logger
	hc          *http.Client
	bodyTimeout time.Duration // for reading one webhook body
	now         func() time.Time
	metrics     *metrics
	api         *client
	in          inbound
	render      atomic.Uint32   // the best renderKind not yet refused by Feishu
	picker      *catalog.Picker // picks the text-only notice's language
	secrets     atomic.Pointer[webhookSecrets]
	// started is when the adapter was built: a message received before it
	// may have a reply posted by an earlier process.
	started time.Time

	deliver   atomic.Pointer[core.DeliverFunc] // set by Run
	connected atomic.Bool                      // long connection is up
	notices   chan core.Envelope               // "text only" replies, sent by Run
	order     *chatOrder                       // long-connection events, per chat in order

	botMu sync.Mutex // guards botID; held while fetching it
	botID string

	refs     core.ReplyRefs    // nil: replies are not kept with their turns
	index    core.ReplyIndex   // nil: replies to the bot are not recognised
	texts    *catalog.Catalog  // nil: the built-in texts
	feedback core.FeedbackFunc // nil: no vote buttons
}

var (
	_ core.Adapter = (*Adapter)(nil)
	_ core.Mounter = (*Adapter)(nil)
	_ core.Checker = (*Adapter)(nil)
)

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithHTTPClient sets the HTTP client for the Feishu API and the long
// connection's endpoint lookup (default: a 30 s timeout and 64 idle
// connections per host).
func WithHTTPClient(c *http.Client) Option { return func(a *Adapter) { a.hc = c } }

// WithMetrics reports the adapter's metrics to r (default: none).
func WithMetrics(r metric.Meter) Option {
	return func(a *Adapter) { a.metrics = newMetrics(r) }
}

// WithBodyTimeout bounds how long a webhook client may take to send a
// request's body (default 10 s).
func WithBodyTimeout(d time.Duration) Option { return func(a *Adapter) { a.bodyTimeout = d } }

// WithClock sets the clock used for stale checks, webhook timestamps,
// throttling and token expiry (default time.Now).
func WithClock(now func() time.Time) Option { return func(a *Adapter) { a.now = now } }

// WithTexts sets the message catalogue and the language picker of the
// text-only notice (default: the built-in texts, Chinese as the last
// resort).
func WithTexts(c *catalog.Catalog, p *catalog.Picker) Option {
	return func(a *Adapter) { a.texts, a.picker = c, p }
}

const noticeQueue = 64

// defaultBodyTimeout bounds reading one webhook request's body.
const defaultBodyTimeout = 10 * time.Second

// defaultHTTPClient keeps enough idle connections for many cards streaming
// at once (the standard transport keeps 2 per host).
func defaultHTTPClient() *http.Client {
	return &http.Client{Transport: kit.PooledTransport(64), Timeout: 30 * time.Second}
}

// New checks cfg and builds an adapter. It starts nothing.
func New(cfg Config, opts ...Option) (*Adapter, error) {
	if problems := cfg.Validate(); len(problems) > 0 {
		return nil, fmt.Errorf("feishu: invalid config: %s", strings.Join(problems, "; "))
	}
	a := &Adapter{
		cfg:         cfg,
		log:         slog.Default(),
		hc:          defaultHTTPClient(),
		bodyTimeout: defaultBodyTimeout,
		now:         time.Now,
		notices:     make(chan core.Envelope, noticeQueue),
		order:       newChatOrder(orderSettle),
		in:          inbound{inThread: cfg.ReplyInThread, stale: cfg.StaleWindow},
	}
	for _, o := range opts {
		o(a)
	}
	if a.metrics == nil {
		a.metrics = newMetrics(metric.Discard())
	}
	if a.picker == nil {
		a.picker = catalog.NewPicker(catalog.ZH)
	}
	a.log = a.log.With("platform", string(Platform))
	a.started = a.now()
	a.api = newClient(cfg, a.hc, a.now, a.log, a.metrics)
	a.SetWebhookSecrets(cfg.VerificationToken, cfg.EncryptKey)
	return a, nil
}

// webhookSecrets are what webhook requests are checked against.
type webhookSecrets struct {
	verificationToken, encryptKey string
}

// SetWebhookSecrets replaces the verification token and encrypt key that
// webhook requests are checked against, from the next request on. Both are
// only compared with what Feishu sends, so nothing reconnects. It is safe
// to call while requests are handled; the caller checks the values first,
// as New does.
func (a *Adapter) SetWebhookSecrets(verificationToken, encryptKey string) {
	a.secrets.Store(&webhookSecrets{verificationToken: verificationToken, encryptKey: encryptKey})
}

// Name returns "feishu".
func (a *Adapter) Name() core.Platform { return Platform }

// Run learns the bot's identity, then receives events until ctx ends: over the
// long connection in websocket mode, or through the mounted handler in
// webhook mode. It returns nil after ctx ends and its goroutines stopped.
func (a *Adapter) Run(ctx context.Context, deliver core.DeliverFunc) error {
	a.deliver.Store(&deliver)
	defer a.deliver.Store(nil)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { a.sendNotices(ctx) })
	if _, err := a.botOpenID(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		a.log.Warn("feishu bot info unavailable; will retry on the first event", "err", err)
	}
	if a.cfg.Mode == ModeWebSocket {
		a.runLongConnection(ctx)
		return nil
	}
	<-ctx.Done()
	return nil
}

// Check reports whether the adapter can receive: the long connection is up
// (websocket mode) or the bot's identity is known (webhook mode).
func (a *Adapter) Check(context.Context) error {
	if a.cfg.Mode == ModeWebSocket && !a.connected.Load() {
		return errors.New("feishu: long connection is down")
	}
	a.botMu.Lock()
	defer a.botMu.Unlock()
	if a.botID == "" {
		return errors.New("feishu: bot identity unknown")
	}
	return nil
}

// botOpenID returns the bot's open_id, asking Feishu once.
func (a *Adapter) botOpenID(ctx context.Context) (string, error) {
	a.botMu.Lock()
	defer a.botMu.Unlock()
	if a.botID != "" {
		return a.botID, nil
	}
	id, err := a.api.botOpenID(ctx)
	if err != nil {
		return "", err
	}
	a.botID = id
	a.log.Info("feishu bot identity", "bot_open_id", id)
	return id, nil
}

var errNotRunning = errors.New("feishu: adapter is not running")

// accept turns one verified event into an envelope and delivers it. A nil
// error means the event may be acknowledged: delivered, or deliberately
// dropped. Both event modes end here.
func (a *Adapter) accept(ctx context.Context, e event) error {
	deliver := a.deliver.Load()
	if deliver == nil {
		return errNotRunning
	}
	botID, err := a.botOpenID(ctx)
	if err != nil {
		return err
	}
	e.repliesToBot = a.repliesToBot(ctx, e)
	env, v := a.in.envelope(e, botID, a.now())
	log := a.log.With("chat_id", string(env.ChatID), "msg_id", string(env.MessageID))
	switch v {
	case verdictDeliver:
		if err := (*deliver)(ctx, env); err != nil {
			a.metrics.events.With("failed").Inc()
			return fmt.Errorf("feishu: deliver: %w", err)
		}
		log.Debug("feishu message delivered", "text", env.Text)
	case verdictStale:
		log.Info("feishu message dropped: older than the stale window", "stale_window", a.cfg.StaleWindow.String())
	case verdictUnsupported:
		select {
		case a.notices <- env:
		default:
			log.Warn("feishu text-only notice dropped: queue full")
		}
	default:
		log.Debug("feishu message dropped", "reason", v.String())
	}
	a.metrics.events.With(v.String()).Inc()
	return nil
}

// sendNotices tells senders of unreadable messages that the bot reads text
// only, until ctx ends. The reply's uuid makes redeliveries harmless.
func (a *Adapter) sendNotices(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case env := <-a.notices:
			text := a.texts.Text(a.picker.Pick(env.Sender(), "", env.LangHint), catalog.TextOnly)
			m := outMessage{MsgType: "text", Content: textContent(text), UUID: replyUUID(env.MessageID, "notice", 0)}
			if _, err := a.api.reply(ctx, string(env.MessageID), m, a.cfg.ReplyInThread); err != nil {
				a.log.Warn("feishu text-only notice failed", "chat_id", string(env.ChatID), "msg_id", string(env.MessageID), "err", err)
			}
		}
	}
}
