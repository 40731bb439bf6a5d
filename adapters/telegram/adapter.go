// Package telegram connects Telegram to the dispatcher: it receives updates
// by long polling or webhook, turns messages into envelopes without losing
// or doubling any, and streams replies back as drafts (private chats) or
// edits (groups), rendered as Telegram HTML and split to Telegram's limits.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/kit"
	"imbot/core/metric"
)

// Platform is the name the adapter delivers under.
const Platform core.Platform = "telegram"

// offsetCursor is the cursor under which the last delivered update id is
// saved.
const offsetCursor = "telegram.offset"

var (
	_ core.Adapter = (*Adapter)(nil)
	_ core.Typer   = (*Adapter)(nil)
	_ core.Checker = (*Adapter)(nil)
	_ core.Mounter = (*Adapter)(nil)
)

// Adapter is the Telegram adapter. Name, Reply, Typing, Check and Mount may
// be called from any goroutine at any time; Run is called once.
type Adapter struct {
	cfg     Config
	cursors core.Cursors
	log     *slog.Logger
	http    *http.Client
	now     func() time.Time
	// bodyTimeout bounds reading one webhook request's body.
	bodyTimeout time.Duration
	reg         metric.Meter
	texts       *catalog.Catalog
	picker      *catalog.Picker
	refs        core.ReplyRefs    // nil: reply messages are not kept with their turns
	feedback    core.FeedbackFunc // nil: no vote buttons
	leader      core.Leadership   // nil: this replica always polls

	bot    *bot.Bot
	m      *metrics
	global *limiter
	pace   *pacer
	seen   *seenSet
	chats  chatLocks

	self    atomic.Pointer[identity]
	deliver atomic.Pointer[core.DeliverFunc] // webhook mode, while Run runs
	ready   atomic.Bool

	typingMu      sync.Mutex
	typingStopped bool
	typingStop    chan struct{}  // closed when Run returns
	bg            sync.WaitGroup // typing indicators
}

// identity is who the bot is, learned from getMe.
type identity struct {
	id       int64
	username string
}

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger; the adapter tags it with platform=telegram.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithClock sets the clock of the adapter's pacing (default time.Now).
func WithClock(now func() time.Time) Option { return func(a *Adapter) { a.now = now } }

// WithMetrics reports the adapter's metrics to reg.
func WithMetrics(reg metric.Meter) Option { return func(a *Adapter) { a.reg = reg } }

// WithBodyTimeout bounds how long a webhook client may take to send a
// request's body (default 10 s).
func WithBodyTimeout(d time.Duration) Option { return func(a *Adapter) { a.bodyTimeout = d } }

// WithTexts sets the message catalogue and the language picker of the
// texts the adapter writes itself (the text-only notice, the command menu);
// the default is the built-in catalogue with Chinese as the last resort.
func WithTexts(c *catalog.Catalog, p *catalog.Picker) Option {
	return func(a *Adapter) { a.texts, a.picker = c, p }
}

// WithLeadership makes the adapter, in polling mode, poll only while this
// replica holds the poll lease of l, so that one replica among several
// polls at a time and another takes over when it dies. Webhook mode is not
// affected: every replica serves the webhook.
func WithLeadership(l core.Leadership) Option { return func(a *Adapter) { a.leader = l } }

// defaultBodyTimeout bounds reading one webhook request's body.
const defaultBodyTimeout = 10 * time.Second

// New checks cfg and returns an adapter; it starts nothing. cursors keeps
// the polling offset and may be nil in webhook mode.
func New(cfg Config, cursors core.Cursors, opts ...Option) (*Adapter, error) {
	cfg.Enabled = true
	if p := cfg.Validate(); len(p) > 0 {
		return nil, fmt.Errorf("telegram: config: %s", strings.Join(p, "; "))
	}
	if cursors == nil && cfg.Mode == ModePolling {
		return nil, errors.New("telegram: polling mode needs a cursor store")
	}
	a := &Adapter{cfg: cfg, cursors: cursors, log: slog.New(slog.DiscardHandler), http: defaultHTTPClient(), now: time.Now,
		bodyTimeout: defaultBodyTimeout, typingStop: make(chan struct{})}
	for _, o := range opts {
		o(a)
	}
	if a.reg == nil {
		a.reg = metric.Discard()
	}
	if a.picker == nil {
		a.picker = catalog.NewPicker(catalog.ZH)
	}
	a.log = a.log.With("platform", string(Platform))
	a.m = newMetrics(a.reg)
	a.global = newLimiter(cfg.GlobalRate, a.now)
	a.pace = newPacer(a.now)
	a.seen = newSeenSet(seenCapacity)
	b, err := bot.New(cfg.Token, bot.WithSkipGetMe(), bot.WithServerURL(strings.TrimRight(cfg.APIURL, "/")),
		bot.WithHTTPClient(cfg.PollTimeout, a.http),
		bot.WithErrorsHandler(func(err error) { a.log.Debug("bot library", "err", a.redact(err)) }))
	if err != nil {
		return nil, fmt.Errorf("telegram: %w", a.redact(err))
	}
	a.bot = b
	return a, nil
}

