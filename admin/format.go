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
	"imbot/core/safety/pii"
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

// writeExport writes every conversation as one JSON line, its personal data
// replaced by placeholders (numbered per conversation) unless masker is nil.
func writeExport(ctx context.Context, st Store, w io.Writer, masker *pii.Masker) error {
	enc := json.NewEncoder(w)
	return st.Export(ctx, func(conv core.ConversationKey, msgs []core.Message) error {
		line := exportedConversation{Conversation: conv.Label(), Messages: make([]exportedMessage, len(msgs))}
		texts := make([]string, len(msgs))
		for i, m := range msgs {
			texts[i] = m.Text
		}
		if masker != nil {
			texts, _ = masker.Mask(texts)
		}
		for i, m := range msgs {
			line.Messages[i] = exportedMessage{Role: string(m.Role), Text: texts[i], At: m.At, Route: string(m.Route),
				Provider: m.Provider, Model: m.Model, Tokens: m.Tokens}
		}
		return enc.Encode(line)
	})
}

// maskQuestions replaces the personal data of each question by placeholders;
// a nil masker returns qs as they are.
func maskQuestions(qs []core.UnansweredQuestion, masker *pii.Masker) []core.UnansweredQuestion {
	if masker == nil {
		return qs
	}
	out := make([]core.UnansweredQuestion, len(qs))
	for i, q := range qs {
		masked, _ := masker.Mask([]string{q.Question})
		q.Question = masked[0]
		out[i] = q
	}
	return out
}

// forgotten is the answer of a forget-user call.
type forgotten struct {
	User string `json:"user"`
	core.Erased
}

// forget erases user ("platform:user_id") from st and writes what it
// deleted as one JSON object.
func forget(ctx context.Context, st Store, w io.Writer, user string) error {
	platform, id, err := splitUser(user)
	if err != nil {
		return err
	}
	erased, err := st.ForgetUser(ctx, platform, id)
	if err != nil {
		return err
	}
	return json.NewEncoder(w).Encode(forgotten{User: user, Erased: erased})
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
