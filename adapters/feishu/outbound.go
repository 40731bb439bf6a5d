package feishu

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"imbot/core"
)

// renderKind is how a reply is shown, best first.
type renderKind uint32

const (
	kindCardKit renderKind = iota // CardKit streaming card
	kindPatch                     // interactive card updated by PATCH
	kindText                      // plain text, sent once at the end
)

var kindNames = [...]string{"cardkit", "patch", "text"}

func (k renderKind) String() string { return kindNames[k] }

func (k renderKind) budget() int {
	if k == kindText {
		return textBudget
	}
	return cardBudget
}

// refused reports whether Feishu definitively refused a call (a scope,
// version or parameter error), as opposed to a transient failure.
func refused(err error) bool {
	var ae *apiError
	return errors.As(err, &ae) && !retryable(err) && !tokenInvalid(err)
}

// Reply opens a writer for the answer to env. It needs only the envelope,
// so it also serves turns replayed after a restart. No I/O happens until
// the first Update or Finish.
func (a *Adapter) Reply(_ context.Context, env core.Envelope) (core.ReplyWriter, error) {
	if env.MessageID == "" || env.ChatID == "" {
		return nil, errors.New("feishu: reply: envelope without message or chat id")
	}
	base := env.Received
	if base.IsZero() {
		base = a.now()
	}
	return &writer{a: a, env: env, base: base, kind: renderKind(a.render.Load()), purpose: "reply",
		last: a.now(), earlier: base.Before(a.started)}, nil
}

// part is one message of a reply; a long answer continues in further parts.
type part struct {
	index     int
	kind      renderKind
	messageID string
	cardID    string
	seq       int    // last CardKit sequence used on cardID
	shown     string // answer text the platform shows
}

// writer renders one reply. The dispatcher calls it from one goroutine.
type writer struct {
	a         *Adapter
	noVotes   bool // the reply is no answer (a command or refusal): no vote buttons
	env       core.Envelope
	base      time.Time  // origin of CardKit sequences
	kind      renderKind // best kind this reply may still use
	committed string     // text of the finished parts
	cur       *part      // the open part, nil before the first render
	parts     int        // parts opened so far
	last      time.Time  // time of the last render, or of Reply before one
	purpose   string     // uuid purpose of the parts: "reply", "refusal" or "replay"
	card      string     // the CardKit card of the part being posted or streamed
	messages  []core.MessageID
	// earlier is set for a message received before this process started:
	// an earlier run may have created a CardKit card for it to continue.
	earlier bool
}

// Update renders the text so far one update_interval after the reply
// opened and then at most once per update_interval; updates in between are
// dropped (the next one carries the whole text). An answer finished within
// the first interval is posted whole by Finish, without streaming.
func (w *writer) Update(ctx context.Context, textSoFar string) error {
	if w.a.now().Sub(w.last) < w.a.cfg.UpdateInterval {
		return nil
	}
	return w.render(ctx, textSoFar, "", false)
}

// Finish renders the whole reply, with its route footer when show_route is
// set, and closes the card's streaming mode.
func (w *writer) Finish(ctx context.Context, reply core.Reply) error {
	w.noVotes = reply.Route == core.RouteCommand || reply.Refusal != ""
	footer := ""
	if w.a.cfg.ShowRoute {
		footer = routeLabel(reply)
	}
	if reply.Refusal != "" && w.parts == 0 {
		// A refused message was not answered: its answer, should it come
		// again and be accepted, must not take the refusal's uuid (which
		// would return the refusal instead of posting the answer).
		w.purpose = "refusal"
	}
	return w.render(ctx, nonEmpty(reply.Text), footer, true)
}

// render shows full, closing every part that has reached its size budget
// and continuing in a new message.
func (w *writer) render(ctx context.Context, full, footer string, final bool) error {
	rest, ok := strings.CutPrefix(full, w.committed)
	if !ok {
		// The final text rewrote what earlier parts show; continue with all of it.
		rest = full
	}
	for {
		cut := fitPoint(rest, w.kind)
		if cut == len(rest) {
			break
		}
		if err := w.show(ctx, rest[:cut], footerContinued, true); err != nil {
			return err
		}
		rest = rest[cut:]
	}
	return w.show(ctx, rest, footer, final)
}

// show renders text into the open part (opening one if needed); final
// closes the part with footer.
func (w *writer) show(ctx context.Context, text, footer string, final bool) error {
	if w.cur == nil {
		if err := w.open(ctx, text, footer, final); err != nil || w.cur == nil {
			return err
		}
	} else if err := w.update(ctx, w.cur, text, footer, final); err != nil {
		return err
	}
	w.last = w.a.now()
	if final {
		w.committed += text
		w.cur, w.card = nil, ""
	}
	return nil
}

// open posts a new part, falling back to a humbler kind when Feishu refuses
// one. Plain text is only posted when final.
func (w *writer) open(ctx context.Context, text, footer string, final bool) error {
	for {
		if w.kind == kindText && !final {
			return nil
		}
		p := &part{index: w.parts, kind: w.partKind(final)}
		err := w.post(ctx, p, text, footer, final)
		if err == nil {
			w.parts++
			w.cur = p
			w.a.metrics.cardUpdates.With(p.kind.String()).Inc()
			return nil
		}
		if !refused(err) || p.kind == kindText {
			return err
		}
		w.fallBack(p.kind, err)
	}
}