// Name returns "telegram".
func (a *Adapter) Name() core.Platform { return Platform }

// Run learns the bot's identity, registers the command menu and then
// receives updates (long polling or webhook, per the config) and delivers
// them until ctx ends. It returns nil when ctx ends, or an error Telegram
// will not get over by retrying (a revoked token).
func (a *Adapter) Run(ctx context.Context, deliver core.DeliverFunc) error {
	defer a.stopTyping()
	defer a.ready.Store(false)
	if err := a.start(ctx); err != nil {
		return err
	}
	if a.cfg.Mode == ModeWebhook {
		return a.runWebhook(ctx, deliver)
	}
	return a.pollWhileLeading(ctx, deliver)
}

// start learns the bot's identity, retrying until it succeeds, and sets
// the command menu.
func (a *Adapter) start(ctx context.Context) error {
	err := a.retry(ctx, "getMe", func(ctx context.Context) error {
		me, err := a.bot.GetMe(ctx)
		if err == nil {
			a.self.Store(&identity{id: me.ID, username: me.Username})
			a.log.Info("connected", "bot", me.Username)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, code := range []string{"", string(catalog.ZH), string(catalog.EN)} {
		lang := catalog.Lang(code)
		if code == "" {
			lang = a.picker.Default()
		}
		params := &bot.SetMyCommandsParams{Commands: a.menu(lang), LanguageCode: code}
		if err := a.callOnce(ctx, "setMyCommands", func(ctx context.Context) error {
			_, err := a.bot.SetMyCommands(ctx, params)
			return err
		}); err != nil && ctx.Err() == nil {
			a.log.Warn("set command menu", "language", code, "err", err)
		}
	}
	return nil
}

// menu is the command menu in lang.
func (a *Adapter) menu(lang catalog.Lang) []models.BotCommand {
	return []models.BotCommand{
		{Command: "ask", Description: a.texts.Text(lang, catalog.MenuAsk)},
		{Command: "help", Description: a.texts.Text(lang, catalog.HelpHelp)},
		{Command: "reset", Description: a.texts.Text(lang, catalog.HelpReset)},
	}
}

// retry runs a setup call until it succeeds, ctx ends, or Telegram refuses
// the token. It honours 429 retry_after and backs off on other errors.
func (a *Adapter) retry(ctx context.Context, method string, call func(context.Context) error) error {
	var b backoff
	for {
		err := a.callOnce(ctx, method, call)
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, bot.ErrorUnauthorized):
			return err
		}
		a.log.Warn("bot api call failed; retrying", "method", method, "err", err)
		if kit.Sleep(ctx, b.next(err)) != nil {
			return nil
		}
	}
}

// callOnce runs one Bot API call with the request timeout, counts it and
// returns its error prefixed and with the token redacted.
func (a *Adapter) callOnce(ctx context.Context, method string, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	start := time.Now()
	err := call(ctx)
	outcome := "ok"
	if _, limited := retryAfter(err); limited {
		outcome = "rate_limited"
	} else if err != nil {
		outcome = "error"
	}
	a.m.call(method, outcome, time.Since(start))
	if err != nil {
		return a.redact(fmt.Errorf("telegram: %s: %w", method, err))
	}
	return nil
}

// Check reports whether the adapter is connected: the bot's identity is
// known and long polling is running (a poll waiting for updates counts)
// without failing, or the webhook is registered.
func (a *Adapter) Check(context.Context) error {
	if !a.ready.Load() {
		return errors.New("telegram: not connected")
	}
	return nil
}

// Mount serves the webhook at webhook_path in webhook mode; in polling mode
// it mounts nothing.
func (a *Adapter) Mount(mux *http.ServeMux) {
	if a.cfg.Mode == ModeWebhook {
		mux.Handle(a.cfg.WebhookPath, http.HandlerFunc(a.serveWebhook))
	}
}

// backoff is capped exponential backoff from 100 ms to 30 s, with equal
// jitter, that a 429 answer overrides with its retry_after. The zero value
// is ready to use.
type backoff struct{ attempt int }

func (b *backoff) next(err error) time.Duration {
	if d, ok := retryAfter(err); ok {
		b.attempt = 0
		return d
	}
	d := kit.Backoff{Base: 100 * time.Millisecond, Max: 30 * time.Second}.Equal(b.attempt)
	b.attempt++
	return d
}

func (b *backoff) reset() { b.attempt = 0 }
