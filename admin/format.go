package admin

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"imbot/core"
)

// exportedConversation is one line of `imbot export`.
type exportedConversation struct {
	Conversation string            `json:"conversation"`
	Messages     []exportedMessage `json:"messages"`
}

// exportedMessage is one message of an exportedConversation.
type exportedMessage struct {
	Role     string    `json:"role"`
	Text     string    `json:"text"`
	At       time.Time `json:"at"`
	Route    string    `json:"route,omitempty"`
	Provider string    `json:"provider,omitempty"`
	Model    string    `json:"model,omitempty"`
	Tokens   int       `json:"tokens,omitempty"`
}

// writeExport writes every conversation as one JSON line.
func writeExport(ctx context.Context, st Store, w io.Writer) error {
	enc := json.NewEncoder(w)
	return st.Export(ctx, func(conv core.ConversationKey, msgs []core.Message) error {
		line := exportedConversation{Conversation: conv.Label(), Messages: make([]exportedMessage, len(msgs))}
		for i, m := range msgs {
			line.Messages[i] = exportedMessage{Role: string(m.Role), Text: m.Text, At: m.At, Route: string(m.Route),
				Provider: m.Provider, Model: m.Model, Tokens: m.Tokens}
		}
		return enc.Encode(line)
	})
}

// UnansweredLine is one line of `imbot faq unanswered` in JSON lines.
type UnansweredLine struct {
	Question     string           `json:"question"`
	Conversation string           `json:"conversation"`
	Platform     string           `json:"platform"`
	At           time.Time        `json:"at"`
	Reason       string           `json:"reason"`
	Candidates   []core.Candidate `json:"candidates"`
}

// writeUnanswered writes questions as JSON lines or CSV.
func writeUnanswered(w io.Writer, qs []core.UnansweredQuestion, format string) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, q := range qs {
			if err := enc.Encode(UnansweredLine{Question: q.Question, Conversation: q.Conversation.Label(),
				Platform: string(q.Platform), At: q.At, Reason: q.Reason, Candidates: q.Candidates}); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		return writeUnansweredCSV(w, qs)
	}
	return fmt.Errorf("unknown format %q: want jsonl or csv", format)
}

// writeUnansweredCSV writes questions as CSV with a header row.
func writeUnansweredCSV(w io.Writer, qs []core.UnansweredQuestion) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"at", "platform", "conversation", "reason", "question", "candidates"})
	for _, q := range qs {
		cands := make([]string, len(q.Candidates))
		for i, c := range q.Candidates {
			cands[i] = c.ID + ":" + strconv.FormatFloat(c.Score, 'f', 3, 64)
		}
		_ = cw.Write([]string{q.At.UTC().Format(time.RFC3339), string(q.Platform),
			q.Conversation.Label(), q.Reason, q.Question, strings.Join(cands, ";")})
	}
	cw.Flush()
	return cw.Error()
}
