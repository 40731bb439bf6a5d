package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"imbot/core/catalog"
	"imbot/core/kit"
	"imbot/core/metric"
)

// Answer is what an Answerer produced for one turn.
type Answer struct {
	Reply Reply
	// QuestionTokens and ReplyTokens are the token counts of the question
	// and the reply, reported by a provider or estimated.
	QuestionTokens int
	ReplyTokens    int
	// Arm is the experiment arm the answer ran in, "" for none.
	Arm string
}

// Answerer answers one question, streaming text into w with Update. It never
// calls w.Finish: the dispatcher does, with the returned Reply. It must always
// return a reply (a degraded one when nothing else works).
type Answerer interface {
	Answer(ctx context.Context, env Envelope, w ReplyWriter) Answer
}

// ErrStopping is returned by Deliver once shutdown has begun; the adapter must
// not acknowledge the message, so that the platform delivers it again later.
var ErrStopping = errors.New("core: dispatcher is stopping")

// ErrNotRunning is returned by Deliver before Run has started; the adapter
// must not acknowledge the message.
var ErrNotRunning = errors.New("core: dispatcher is not running")

// Dispatcher accepts messages from adapters, deduplicates them durably,
// filters and rate limits them, and runs their turns: one at a time and in
// order per conversation, conversations in parallel up to a bound.
type Dispatcher struct {
	cfg      DispatcherConfig
	inbox    Inbox
	history  History
	answerer Answerer
	coord    Coordinator
	log      *slog.Logger
	now      func() time.Time
	random   func() float64 // in [0, 1): which messages a filling queue sheds
	metrics  dispatcherMetrics
	commands *commandSet
	extra    []Command
	texts    *catalog.Catalog
	picker   *catalog.Picker

	policy  atomic.Pointer[dispatchPolicy]
	denied  *noticeGate // the denied reply, per sender
	notices *noticeGate // the rate-limit notice, per sender
	// resendBackoff spaces the retries of a final reply whose send failed.
	resendBackoff kit.Backoff

	adapters map[Platform]Adapter
	queued   atomic.Int64 // turns reserved: waiting or running, until answered
	life     lifecycle
	beat     heartbeat

	mu    sync.Mutex
	convs map[ConversationKey]*convQueue
	ready chan ConversationKey
}

// convQueue is one conversation's FIFO; live is the answer its running
// turn is asking for, nil when none (see coalesce.go). releasing is set
// while its emptied queue's lease is being given up (next): the releaser
// schedules whatever joins meanwhile.
type convQueue struct {
	items     []Envelope
	live      *attempt
	releasing bool
}

// DispatcherOption configures a Dispatcher.
type DispatcherOption func(*Dispatcher)

// WithLogger sets the dispatcher's logger.
func WithLogger(l *slog.Logger) DispatcherOption {
	return func(d *Dispatcher) { d.log = l }
}

// WithClock sets the clock used for rate limits and timestamps.
func WithClock(now func() time.Time) DispatcherOption {
	return func(d *Dispatcher) { d.now = now }
}

// WithRandom sets the source of the random numbers in [0, 1) that pick
// which new messages a filling queue sheds (default math/rand/v2).
func WithRandom(f func() float64) DispatcherOption {
	return func(d *Dispatcher) { d.random = f }
}

// WithMetrics reports the dispatcher's metrics to reg.
func WithMetrics(reg metric.Meter) DispatcherOption {
	return func(d *Dispatcher) { d.metrics = newDispatcherMetrics(reg, d.cfg.MaxQueued) }
}

// WithCommands adds chat commands to the built-in /help and /reset.
func WithCommands(cmds ...Command) DispatcherOption {
	return func(d *Dispatcher) { d.extra = append(d.extra, cmds...) }
}

// WithCatalog sets the message catalogue of the texts the dispatcher and
// its commands write (refusals, command replies, /help); the default is the
// built-in one.
func WithCatalog(c *catalog.Catalog) DispatcherOption {
	return func(d *Dispatcher) { d.texts = c }
}

// WithPicker sets the Picker that chooses each message's language (see
// Envelope.Lang); the default picks Chinese as the last resort.
func WithPicker(p *catalog.Picker) DispatcherOption {
	return func(d *Dispatcher) { d.picker = p }
}

