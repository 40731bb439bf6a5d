package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"imbot/core/catalog"
)

// runTurn answers the message at the head of b's queue: a command or a
// question for the answerer, with the follow-ups coalesced into it
// (coalesce.go). It sends the reply and returns what is left to do once the
// worker is free for another conversation: recording the turn (nil when
// nothing is left). The conversation's next turn waits for that record, so
// it reads this turn's history. A crash between the send and the record
// leaves the turn pending: the replay answers it again (see complete).
// A turn cut off by a shutdown past the drain timeout (base ends) before
// its reply was sent stays pending and runs again after the restart.
//
// A panic in the turn (the answerer or the adapter) is logged and the turn
// dropped: left pending, the message would crash every later start in its
// replay and silence the bot for everyone.
func (d *Dispatcher) runTurn(base context.Context, b *batch) (record func()) {
	env := b.head()
	log := d.log.With("platform", env.Platform, "chat_id", env.ChatID, "msg_id", env.MessageID)
	defer func() {
		if r := recover(); r != nil {
			log.Error("turn panicked; message dropped", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			d.dropAll(base, b.envs)
			record = nil
		}
	}()
	ctx, cancel := context.WithTimeout(base, d.cfg.TurnTimeout)
	defer cancel()
	if kept, ok := d.keptAnswer(ctx, env, log); ok {
		for _, f := range kept.Turn.Followups {
			b.envs = append(b.envs, f.Envelope)
		}
		return d.finishKept(base, ctx, b.envs, kept, log)
	}
	start := d.now()
	a := d.adapters[env.Platform]
	w, err := a.Reply(ctx, env)
	if err != nil {
		if base.Err() != nil {
			log.Warn("shutdown interrupted the turn; it stays pending for the next start", "err", err)
			return nil
		}
		log.Error("open reply; message dropped", "err", err)
		d.drop(ctx, env)
		return nil
	}
	if t, ok := a.(Typer); ok {
		typingCtx, stopTyping := context.WithCancel(ctx)
		defer stopTyping()
		t.Typing(typingCtx, env)
	}
	actx, release := answerContext(ctx, w)
	ans, question, isCommand := d.answer(actx, b, w)
	release()
	if base.Err() != nil {
		log.Warn("shutdown interrupted the turn; it stays pending for the next start")
		return nil
	}
	// A refused question (a sensitive word) is kept out of the history, so
	// that no later prompt carries it to a model.
	inHistory := !isCommand && ans.Reply.Refusal == ""
	fctx, cancelFinish := d.finishContext(base, ctx)
	defer cancelFinish()
	merge(w, b.envs)
	sendErr := w.Finish(fctx, ans.Reply)
	if sendErr != nil && base.Err() != nil {
		log.Warn("shutdown interrupted the reply; the turn stays pending for the next start", "err", sendErr)
		return nil
	}
	latency := d.now().Sub(start)
	d.metrics.turn(env.Platform, ans.Reply.Route, latency)
	log.Info("turn done", "route", ans.Reply.Route, "provider", ans.Reply.Provider, "latency_ms", latency.Milliseconds())
	if !inHistory {
		return func() { d.dropAll(base, b.envs) }
	}
	turn := d.turnOf(b, question, ans, latency)
	return func() {
		d.complete(base, turn, true, log)
		if sendErr != nil {
			d.resendLater(w, ans.Reply, sendErr, log)
		}
	}
}

// turnOf builds the history record of an answered turn. The question's
// token count is kept only when the turn answered one message.
func (d *Dispatcher) turnOf(b *batch, question string, ans Answer, latency time.Duration) Turn {
	env := b.head()
	if len(b.envs) > 1 {
		ans.QuestionTokens = 0
	}
	return Turn{
		Envelope:  env,
		Followups: followups(b.envs),
		Arm:       ans.Arm,
		User:      Message{Role: RoleUser, Text: question, At: env.Received, Tokens: ans.QuestionTokens},
		Reply: Message{Role: RoleAssistant, Text: ans.Reply.Text, At: d.now(), Route: ans.Reply.Route,
			Provider: ans.Reply.Provider, Model: ans.Reply.Model, Tokens: ans.ReplyTokens, LatencyMS: latency.Milliseconds()},
	}
}

// complete records an answered turn. When that write fails (a full disk) the
// turn stays pending, and its answer is kept on the pending record with
// whether it was sent, so that the replay after a restart neither asks the
// model again nor sends a reply the user already has. The answer is not
// kept before the send: that would cost every turn a durable write the
// user waits for (docs/store.md, "History keeps one copy"). A turn another
// replica took over (ErrTurnTakenOver) is that replica's to record: its
// answer is not kept, nor is the record tried again.
func (d *Dispatcher) complete(ctx context.Context, turn Turn, sent bool, log *slog.Logger) {
	err := d.history.Complete(context.WithoutCancel(ctx), turn)
	if err == nil || takenOver(err, log) {
		return
	}
	log.Error("record turn; it stays pending with its answer", "err", err)
	d.keep(ctx, turn, sent, log)
}

// keep saves turn's answer on its pending record when the inbox can.
func (d *Dispatcher) keep(ctx context.Context, turn Turn, sent bool, log *slog.Logger) {
	k, ok := d.inbox.(AnswerKeeper)
	if !ok {
		return
	}
	if err := k.KeepAnswer(context.WithoutCancel(ctx), turn, sent); err != nil && !takenOver(err, log) {
		log.Error("keep answer", "sent", sent, "err", err)
	}
}

// takenOver reports whether err says that another replica took the turn
// over, and logs that as expected: a pause here outlasted the lease.
func takenOver(err error, log *slog.Logger) bool {
	if !errors.Is(err, ErrTurnTakenOver) {
		return false
	}
	log.Warn("turn taken over by another replica; it records it", "err", err)
	return true
}

// keptAnswer returns the answer an earlier run kept for env, if any.
func (d *Dispatcher) keptAnswer(ctx context.Context, env Envelope, log *slog.Logger) (KeptAnswer, bool) {
	k, ok := d.inbox.(AnswerKeeper)
	if !ok {
		return KeptAnswer{}, false
	}
	kept, ok, err := k.KeptAnswer(ctx, env)
	if err != nil {
		log.Warn("read kept answer; answering anew", "err", err)
	}
	return kept, ok
}

// finishKept finishes a turn whose answer an earlier run kept: it sends
// the kept reply only when it was not sent, never asks the answerer, and
// returns the recording of the turn. A shutdown interrupting the send
// leaves the turn pending. envs are the turn's messages, the kept turn's
// follow-ups included.
func (d *Dispatcher) finishKept(base, ctx context.Context, envs []Envelope, kept KeptAnswer, log *slog.Logger) func() {
	log.Info("finishing a turn answered by an earlier run", "sent", kept.Sent)
	if !kept.Sent {
		err := d.sendKept(base, ctx, envs, kept.Turn.Reply)
		if err != nil && base.Err() != nil {
			log.Warn("shutdown interrupted the reply; the turn stays pending for the next start", "err", err)
			return nil
		}
		if err != nil {
			log.Error("send kept reply", "err", err)
		}
	}
	return func() { d.complete(base, kept.Turn, true, log) }
}

// sendKept sends a kept reply as the final reply to envs[0] (and its
// follow-ups).
func (d *Dispatcher) sendKept(base, ctx context.Context, envs []Envelope, m Message) error {
	w, err := d.adapters[envs[0].Platform].Reply(ctx, envs[0])
	if err != nil {
		return err
	}
	fctx, cancel := d.finishContext(base, ctx)
	defer cancel()
	merge(w, envs)
	return w.Finish(fctx, Reply{Text: m.Text, Route: m.Route, Provider: m.Provider, Model: m.Model})
}

// finishGrace is the least time the final reply gets to reach the
// platform, however much of the turn timeout the answer used.
const finishGrace = 30 * time.Second

// finishContext returns the context for a turn's Finish: the rest of the
// turn's time, but at least finishGrace (or the turn timeout, when that is
// shorter), so that an answer produced as the turn timed out (a degraded or
// interrupted reply) is still sent instead of failing on a dead context.
// A shutdown past the drain timeout still cancels it.
func (d *Dispatcher) finishContext(base, turn context.Context) (context.Context, context.CancelFunc) {
	least := time.Now().Add(min(finishGrace, d.cfg.TurnTimeout))
	deadline, ok := turn.Deadline()
	if !ok || deadline.Before(least) {
		deadline = least
	}
	return context.WithDeadline(base, deadline)
}

// answer runs a command or asks the answerer. question is the text asked
// (without "/ask"); isCommand reports a command turn, which is not recorded
// in history.
func (d *Dispatcher) answer(ctx context.Context, b *batch, w ReplyWriter) (ans Answer, question string, isCommand bool) {
	env := b.head()
	cmd, args, ask, ok := d.commands.parse(env.Text)
	switch {
	case ok && ask && args == "":
		return Answer{Reply: Reply{Text: d.texts.Text(env.Lang, catalog.AskUsage), Route: RouteCommand}}, "", true
	case ok && ask:
		env.Text = args
		return d.answerer.Answer(ctx, env, w), env.Text, false
	case ok:
		text, err := cmd.Run(ctx, CommandRequest{Envelope: env, Args: args, Texts: d.texts})
		if err != nil {
			d.log.Error("command failed", "command", cmd.Name, "err", err)
			text = d.texts.Text(env.Lang, catalog.CommandFailed, "command", cmd.Name)
		}
		return Answer{Reply: Reply{Text: text, Route: RouteCommand}}, "", true
	}
	return d.ask(ctx, b, w), env.Text, false
}

// dropAll forgets the pending turns of envs.
func (d *Dispatcher) dropAll(ctx context.Context, envs []Envelope) {
	for _, e := range envs {
		d.drop(ctx, e)
	}
}

// drop forgets a pending turn that will get no history record.
func (d *Dispatcher) drop(ctx context.Context, env Envelope) {
	if err := d.inbox.Drop(context.WithoutCancel(ctx), env); err != nil {
		d.log.Error("drop pending turn", "platform", env.Platform, "msg_id", env.MessageID, "err", err)
	}
}
