package core

import (
	"context"
	"time"
)

// Vote is a user's verdict on one answer.
type Vote int8

// Votes.
const (
	VoteNone Vote = 0
	VoteUp   Vote = 1  // 👍
	VoteDown Vote = -1 // 👎
)

// String returns "up", "down" or "none".
func (v Vote) String() string {
	switch v {
	case VoteUp:
		return "up"
	case VoteDown:
		return "down"
	}
	return "none"
}

// ParseVote reads "up" or "down".
func ParseVote(s string) (Vote, bool) {
	switch s {
	case "up":
		return VoteUp, true
	case "down":
		return VoteDown, true
	}
	return VoteNone, false
}

// Feedback is a vote on the answer to one turn, named by its conversation
// and the message the answer replied to (the turn's first message).
type Feedback struct {
	Conversation ConversationKey
	Turn         MessageID
	User         UserID
	Vote         Vote
	At           time.Time
}

// FeedbackFunc hands a vote from an adapter to the feedback recorder. It
// returns once the vote is stored; an error means it was not (the adapter
// tells the user, or lets the platform retry).
type FeedbackFunc func(ctx context.Context, fb Feedback) error

// TurnRecord is the summary of one answered turn kept for feedback,
// experiments and review: what was asked, what answered, at what cost, and
// the user's vote.
type TurnRecord struct {
	Conversation ConversationKey
	Turn         MessageID
	Platform     Platform
	User         UserID
	At           time.Time
	Question     string
	Answer       string
	Route        Route
	Provider     string
	Model        string
	// Tokens are the question's and the answer's token counts.
	QuestionTokens, ReplyTokens int
	LatencyMS                   int64
	// Arm is the experiment arm the turn ran in, "" for none.
	Arm string
	// Vote is the user's latest vote, VoteNone until one comes.
	Vote    Vote
	VotedAt time.Time
}

// FeedbackStore keeps turn records and the votes on them. Implementations
// are safe for concurrent use.
type FeedbackStore interface {
	// Vote sets the vote of fb's turn and returns the turn's record; false
	// when no turn of that conversation and message is known.
	Vote(ctx context.Context, fb Feedback) (TurnRecord, bool, error)
	// TurnRecords returns the records of the turns answered at or after
	// since, oldest first.
	TurnRecords(ctx context.Context, since time.Time) ([]TurnRecord, error)
}
