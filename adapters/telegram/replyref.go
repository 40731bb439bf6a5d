package telegram

import (
	"context"
	"strconv"

	"imbot/core"
)

// WithReplyRefs keeps the ids of each reply's messages with its turn's
// durable record, so that a turn replayed after a restart edits the messages
// its first run posted instead of leaving them cut off and posting anew
// (default: none).
func WithReplyRefs(r core.ReplyRefs) Option { return func(a *Adapter) { a.refs = r } }

// resume loads the messages an earlier run of env's turn posted into w, so
// that the reply continues in them. A failure is logged: the reply then
// starts over in new messages.
func (w *writer) resume(ctx context.Context, env core.Envelope) {
	if w.a.refs == nil {
		return
	}
	ref, ok, err := w.a.refs.ReplyRef(ctx, env)
	if err != nil {
		w.log.Warn("read reply ref; the reply starts in a new message", "err", err)
		return
	}
	if !ok {
		return
	}
	for _, id := range ref.Messages {
		n, err := strconv.Atoi(string(id))
		if err != nil {
			w.log.Warn("reply ref with a bad message id; ignored", "id", string(id))
			return
		}
		w.sent = append(w.sent, sentMsg{id: n}) // no text known: the next show edits it
	}
	if len(w.sent) > 0 {
		w.log.Info("reply continues the messages of an earlier run", "messages", len(w.sent))
	}
}

// saveRef keeps the ids of the reply's messages with the turn. A failure is
// logged: only a replay after a crash loses them.
func (w *writer) saveRef(ctx context.Context) {
	if w.a.refs == nil || w.env.MessageID == "" {
		return
	}
	ids := make([]core.MessageID, len(w.sent))
	for i, m := range w.sent {
		ids[i] = core.MessageID(strconv.Itoa(m.id))
	}
	if err := w.a.refs.SaveReplyRef(context.WithoutCancel(ctx), w.env, core.ReplyRef{Messages: ids}); err != nil {
		w.log.Warn("keep reply ref", "err", err)
	}
}