// NewDispatcher returns a dispatcher; it starts nothing until Run.
func NewDispatcher(cfg DispatcherConfig, inbox Inbox, history History, answerer Answerer, opts ...DispatcherOption) (*Dispatcher, error) {
	if p := cfg.Validate(); len(p) > 0 {
		return nil, fmt.Errorf("core: dispatcher config: %s", strings.Join(p, "; "))
	}
	d := &Dispatcher{
		cfg: cfg, inbox: inbox, history: history, answerer: answerer,
		log:           slog.New(slog.DiscardHandler),
		now:           time.Now,
		random:        rand.Float64,
		denied:        newNoticeGate(cfg.DeniedReplyInterval, maxNoticeSenders),
		notices:       newNoticeGate(noticeWindow, maxNoticeSenders),
		convs:         make(map[ConversationKey]*convQueue),
		resendBackoff: kit.Backoff{Base: time.Second, Max: 20 * time.Second},
	}
	for _, o := range opts {
		o(d)
	}
	if d.coord == nil {
		d.coord = SingleNode{Inbox: inbox}
	}
	if d.texts == nil {
		texts, err := catalog.New(catalog.Config{})
		if err != nil {
			return nil, fmt.Errorf("core: built-in catalogue: %w", err)
		}
		d.texts = texts
	}
	if d.picker == nil {
		d.picker = catalog.NewPicker(catalog.ZH)
	}
	help := func(lang catalog.Lang) string { return d.commands.helpText(d.texts, lang) }
	cmds, err := newCommandSet(append(builtinCommands(history, help), d.extra...))
	if err != nil {
		return nil, err
	}
	d.commands = cmds
	d.policy.Store(newDispatchPolicy(cfg, nil))
	return d, nil
}

// Queued returns the number of turns accepted and not yet answered (for
// tests and diagnostics; the imbot_queued_turns gauge shows it too).
func (d *Dispatcher) Queued() int { return int(d.queued.Load()) }

// Run starts every adapter with Deliver, replays the turns an earlier process
// accepted but did not finish (those the coordinator recovers for this
// replica), and runs turns until ctx ends. Then it stops
// accepting (Deliver returns ErrStopping), lets turns in flight finish and
// deliver their replies within the drain timeout, and only then ends the
// adapters' Run and waits for them, so that a connection-based adapter (the
// web chat) keeps its clients connected until their answers are out. An
// adapter whose Run fails before ctx ends stops the dispatcher the same way,
// and Run returns that error. Among replicas, the leases are kept until the
// turns are done and then given up.
func (d *Dispatcher) Run(ctx context.Context, adapters ...Adapter) error {
	d.adapters = make(map[Platform]Adapter, len(adapters))
	for _, a := range adapters {
		d.adapters[a.Name()] = a
	}
	d.metrics.watchAdapters(adapters)
	pending, err := d.coord.Recover(ctx)
	if err != nil {
		return fmt.Errorf("core: load pending turns: %w", err)
	}
	// ready holds each conversation with queued turns at most once, so this
	// capacity means sends to it never block.
	d.ready = make(chan ConversationKey, d.cfg.MaxQueued+len(pending))
	stopBeat := d.startHeartbeat()
	defer stopBeat()
	d.life.start(ctx)
	defer d.life.cancel()
	for range d.cfg.MaxInFlight {
		d.life.goFunc(func() { d.work(d.life.ctx) })
	}
	stopCoordinating := d.startCoordinating(ctx)
	d.replay(ctx, pending)
	d.life.open()
	err = d.serve(ctx, adapters)
	close(d.ready)
	d.life.wait()
	stopCoordinating()
	d.resign(ctx)
	return err
}

// startCoordinating runs coordinate until the returned function is called;
// that function waits for it to return.
func (d *Dispatcher) startCoordinating(ctx context.Context) (stop func()) {
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.coordinate(context.WithoutCancel(ctx), quit)
	}()
	return func() {
		close(quit)
		<-done
	}
}

