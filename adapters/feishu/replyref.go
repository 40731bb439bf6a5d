package feishu

import (
	"context"
	"log/slog"

	"imbot/core"
	"imbot/core/catalog"
)

// codeStreamingEnded is CardKit's answer to a content update of a card whose
// streaming mode was closed: the run that closed it finished the answer.
const codeStreamingEnded = 300309

// WithReplyRefs keeps each reply's card and message ids with its turn's
// durable record, so that a turn replayed after a restart continues the card
// its first run created (default: none; a replay then posts a new card).
func WithReplyRefs(r core.ReplyRefs) Option { return func(a *Adapter) { a.refs = r } }

// WithReplyIndex lets the adapter tell, without asking Feishu, whether a
// group message replies to one of the bot's messages, which then addresses
// the bot (default: none; only mentions and commands do).
func WithReplyIndex(i core.ReplyIndex) Option { return func(a *Adapter) { a.index = i } }

// repliesToBot reports whether e replies to a message the bot sent, as the
// reply index remembers them; a lookup failure is logged and counts as no.
func (a *Adapter) repliesToBot(ctx context.Context, e event) bool {
	m := e.Event.Message
	if a.index == nil || m.ParentID == "" || m.ChatType == "p2p" {
		return false
	}
	ok, err := a.index.BotMessage(ctx, Platform, core.ChatID(m.ChatID), core.MessageID(m.ParentID))
	if err != nil {
		a.log.Warn("feishu reply index lookup", "chat_id", m.ChatID, "msg_id", m.MessageID, "err", err)
	}
	return ok
}

// posted records that part p's message is on Feishu.
func (w *writer) posted(ctx context.Context, p *part) {
	w.messages = append(w.messages, core.MessageID(p.messageID))
	w.saveRef(ctx)
}

// saveRef keeps the reply's card and messages with the turn. A failure is
// logged: the reply goes on, and only a replay after a crash loses the card.
// A refusal is not a turn: it keeps nothing.
func (w *writer) saveRef(ctx context.Context) {
	if w.a.refs == nil || w.purpose == "refusal" {
		return
	}
	ref := core.ReplyRef{Card: w.card, Messages: w.messages}
	if err := w.a.refs.SaveReplyRef(context.WithoutCancel(ctx), w.env, ref); err != nil {
		w.a.metrics.replayFailures.With("save_ref").Inc()
		w.a.log.Error("feishu keep reply ref", "chat_id", string(w.env.ChatID), "msg_id", string(w.env.MessageID), "err", err)
	}
}

// resume continues, in part p, the card an earlier run of this turn
// created, and reports whether it did (done) or failed for good (err); a
// card whose message was not posted is only taken over (done is false), and
// a card the earlier run finished is left as it is (done). When
// the card cannot be continued — the earlier run split the reply into more
// messages, or Feishu refuses the update — the old card is finished with a
// short notice and done is false: the answer goes out as a new message.
func (w *writer) resume(ctx context.Context, p *part, text, footer string, final bool) (done bool, err error) {
	ref, ok := w.savedRef(ctx)
	if !ok || ref.Card == "" {
		return false, nil
	}
	log := w.a.log.With("chat_id", string(w.env.ChatID), "msg_id", string(w.env.MessageID))
	if len(ref.Messages) > 1 {
		w.abandon(ctx, ref.Card, "earlier run posted several messages", log)
		return false, nil
	}
	w.card = ref.Card
	if len(ref.Messages) == 0 {
		// The card was created but its message is not known to be posted:
		// post it now (its uuid returns the message if it was).
		return false, nil
	}
	p.messageID, p.cardID = string(ref.Messages[0]), ref.Card
	w.messages = ref.Messages
	err = w.update(ctx, p, text, footer, final)
	switch {
	case err == nil:
		log.Info("feishu reply continues the card of an earlier run")
		return true, nil
	case apiCode(err) == codeStreamingEnded:
		// The earlier run finished the card: its answer is on screen.
		log.Info("feishu card of an earlier run is finished; leaving it")
		return true, nil
	case ctx.Err() != nil:
		return true, err
	}
	w.abandon(ctx, ref.Card, err.Error(), log)
	return false, nil
}

// savedRef returns the reply ref kept with the turn, if any.
func (w *writer) savedRef(ctx context.Context) (core.ReplyRef, bool) {
	if w.a.refs == nil || w.purpose == "refusal" {
		return core.ReplyRef{}, false
	}
	ref, ok, err := w.a.refs.ReplyRef(ctx, w.env)
	if err != nil {
		w.a.metrics.replayFailures.With("read_ref").Inc()
		w.a.log.Error("feishu read reply ref; posting a new card", "chat_id", string(w.env.ChatID), "msg_id", string(w.env.MessageID), "err", err)
		return core.ReplyRef{}, false
	}
	return ref, ok
}

// abandon finishes a card the reply cannot continue with a short notice
// (best effort) and moves the reply to a new message: new uuids, no card.
func (w *writer) abandon(ctx context.Context, cardID, why string, log *slog.Logger) {
	w.a.metrics.replayFailures.With("card_abandoned").Inc()
	log.Warn("feishu cannot continue the card of an earlier run; the answer goes in a new message", "reason", why)
	notice := w.a.texts.Text(catalog.ZH, catalog.ReplyMoved) + "\n" + w.a.texts.Text(catalog.EN, catalog.ReplyMoved)
	p := &part{cardID: cardID}
	if err := w.a.api.setElement(ctx, cardID, answerElement, notice, w.nextOp(p)); err != nil {
		log.Warn("feishu notice on the abandoned card", "err", err)
	}
	if err := w.a.api.setCardSettings(ctx, cardID, closingSettings(notice), w.nextOp(p)); err != nil {
		log.Warn("feishu close the abandoned card", "err", err)
	}
	w.card, w.messages, w.purpose = "", nil, "replay"
}
