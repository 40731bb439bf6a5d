package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"imbot/core"
)

// TestReviewGroupsTheQueue: `imbot review` groups near-duplicate questions
// and those of one knowledge-base entry, most frequent first.
func TestReviewGroupsTheQueue(t *testing.T) {
	path, s := secretsConfigStore(t)
	ctx, now := context.Background(), time.Now()
	conv := core.ConversationKey{Platform: "web", Chat: "s1"}
	var errs []error
	for _, q := range []core.UnansweredQuestion{
		{Question: "Can I pay with crypto?", Reason: core.ReasonDegraded},
		{Question: "can I pay with crypto", Reason: core.ReasonThumbsDown},
		{Question: "zzz qqq", Reason: core.ReasonLowConfidence, Candidates: []core.Candidate{{ID: "payment-methods", Score: 0.4}}},
	} {
		q.Conversation, q.Platform, q.At = conv, "web", now
		errs = append(errs, s.AddUnanswered(ctx, q))
	}
	if err := errors.Join(append(errs, s.Close())...); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run([]string{"review", "-config", path, "-format", "csv"}, &out, io.Discard); code != 0 {
		t.Fatalf("imbot review exited %d", code)
	}
	rows := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "entry,count,degraded,low_confidence,thumbs_down") {
		t.Fatalf("review = %q, want a header and two groups", out.String())
	}
	if !strings.Contains(rows[1], ",2,1,0,1,") || !strings.Contains(rows[1], "Can I pay with crypto? (2)") {
		t.Errorf("first group = %q, want the two crypto questions together", rows[1])
	}
	if !strings.HasPrefix(rows[2], "payment-methods,1,") {
		t.Errorf("second group = %q, want the candidate's entry", rows[2])
	}
}