// partKind is the kind of a new part: a part posted whole (final) needs no
// CardKit stream and goes as one card message, unless an earlier run may
// have posted a CardKit card for it, which post continues.
func (w *writer) partKind(final bool) renderKind {
	if final && w.kind == kindCardKit && !w.earlier {
		return kindPatch
	}
	return w.kind
}

// fallBack moves this reply past kind from, which Feishu refused. A refused
// CardKit is remembered for later replies too: it means a missing scope or
// version.
func (w *writer) fallBack(from renderKind, err error) {
	w.kind = from + 1
	if from == kindCardKit {
		w.a.render.CompareAndSwap(uint32(kindCardKit), uint32(kindPatch))
	}
	w.a.metrics.fallbacks.With(w.kind.String()).Inc()
	w.a.log.Warn("feishu reply style refused; falling back", "from", from.String(), "to", w.kind.String(),
		"chat_id", string(w.env.ChatID), "msg_id", string(w.env.MessageID), "err", err)
}

// post sends the first message of part p and records its id with the turn.
func (w *writer) post(ctx context.Context, p *part, text, footer string, final bool) error {
	pending := footer
	if !final && w.a.cfg.ShowRoute {
		pending = footerPending
	}
	var err error
	switch p.kind {
	case kindText:
		if footer != "" {
			text += "\n\n— " + footer
		}
		p.messageID, err = w.send(ctx, p, outMessage{MsgType: "text", Content: textContent(plainText(text))})
	case kindPatch:
		p.messageID, err = w.send(ctx, p, outMessage{MsgType: "interactive", Content: buildCard(text, pending, false, w.votes()...)})
		p.shown = text
	default:
		return w.postCard(ctx, p, text, footer, pending, final)
	}
	if err == nil {
		w.posted(ctx, p)
	}
	return err
}

// postCard sends part p as a CardKit card. The first part of a replayed
// turn continues the card its first run created (its id is kept with the
// turn, see resume). A card created by an attempt whose message failed is
// reused by the next attempt rather than left behind.
func (w *writer) postCard(ctx context.Context, p *part, text, footer, pending string, final bool) error {
	if p.index == 0 && w.card == "" && len(w.messages) == 0 { // this writer's first post
		if done, err := w.resume(ctx, p, text, footer, final); done {
			return err
		}
	}
	if w.card == "" {
		cardID, err := w.a.api.createCard(ctx, buildCard(text, pending, !final, w.votes()...))
		if err != nil {
			return err
		}
		w.card = cardID
		w.saveRef(ctx)
	}
	id, err := w.send(ctx, p, outMessage{MsgType: "interactive", Content: cardRef(w.card)})
	if err != nil {
		return err
	}
	p.messageID, p.cardID, p.shown = id, w.card, text
	w.posted(ctx, p)
	return nil
}

// send posts m as a reply to the envelope's message with the part's uuid,
// or into the chat when that message is gone.
func (w *writer) send(ctx context.Context, p *part, m outMessage) (string, error) {
	m.UUID = replyUUID(w.env.MessageID, w.purpose, p.index)
	id, err := w.a.api.reply(ctx, string(w.env.MessageID), m, w.a.cfg.ReplyInThread)
	switch apiCode(err) {
	case codeRecalled, codeTargetGone, codeTargetDeleted:
		w.a.log.Info("feishu reply target gone; sending to the chat", "chat_id", string(w.env.ChatID), "msg_id", string(w.env.MessageID))
		return w.a.api.send(ctx, string(w.env.ChatID), m)
	}
	return id, err
}

// update renders text into an open part.
func (w *writer) update(ctx context.Context, p *part, text, footer string, final bool) error {
	w.a.metrics.cardUpdates.With(p.kind.String()).Inc()
	if p.kind == kindPatch {
		if !final && w.a.cfg.ShowRoute {
			footer = footerPending
		}
		if err := w.a.api.patchCard(ctx, p.messageID, buildCard(text, footer, false, w.votes()...)); err != nil {
			return err
		}
		p.shown = text
		return nil
	}
	if text != p.shown {
		if err := w.a.api.setElement(ctx, p.cardID, answerElement, answerMarkdown(text), w.nextOp(p)); err != nil {
			return err
		}
		p.shown = text
	}
	if !final {
		return nil
	}
	if w.a.cfg.ShowRoute {
		if err := w.a.api.setElement(ctx, p.cardID, routeElement, footerMarkdown(footer), w.nextOp(p)); err != nil {
			return err
		}
	}
	if err := w.a.api.setCardSettings(ctx, p.cardID, closingSettings(text), w.nextOp(p)); err != nil {
		return fmt.Errorf("feishu: close streaming: %w", err)
	}
	return nil
}

// nextOp returns the next CardKit sequence and uuid for p's card. Sequences
// count milliseconds since the message was received, so a turn replayed
// after a restart still writes above what its first run wrote.
func (w *writer) nextOp(p *part) cardOp {
	seq := p.seq + 1
	if ms := w.a.now().Sub(w.base).Milliseconds() + 1; ms > int64(seq) && ms < math.MaxInt32 {
		seq = int(ms)
	}
	p.seq = seq
	return cardOp{UUID: replyUUID(core.MessageID(p.cardID), "op", seq), Sequence: seq}
}
