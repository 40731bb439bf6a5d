// Package feedback records users' 👍/👎 on answers: it stores the vote with
// the turn's record, counts it by the route that answered, and puts every
// 👎 in the review queue with the question.
package feedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"imbot/core"
	"imbot/core/metric"
)

// ErrUnknownTurn is returned for a vote on a turn that has no record (a
// forged or very old button).
var ErrUnknownTurn = errors.New("feedback: no such turn")

// Recorder stores votes. It is safe for concurrent use.
type Recorder struct {
	store  core.FeedbackStore
	review core.UnansweredLog // nil queues nothing
	log    *slog.Logger
	votes  metric.CounterVec
}

// New returns a Recorder over store that queues 👎 answers in review (nil
// for none) and counts votes in imbot_feedback_total{route,vote} on m (nil
// for none).
func New(store core.FeedbackStore, review core.UnansweredLog, log *slog.Logger, m metric.Meter) *Recorder {
	if m == nil {
		m = metric.Discard()
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Recorder{store: store, review: review, log: log,
		votes: m.Counter("imbot_feedback_total", "Votes on answers by the route that answered and the vote (up, down).", "route", "vote")}
}

// Record is a core.FeedbackFunc: it stores fb's vote on its turn, counts
// it, and queues a 👎 for review. A vote on an unknown turn returns
// ErrUnknownTurn; a failed review entry is logged, the vote stays.
func (r *Recorder) Record(ctx context.Context, fb core.Feedback) error {
	if fb.Vote != core.VoteUp && fb.Vote != core.VoteDown {
		return fmt.Errorf("feedback: bad vote %d", fb.Vote)
	}
	rec, ok, err := r.store.Vote(ctx, fb)
	if err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	if !ok {
		return ErrUnknownTurn
	}
	r.votes.With(string(rec.Route), fb.Vote.String()).Inc()
	if fb.Vote == core.VoteDown && r.review != nil {
		q := core.UnansweredQuestion{Question: rec.Question, Conversation: rec.Conversation, Platform: rec.Platform,
			At: fb.At, Reason: core.ReasonThumbsDown}
		if err := r.review.AddUnanswered(context.WithoutCancel(ctx), q); err != nil {
			r.log.Error("queue a thumbs-down answer for review", "err", err)
		}
	}
	return nil
}