// serve runs the adapters until ctx ends or one of them fails; then it stops
// intake, drains the turns, ends the adapters' Run and waits for every
// adapter to return. It returns the first adapter's failure, or nil.
func (d *Dispatcher) serve(ctx context.Context, adapters []Adapter) error {
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	errc := make(chan error, len(adapters))
	var running sync.WaitGroup
	for _, a := range adapters {
		running.Go(func() {
			if err := a.Run(runCtx, d.Deliver); err != nil && runCtx.Err() == nil {
				errc <- fmt.Errorf("%s: %w", a.Name(), err)
			}
		})
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	d.life.stop()
	d.drain()
	cancel()
	running.Wait()
	return err
}

// drain waits for queued turns and refusals being sent to finish, up to the
// drain timeout, then cancels the rest; turns stay pending in the inbox and
// run after a restart.
func (d *Dispatcher) drain() {
	deadline := time.NewTimer(d.cfg.DrainTimeout)
	defer deadline.Stop()
	select {
	case <-d.life.idle:
		return
	case <-deadline.C:
	}
	d.log.Warn("drain timeout: turns left pending for the next start", "queued", d.queued.Load(), "unfinished", d.life.pending())
	d.mu.Lock()
	clear(d.convs) // queued turns stay pending in the inbox
	d.mu.Unlock()
	d.life.cancel()
}

// replay queues turns accepted by an earlier process, or handed to this
// one (take), picking the language of those that have none. A turn for a
// platform no longer enabled is dropped; when that drop fails it stays
// pending for a later start, and the turns after it are replayed anyway.
func (d *Dispatcher) replay(ctx context.Context, pending []Envelope) {
	for _, env := range pending {
		if _, ok := d.adapters[env.Platform]; !ok {
			d.log.Warn("pending turn for a disabled platform dropped", "platform", env.Platform, "msg_id", env.MessageID)
			if err := d.inbox.Drop(ctx, env); err != nil {
				d.log.Error("drop pending turn", "platform", env.Platform, "msg_id", env.MessageID, "err", err)
			}
			continue
		}
		if env.Lang == "" { // not picked yet: read from the store
			env.Lang = d.picker.Pick(env.Sender(), env.Text, env.LangHint)
		}
		d.queued.Add(1)
		d.enqueue(env)
	}
	if len(pending) > 0 {
		d.log.Info("replaying pending turns", "count", len(pending))
	}
}

// Deliver is the DeliverFunc handed to adapters; see DeliverFunc.
func (d *Dispatcher) Deliver(ctx context.Context, env Envelope) error {
	err := d.life.enter()
	defer d.life.leave()
	if err != nil {
		return err
	}
	if err := d.deliverable(env); err != nil {
		return err
	}
	if env.Received.IsZero() {
		env.Received = d.now()
	}
	env.Scope = d.cfg.GroupPolicies[env.Platform].Scope
	log := d.log.With("platform", env.Platform, "chat_id", env.ChatID, "msg_id", env.MessageID)
	if reason := d.ignore(env); reason != "" {
		d.metrics.ignored(env.Platform, reason)
		log.Debug("message ignored", "reason", reason)
		d.deny(env, reason)
		return nil
	}
	env.Lang = d.picker.Pick(env.Sender(), env.Text, env.LangHint)
	if share := d.cfg.shedShare(d.queued.Add(1)); share >= 1 || (share > 0 && d.random() < share) {
		d.unreserve()
		d.shed(ctx, env, log)
		return nil
	}
	accepted, err := d.inbox.Accept(ctx, env)
	if err != nil || !accepted {
		d.unreserve()
		if err != nil {
			return d.notStored(ctx, env, err, log)
		}
		d.metrics.duplicate(env.Platform)
		log.Debug("duplicate dropped")
		return nil
	}
	if !d.policy.Load().limiter.Allow(env.Sender(), d.now()) {
		d.unreserve()
		d.limit(ctx, env, log)
		return nil
	}
	d.metrics.accepted(env.Platform)
	d.handOver(ctx, env, log)
	return nil
}

// unreserve gives back the queue slot Deliver reserved for a message that
// is not queued, and shows the queue's new length.
func (d *Dispatcher) unreserve() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.metrics.setQueued(d.queued.Add(-1))
}

