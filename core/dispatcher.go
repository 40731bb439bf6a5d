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
	claims   claimLocks // orders the claims of each conversation's turns

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
// turns are done and then given up. When another process takes this
// replica's id over, Run stops the same way but cuts the turns in flight off
// at once instead of draining them (that process runs them now, and both
// would answer), and returns an error matching ErrReplicaIDInUse.
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
	d.replay(ctx, pending)
	d.life.open()
	// Only now: before the dispatcher is open, admit claims nothing, and a
	// handover signalled meanwhile would wait for a renewal.
	stopCoordinating, lost := d.startCoordinating(ctx)
	err = d.serve(ctx, adapters, lost)
	close(d.ready)
	d.life.wait()
	stopCoordinating()
	d.resign(ctx)
	return err
}

// startCoordinating runs coordinate until the returned function is called;
// that function waits for it to return. lost receives the error of a
// renewal that found this replica's id taken over.
func (d *Dispatcher) startCoordinating(ctx context.Context) (stop func(), lost <-chan error) {
	quit := make(chan struct{})
	done := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		defer close(done)
		d.coordinate(context.WithoutCancel(ctx), quit, errc)
	}()
	return func() {
		close(quit)
		<-done
	}, errc
}

// serve runs the adapters until ctx ends, one of them fails or lost tells
// that this replica's id was taken over; then it stops intake, drains the
// turns (cuts them off at once when the id was lost), ends the adapters'
// Run and waits for every adapter to return. It returns the first
// adapter's failure, the lost id's error, or nil.
func (d *Dispatcher) serve(ctx context.Context, adapters []Adapter, lost <-chan error) error {
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
	case err = <-lost:
	}
	d.life.stop()
	if errors.Is(err, ErrReplicaIDInUse) {
		d.cutOff()
	} else {
		d.drain()
	}
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
	d.cutOff()
}

// cutOff cancels the turns in flight and forgets the queued ones; all stay
// pending in the inbox.
func (d *Dispatcher) cutOff() {
	d.mu.Lock()
	clear(d.convs)
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
