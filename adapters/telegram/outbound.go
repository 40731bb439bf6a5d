package telegram

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/markdown"
)

// maxTyping bounds one typing indicator, in case a caller's ctx never ends.
const maxTyping = 10 * time.Minute

// Reply opens a writer for the answer to env. It needs nothing but env, so
// it also answers envelopes an earlier process received; with WithReplyRefs
// it continues in the messages that process posted for env.
func (a *Adapter) Reply(ctx context.Context, env core.Envelope) (core.ReplyWriter, error) {
	t, err := targetOf(env)
	if err != nil {
		return nil, fmt.Errorf("telegram: reply to chat %q message %q: %w", env.ChatID, env.MessageID, err)
	}
	w := &writer{a: a, t: t, env: env, interval: a.cfg.EditInterval,
		log: a.log.With("chat_id", env.ChatID, "msg_id", env.MessageID)}
	if t.direct {
		w.interval = a.cfg.DraftInterval
		w.draftID = draftID(env)
	}
	w.nextShow = a.now().Add(w.interval)
	w.resume(ctx, env)
	return w, nil
}

// draftID derives a non-zero draft id from the message answered.
func draftID(env core.Envelope) string {
	h := fnv.New32a()
	h.Write([]byte(string(env.ChatID) + "\x00" + string(env.MessageID)))
	return strconv.FormatUint(uint64(h.Sum32()&0x7fffffff|1), 10)
}

// typingDelay is how long a turn runs before "typing…" is shown: an answer
// that comes sooner needs no indicator (and no Bot API call for one).
const typingDelay = time.Second

// Typing shows "typing…" in env's chat once the turn has run for
// typingDelay, then every typing_interval until ctx ends, Run returns, or
// maxTyping passes. It returns at once.
func (a *Adapter) Typing(ctx context.Context, env core.Envelope) {
	t, err := targetOf(env)
	if err != nil {
		return
	}
	a.typingMu.Lock()
	defer a.typingMu.Unlock()
	if a.typingStopped {
		return
	}
	a.bg.Go(func() {
		ctx, cancel := context.WithTimeout(ctx, maxTyping)
		defer cancel()
		if !a.typingWait(ctx, typingDelay) {
			return
		}
		tick := time.NewTicker(a.cfg.TypingInterval)
		defer tick.Stop()
		for {
			err := a.callOnce(ctx, "sendChatAction", func(ctx context.Context) error {
				_, err := a.bot.SendChatAction(ctx, &bot.SendChatActionParams{
					ChatID: t.chat, MessageThreadID: t.thread, Action: models.ChatActionTyping})
				return err
			})
			if err != nil && ctx.Err() == nil {
				a.log.Debug("typing indicator", "chat_id", t.chat, "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-a.typingStop:
				return
			case <-tick.C:
			}
		}
	})
}

// typingWait waits d and reports whether the indicator should still be
// shown: false when ctx ended or Run returned first.
func (a *Adapter) typingWait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-a.typingStop:
		return false
	case <-t.C:
		return true
	}
}

// stopTyping ends every typing indicator and waits for them.
func (a *Adapter) stopTyping() {
	a.typingMu.Lock()
	if !a.typingStopped {
		a.typingStopped = true
		close(a.typingStop)
	}
	a.typingMu.Unlock()
	a.bg.Wait()
}

// writer streams one reply. Private chats see the growing text as a draft
// and get it as messages at the end; groups see a message that is edited
// as the text grows. Text past one message's limit continues in further
// messages. Streamed updates start one interval after the reply opened and
// come at most once an interval, so an answer that ends sooner is sent as
// its final messages alone; the final send never waits for the streaming
// pace. A writer is used from one goroutine, as core.ReplyWriter says.
type writer struct {
	a        *Adapter
	t        target
	env      core.Envelope
	interval time.Duration
	nextShow time.Time // the earliest time of the next streamed update
	draftID  string    // private chats only
	sent     []sentMsg
	log      *slog.Logger
}

// sentMsg is a message of the reply already on Telegram.
type sentMsg struct {
	id   int
	html string
}

