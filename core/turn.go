package core

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// runTurn answers one accepted message: a command or a question for the
// answerer. It finishes the reply and then records the turn, so a crash in
// between repeats the answer after the restart rather than losing it. A
// turn cut off by a shutdown past the drain timeout (base ends) before its
// reply was sent stays pending and runs again after the restart.
//
// A panic in the turn (the answerer or the adapter) is logged and the turn
// dropped: left pending, the message would crash every later start in its
// replay and silence the bot for everyone.
func (d *Dispatcher) runTurn(base context.Context, env Envelope) {
	log := d.log.With("platform", env.Platform, "chat_id", env.ChatID, "msg_id", env.MessageID)
	defer func() {
		if r := recover(); r != nil {
			log.Error("turn panicked; message dropped", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			d.drop(base, env)
		}
	}()
	ctx, cancel := context.WithTimeout(base, d.cfg.TurnTimeout)
	defer cancel()
	start := d.now()
	a := d.adapters[env.Platform]
	w, err := a.Reply(ctx, env)
	if err != nil {
		if base.Err() != nil {
			log.Warn("shutdown interrupted the turn; it stays pending for the next start", "err", err)
			return
		}
		log.Error("open reply; message dropped", "err", err)
		d.drop(ctx, env)
		return
	}
	if t, ok := a.(Typer); ok {
		typingCtx, stopTyping := context.WithCancel(ctx)
		defer stopTyping()
		t.Typing(typingCtx, env)
	}
	ans, question, isCommand := d.answer(ctx, env, w)
	if base.Err() != nil {
		log.Warn("shutdown interrupted the turn; it stays pending for the next start")
		return
	}
	fctx, cancelFinish := d.finishContext(base, ctx)
	defer cancelFinish()
	if err := w.Finish(fctx, ans.Reply); err != nil {
		if base.Err() != nil {
			log.Warn("shutdown interrupted the reply; the turn stays pending for the next start", "err", err)
			return
		}
		log.Error("send reply", "err", err)
	}
	latency := d.now().Sub(start)
	d.metrics.turn(env.Platform, ans.Reply.Route, latency)
	log.Info("turn done", "route", ans.Reply.Route, "provider", ans.Reply.Provider, "latency_ms", latency.Milliseconds())
	if isCommand {
		d.drop(ctx, env)
		return
	}
	turn := Turn{
		Envelope: env,
		User:     Message{Role: RoleUser, Text: question, At: env.Received, Tokens: ans.QuestionTokens},
		Reply: Message{Role: RoleAssistant, Text: ans.Reply.Text, At: d.now(), Route: ans.Reply.Route,
			Provider: ans.Reply.Provider, Model: ans.Reply.Model, Tokens: ans.ReplyTokens, LatencyMS: latency.Milliseconds()},
	}
	if err := d.history.Complete(context.WithoutCancel(ctx), turn); err != nil {
		log.Error("record turn", "err", err)
	}
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
func (d *Dispatcher) answer(ctx context.Context, env Envelope, w ReplyWriter) (ans Answer, question string, isCommand bool) {
	cmd, args, ask, ok := d.commands.parse(env.Text)
	switch {
	case ok && ask && args == "":
		return Answer{Reply: Reply{Text: "Usage: /ask <question>", Route: RouteCommand}}, "", true
	case ok && ask:
		env.Text = args
	case ok:
		text, err := cmd.Run(ctx, CommandRequest{Envelope: env, Args: args})
		if err != nil {
			d.log.Error("command failed", "command", cmd.Name, "err", err)
			text = "Sorry, /" + cmd.Name + " failed. Please try again."
		}
		return Answer{Reply: Reply{Text: text, Route: RouteCommand}}, "", true
	}
	return d.answerer.Answer(ctx, env, w), env.Text, false
}

// drop forgets a pending turn that will get no history record.
func (d *Dispatcher) drop(ctx context.Context, env Envelope) {
	if err := d.inbox.Drop(context.WithoutCancel(ctx), env); err != nil {
		d.log.Error("drop pending turn", "platform", env.Platform, "msg_id", env.MessageID, "err", err)
	}
}
