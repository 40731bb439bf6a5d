package core

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"imbot/core/catalog"
)

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