// Update shows the text so far, unless the writer's interval, the chat's
// pace (a 429 or another reply's final messages) or the global rate leaves
// no room for it now; then it is skipped, as later text supersedes it.
// Failures of streamed updates are logged, not returned: the final text is
// what matters.
func (w *writer) Update(ctx context.Context, textSoFar string) error {
	now := w.a.now()
	if now.Before(w.nextShow) || !w.a.pace.free(w.t.chat) || !w.a.global.tryTake() {
		return nil
	}
	w.nextShow = now.Add(w.interval)
	if err := w.show(ctx, split(markdown.Parse(textSoFar).Telegram(), maxMessageLen), false); err != nil {
		if ctx.Err() != nil {
			return err
		}
		w.log.Debug("streamed update not shown", "err", err)
	}
	return nil
}

// Finish sends the complete reply, waiting for the chat's pace and
// retrying 429 and transient failures, and returns once Telegram has it.
func (w *writer) Finish(ctx context.Context, reply core.Reply) error {
	chunks := split(markdown.Parse(reply.Text).Telegram(), maxMessageLen)
	if len(chunks) == 0 {
		w.log.Warn("empty reply not sent")
		return nil
	}
	if err := w.show(ctx, chunks, true); err != nil {
		return err
	}
	w.offerFeedback(ctx, reply)
	return nil
}

// show brings the chat up to date with chunks: it edits the messages whose
// text changed, sends the new ones and, in private chats while streaming,
// shows the last chunk as a draft. The final show also deletes messages
// the final text no longer needs.
func (w *writer) show(ctx context.Context, chunks []chunk, final bool) error {
	for i, c := range chunks {
		var err error
		switch {
		case !final && w.t.direct && i == len(chunks)-1:
			err = w.draft(ctx, c)
		case i < len(w.sent) && w.sent[i].html == c.HTML:
		case i < len(w.sent):
			err = w.edit(ctx, i, c, final)
		default:
			err = w.send(ctx, c, final)
		}
		if err != nil {
			return err
		}
	}
	if final {
		for len(w.sent) > len(chunks) {
			if err := w.deleteLast(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) send(ctx context.Context, c chunk, final bool) error {
	params := &bot.SendMessageParams{ChatID: w.t.chat, MessageThreadID: w.t.thread}
	if len(w.sent) == 0 && w.t.replyTo != 0 {
		params.ReplyParameters = &models.ReplyParameters{MessageID: w.t.replyTo, AllowSendingWithoutReply: true}
	}
	var msgID int
	err := w.exec(ctx, "sendMessage", final, c, func(ctx context.Context, text string, mode models.ParseMode) error {
		params.ChatID, params.Text, params.ParseMode = w.t.chat, text, mode
		m, err := w.a.bot.SendMessage(ctx, params)
		if err == nil {
			msgID = m.ID
		}
		return err
	})
	if err != nil {
		return err
	}
	w.sent = append(w.sent, sentMsg{id: msgID, html: c.HTML})
	w.saveRef(ctx)
	return nil
}

func (w *writer) edit(ctx context.Context, i int, c chunk, final bool) error {
	err := w.exec(ctx, "editMessageText", final, c, func(ctx context.Context, text string, mode models.ParseMode) error {
		_, err := w.a.bot.EditMessageText(ctx, &bot.EditMessageTextParams{
			ChatID: w.t.chat, MessageID: w.sent[i].id, Text: text, ParseMode: mode})
		if isBadRequest(err, "message is not modified") {
			return nil
		}
		return err
	})
	if isBadRequest(err, "message to edit not found") && i == len(w.sent)-1 {
		w.sent = w.sent[:i] // deleted by someone: send it anew
		return w.send(ctx, c, final)
	}
	if err == nil {
		w.sent[i].html = c.HTML
	}
	return err
}

func (w *writer) draft(ctx context.Context, c chunk) error {
	return w.exec(ctx, "sendMessageDraft", false, c, func(ctx context.Context, text string, mode models.ParseMode) error {
		_, err := w.a.bot.SendMessageDraft(ctx, &bot.SendMessageDraftParams{
			ChatID: w.t.chat, MessageThreadID: w.t.thread, DraftID: w.draftID, Text: text, ParseMode: mode})
		return err
	})
}

func (w *writer) deleteLast(ctx context.Context) error {
	last := w.sent[len(w.sent)-1]
	err := w.reliably(ctx, "deleteMessage", func(ctx context.Context) error {
		_, err := w.a.bot.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: w.t.chat, MessageID: last.id})
		return err
	})
	if err == nil || isBadRequest(err, "not found") {
		w.sent = w.sent[:len(w.sent)-1]
		w.saveRef(ctx)
		return nil
	}
	return err
}