// deliverable returns why a running Deliver cannot take env at all, or nil.
func (d *Dispatcher) deliverable(env Envelope) error {
	if _, ok := d.adapters[env.Platform]; !ok {
		return fmt.Errorf("core: no adapter for platform %q", env.Platform)
	}
	return nil
}

// shed answers busy when the queue is full, or filling and this message
// drew the short straw. A redelivery of a message
// already accepted gets no busy reply on top of its answer (after a restart
// the replay fills the queue just as platforms redeliver). A busy message
// itself is not accepted, so it may come again.
func (d *Dispatcher) shed(ctx context.Context, env Envelope, log *slog.Logger) {
	if d.seen(ctx, env) {
		d.metrics.duplicate(env.Platform)
		log.Debug("duplicate dropped")
		return
	}
	d.metrics.refused(env.Platform, RefusalBusy)
	log.Warn("queue full: answered busy")
	d.refuse(env, RefusalBusy, d.texts.Text(env.Lang, catalog.Busy))
}

// notStored handles a message the inbox failed to accept. When the store
// failed (a full disk, say) it answers the service problem text and lets the
// adapter acknowledge: a redelivery would fail the same way, and "busy" or
// "send it again" would mislead. When the caller gave up (ctx ended) the
// message is left to the platform's redelivery.
func (d *Dispatcher) notStored(ctx context.Context, env Envelope, err error, log *slog.Logger) error {
	if ctx.Err() != nil {
		return fmt.Errorf("core: accept message: %w", err)
	}
	d.metrics.refused(env.Platform, RefusalServiceProblem)
	log.Error("message not stored: answered service problem", "err", err)
	d.refuse(env, RefusalServiceProblem, d.texts.Text(env.Lang, catalog.ServiceProblem))
	return nil
}

// deny tells a sender the allow-list does not admit, when they addressed
// the bot, that they may not use it: at most once per
// denied_reply_interval. No turn runs and no model is asked.
func (d *Dispatcher) deny(env Envelope, reason string) {
	if reason != "not_allowed" || (env.ChatKind == ChatGroup && !d.addressed(env)) {
		return
	}
	if !d.denied.allow(env.Sender(), d.now()) {
		return
	}
	d.refuse(env, RefusalDenied, d.texts.Text(d.picker.Pick(env.Sender(), env.Text, env.LangHint), catalog.Denied))
}

// limit forgets the pending record of an accepted message whose sender is
// over the rate limit (its dedup marks stay) and tells the sender so, once
// per sender per noticeWindow; the other refusals are only counted (and
// marked, by an adapter that can do so without a message: QuietRefuser).
func (d *Dispatcher) limit(ctx context.Context, env Envelope, log *slog.Logger) {
	d.metrics.refused(env.Platform, RefusalRateLimited)
	if err := d.inbox.Drop(context.WithoutCancel(ctx), env); err != nil {
		log.Error("drop refused message", "err", err)
	}
	if !d.notices.allow(env.Sender(), d.now()) {
		d.metrics.noticeDropped(RefusalRateLimited)
		log.Debug("rate limited; notice already sent in this window")
		if q, ok := d.adapters[env.Platform].(QuietRefuser); ok {
			q.RefuseQuietly(env, RefusalRateLimited)
		}
		return
	}
	log.Info("rate limited")
	d.refuse(env, RefusalRateLimited, d.texts.Text(env.Lang, catalog.RateLimited))
}

// SeenInbox is implemented by an Inbox that can tell, recording nothing,
// whether Accept would take an envelope for a duplicate. The dispatcher
// uses it to drop redeliveries it refuses as busy without accepting them.
type SeenInbox interface {
	Seen(ctx context.Context, env Envelope) (bool, error)
}

// seen reports whether env is known to be a duplicate; false when the inbox
// cannot tell.
func (d *Dispatcher) seen(ctx context.Context, env Envelope) bool {
	si, ok := d.inbox.(SeenInbox)
	if !ok {
		return false
	}
	seen, err := si.Seen(ctx, env)
	if err != nil {
		d.log.Warn("duplicate check", "platform", env.Platform, "msg_id", env.MessageID, "err", err)
		return false
	}
	return seen
}

