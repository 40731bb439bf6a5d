package admin

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"imbot/core"
	"imbot/core/safety/pii"
)

// FeedbackLine is one line of `imbot feedback` in JSON lines: a vote and
// the turn it is on.
type FeedbackLine struct {
	VotedAt      time.Time `json:"voted_at"`
	Vote         string    `json:"vote"`
	Conversation string    `json:"conversation"`
	Platform     string    `json:"platform"`
	Turn         string    `json:"turn"`
	AnsweredAt   time.Time `json:"answered_at"`
	Route        string    `json:"route"`
	Provider     string    `json:"provider,omitempty"`
	Model        string    `json:"model,omitempty"`
	Arm          string    `json:"arm,omitempty"`
	Question     string    `json:"question"`
	Answer       string    `json:"answer"`
}

// votedSince keeps the records with a vote cast at or after since, in the
// order of their votes.
func votedSince(recs []core.TurnRecord, since time.Time) []core.TurnRecord {
	var out []core.TurnRecord
	for _, r := range recs {
		if r.Vote != core.VoteNone && !r.VotedAt.Before(since) {
			out = append(out, r)
		}
	}
	return out
}

// maskRecords replaces personal data in the records' questions and answers
// with placeholders; a nil masker leaves them as stored.
func maskRecords(recs []core.TurnRecord, masker *pii.Masker) []core.TurnRecord {
	if masker == nil {
		return recs
	}
	out := make([]core.TurnRecord, len(recs))
	for i, r := range recs {
		masked, _ := masker.Mask([]string{r.Question, r.Answer})
		r.Question, r.Answer = masked[0], masked[1]
		out[i] = r
	}
	return out
}

// feedbackLine is the exported form of a voted record.
func feedbackLine(r core.TurnRecord) FeedbackLine {
	return FeedbackLine{VotedAt: r.VotedAt, Vote: r.Vote.String(), Conversation: r.Conversation.Label(),
		Platform: string(r.Platform), Turn: string(r.Turn), AnsweredAt: r.At, Route: string(r.Route),
		Provider: r.Provider, Model: r.Model, Arm: r.Arm, Question: r.Question, Answer: r.Answer}
}

// writeFeedback writes votes as JSON lines or CSV (with a header row).
func writeFeedback(w io.Writer, recs []core.TurnRecord, format string) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if err := enc.Encode(feedbackLine(r)); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"voted_at", "vote", "platform", "conversation", "turn", "route", "provider", "model", "arm",
			"latency_ms", "question", "answer"})
		for _, r := range recs {
			l := feedbackLine(r)
			_ = cw.Write([]string{l.VotedAt.UTC().Format(time.RFC3339), l.Vote, l.Platform, l.Conversation, l.Turn,
				l.Route, l.Provider, l.Model, l.Arm, strconv.FormatInt(r.LatencyMS, 10), l.Question, l.Answer})
		}
		cw.Flush()
		return cw.Error()
	}
	return fmt.Errorf("unknown format %q: want jsonl or csv", format)
}

// TurnLine is one line of the turns call: what experiment reports compare.
type TurnLine struct {
	Arm       string `json:"arm,omitempty"`
	Vote      int    `json:"vote,omitempty"` // 1 👍, -1 👎
	Tokens    int    `json:"tokens"`         // question and answer
	LatencyMS int64  `json:"latency_ms"`
	Route     string `json:"route"`
}

// writeTurns writes one TurnLine per record.
func writeTurns(w io.Writer, recs []core.TurnRecord) error {
	enc := json.NewEncoder(w)
	for _, r := range recs {
		line := TurnLine{Arm: r.Arm, Vote: int(r.Vote), Tokens: r.QuestionTokens + r.ReplyTokens, LatencyMS: r.LatencyMS, Route: string(r.Route)}
		if err := enc.Encode(line); err != nil {
			return err
		}
	}
	return nil
}
