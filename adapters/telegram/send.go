package telegram

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/core/kit"
)

// Limits of the final send: how often a 429 or a transient failure is
// retried before Finish gives up.
const (
	maxRateLimited = 10
	maxTransient   = 3
)

// textCall sends text in parse mode mode (HTML, or "" for plain text).
type textCall func(ctx context.Context, text string, mode models.ParseMode) error

// exec sends chunk c with call: as HTML, and as plain text when Telegram
// cannot parse the HTML. A streamed call is made once, and a 429 answer
// quiets the chat for its retry_after; a final call is paced and retried.
func (w *writer) exec(ctx context.Context, method string, final bool, c chunk, call textCall) error {
	attempt := func(ctx context.Context) error {
		err := call(ctx, c.HTML, models.ParseModeHTML)
		if isBadRequest(err, "can't parse entities") {
			w.a.m.calls.With(method, "plain_fallback").Inc()
			w.log.Warn("Telegram refused the HTML; sending plain text", "method", method, "err", w.a.redact(err))
			err = call(ctx, c.Plain, "")
		}
		return err
	}
	if final {
		return w.reliably(ctx, method, attempt)
	}
	err := w.a.callOnce(ctx, method, attempt)
	if d, limited := retryAfter(err); limited {
		w.a.pace.block(w.t.chat, d)
	}
	return err
}

// reliably runs a final call: it waits for the chat's pace and the global
// rate, waits out 429 answers, follows a group's migration to a
// supergroup, and retries transient failures with backoff.
func (w *writer) reliably(ctx context.Context, method string, call func(context.Context) error) error {
	var b backoff
	limited, transient := 0, 0
	for {
		if err := kit.Sleep(ctx, w.a.pace.reserve(w.t.chat, w.interval)); err != nil {
			return err
		}
		if err := w.a.global.wait(ctx); err != nil {
			return err
		}
		err := w.a.callOnce(ctx, method, call)
		var migrated *bot.MigrateError
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return err
		case errors.As(err, &migrated) && migrated.MigrateToChatID != 0:
			w.log.Info("group moved to a supergroup", "new_chat_id", migrated.MigrateToChatID)
			w.t.chat = int64(migrated.MigrateToChatID)
			continue
		}
		if d, ok := retryAfter(err); ok && limited < maxRateLimited {
			limited++
			w.log.Info("rate limited by Telegram; waiting", "method", method, "retry_after_s", d.Seconds())
			w.a.pace.block(w.t.chat, d)
			continue
		}
		if method == "sendMessage" && !provenUnsent(err) {
			return w.uncertain(method, err)
		}
		if isTransient(err) && transient < maxTransient {
			transient++
			w.log.Info("transient failure; retrying", "method", method, "err", err)
			if err := kit.Sleep(ctx, b.next(err)); err != nil {
				return err
			}
			continue
		}
		return err
	}
}

// uncertain reports a new message whose request may have been posted
// although no answer came back: sending it again could post it twice, so it
// is counted, logged and returned wrapping core.ErrReplyUncertain.
func (w *writer) uncertain(method string, err error) error {
	w.a.m.calls.With(method, "uncertain").Inc()
	w.log.Warn("no answer to a message that may have been posted; not sending it again", "method", method, "err", err)
	return fmt.Errorf("%w: %w", core.ErrReplyUncertain, err)
}