// ignore returns why env gets no answer at all, or "" to answer it.
func (d *Dispatcher) ignore(env Envelope) string {
	switch {
	case strings.TrimSpace(env.Text) == "":
		return "empty"
	case !d.policy.Load().allow.allows(env):
		return "not_allowed"
	case env.ChatKind == ChatGroup && !d.addressed(env):
		return "not_addressed"
	}
	return ""
}

// addressed reports whether a group message is meant for the bot.
func (d *Dispatcher) addressed(env Envelope) bool {
	_, _, _, isCommand := d.commands.parse(env.Text)
	return d.cfg.GroupPolicies[env.Platform].addresses(env, isCommand)
}

// refuse answers env with a refusal from a background goroutine, so that
// Deliver (and the platform's acknowledgement) never waits for the send.
// Shutdown waits for it within the drain timeout, like a turn.
func (d *Dispatcher) refuse(env Envelope, why Refusal, text string) {
	a := d.adapters[env.Platform]
	d.life.begin()
	d.life.goFunc(func() {
		defer d.life.end()
		ctx, cancel := context.WithTimeout(d.life.ctx, d.cfg.TurnTimeout)
		defer cancel()
		w, err := a.Reply(ctx, env)
		if err == nil {
			err = w.Finish(ctx, Reply{Text: text, Route: RouteCommand, Refusal: why})
		}
		if err != nil {
			d.log.Warn("send refusal", "platform", env.Platform, "msg_id", env.MessageID, "err", err)
		}
	})
}

// enqueue appends env to its conversation's FIFO and schedules the
// conversation when it was idle. The caller has reserved a queue slot; the
// turn counts as work until it ends.
func (d *Dispatcher) enqueue(env Envelope) {
	d.life.begin()
	key := env.Conversation()
	d.mu.Lock()
	defer d.mu.Unlock()
	q, ok := d.convs[key]
	if !ok {
		q = &convQueue{}
		d.convs[key] = q
	}
	q.items = append(q.items, env)
	if len(q.items) == 1 && !q.releasing {
		d.ready <- key // cannot block: ready holds at most one key per queued turn
	}
	d.coalesce(q)
	d.metrics.setQueued(d.queued.Load())
}

// work runs turns until the ready channel is closed. A conversation is in
// ready at most once, and only its head turn runs, so its turns stay
// ordered. A turn's record is written after the worker moves on to another
// conversation; the conversation's next turn is scheduled once it is done.
// A turn may answer the messages after the head too (coalesce.go); they
// leave the queue with it.
func (d *Dispatcher) work(ctx context.Context) {
	for key := range d.ready {
		d.mu.Lock()
		q := d.convs[key]
		var b *batch
		if q != nil {
			b = &batch{q: q, envs: q.items[:1:1]}
		}
		d.mu.Unlock()
		if q == nil { // dropped by a drain timeout
			continue
		}
		record := d.runTurn(ctx, b)
		n := len(b.envs)
		d.queued.Add(-int64(n)) // answered: its record no longer holds a queue slot
		if record == nil {
			d.next(key, q, n)
			continue
		}
		d.life.goFunc(func() {
			record()
			d.next(key, q, n)
		})
	}
}

// next ends the head turn of q, the queue of conversation key, with the n
// messages it answered, and schedules the conversation's next turn, if any.
func (d *Dispatcher) next(key ConversationKey, q *convQueue, n int) {
	d.mu.Lock()
	q.items = q.items[n:]
	if len(q.items) == 0 && d.convs[key] == q && d.coord.Lease() > 0 {
		q.releasing = true
		d.mu.Unlock()
		handed := d.release(d.life.ctx, key)
		d.mu.Lock()
		q.releasing = false
		d.queueHanded(q, handed)
	}
	if len(q.items) == 0 {
		if d.convs[key] == q {
			delete(d.convs, key)
		}
	} else if d.convs[key] == q {
		d.ready <- key
	}
	d.metrics.setQueued(d.queued.Load())
	d.mu.Unlock()
	for range n {
		d.life.end()
	}
}

// queueHanded appends to q, whose queue had emptied, the turns handed over
// while its lease was being given up. d.mu is held.
func (d *Dispatcher) queueHanded(q *convQueue, turns []Envelope) {
	for _, t := range turns {
		d.queued.Add(1)
		d.life.begin()
		q.items = append(q.items, t)
	}
}
