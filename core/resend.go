package core

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"imbot/core/kit"
)

// resendWindow is how long a final reply whose send failed keeps being
// retried before the dispatcher gives up on it.
const resendWindow = 2 * time.Minute

// resendLater retries a final reply whose send failed, in the background so
// that the conversation's next turn does not wait for it, for up to
// resendWindow. The turn is already recorded, so the answer stays in history
// whatever happens to the send. A reply the platform may have posted
// (ErrReplyUncertain) is not sent again. Shutdown waits for the retries
// like for a turn, within the drain timeout.
func (d *Dispatcher) resendLater(w ReplyWriter, r Reply, err error, log *slog.Logger) {
	if errors.Is(err, ErrReplyUncertain) {
		d.metrics.resend("uncertain")
		log.Warn("reply may have been posted without an answer; not sent again", "err", err)
		return
	}
	log.Warn("send reply failed; retrying in the background", "err", err)
	d.life.begin()
	d.life.goFunc(func() {
		defer d.life.end()
		ctx, cancel := context.WithTimeout(d.life.ctx, resendWindow)
		defer cancel()
		outcome, err := d.resend(ctx, w, r)
		d.metrics.resend(outcome)
		if err != nil {
			log.Error("send reply: gave up; the answer is in history only", "outcome", outcome, "err", err)
			return
		}
		log.Info("reply sent on a retry")
	})
}

// resend calls Finish again with backoff until it succeeds, the platform
// may have posted it, or ctx ends. It returns the outcome for the metric
// (sent, uncertain, gave_up) and the last error.
func (d *Dispatcher) resend(ctx context.Context, w ReplyWriter, r Reply) (string, error) {
	for attempt := 0; ; attempt++ {
		if err := kit.Sleep(ctx, d.resendBackoff.Equal(attempt)); err != nil {
			return "gave_up", err
		}
		err := w.Finish(ctx, r)
		switch {
		case err == nil:
			return "sent", nil
		case errors.Is(err, ErrReplyUncertain):
			return "uncertain", err
		case ctx.Err() != nil:
			return "gave_up", err
		}
	}
}
