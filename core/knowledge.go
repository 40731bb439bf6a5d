package core

import (
	"context"
	"time"
)

// Tier is the route the knowledge base chooses for a question.
type Tier uint8

// Tiers, from least to most confident.
const (
	// TierGeneral: the knowledge base knows nothing useful; the general
	// chain answers.
	TierGeneral Tier = iota
	// TierBusiness: the knowledge base matches partly; the business chain
	// answers with the best passages in its prompt.
	TierBusiness
	// TierAnswer: the knowledge base is sure; its answer is the reply.
	TierAnswer
)

// String returns "general", "business" or "answer".
func (t Tier) String() string {
	switch t {
	case TierBusiness:
		return "business"
	case TierAnswer:
		return "answer"
	}
	return "general"
}

// Candidate is one knowledge base entry scored against a question.
type Candidate struct {
	ID    string
	Score float64
}

// KnowledgeMatch is what the knowledge base found for a question.
type KnowledgeMatch struct {
	Tier Tier
	// Answer is the best entry's answer; the reply for TierAnswer.
	Answer string
	// EntryID is the best entry's id.
	EntryID string
	// Confidence in [0, 1] is the estimated probability that the best entry is
	// the right answer; it decided Tier.
	Confidence float64
	// Passages are the best entries' texts, best first, as many as a
	// business prompt should get.
	Passages []string
	// Candidates are the best entries with their scores, best first.
	Candidates []Candidate
}

// Knowledge is the FAQ tier. Lookup is safe for concurrent use, also while
// the knowledge base is being reloaded.
type Knowledge interface {
	// Lookup scores question against the knowledge base and decides its
	// tier; it does not fail: a knowledge base that cannot help returns a
	// TierGeneral match.
	Lookup(ctx context.Context, question string) KnowledgeMatch
}

// UnansweredQuestion is a question the bot could not answer well: every
// model failed, or the knowledge base matched only partly.
type UnansweredQuestion struct {
	Question     string
	Conversation ConversationKey
	Platform     Platform
	At           time.Time
	// Reason is ReasonDegraded or ReasonLowConfidence.
	Reason string
	// Candidates are the knowledge base's best entries for Question.
	Candidates []Candidate
	// User asked the question; empty in records written before it was kept.
	User UserID
}

// Reasons a question joins the unanswered queue (UnansweredQuestion.Reason).
// The strings are stored and exported.
const (
	// ReasonDegraded: every provider failed and the user got the degraded
	// reply.
	ReasonDegraded = "degraded"
	// ReasonLowConfidence: the knowledge base matched only partly, so a
	// model answered with its passages.
	ReasonLowConfidence = "low_confidence"
)

// UnansweredLog keeps unanswered questions for the knowledge base's owner.
// It is safe for concurrent use.
type UnansweredLog interface {
	// AddUnanswered durably queues q; a zero q.At means now.
	AddUnanswered(ctx context.Context, q UnansweredQuestion) error
}
