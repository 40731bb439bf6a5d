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

// TestFeedbackExportOffline: `imbot feedback` reads the votes from the store
// file when no daemon holds it.
func TestFeedbackExportOffline(t *testing.T) {
	path, s := secretsConfigStore(t)
	ctx := context.Background()
	env := core.Envelope{Platform: "web", ChatID: "s1", UserID: "s1", MessageID: "m1", Text: "refund?"}
	now := time.Now()
	_, err := s.Accept(ctx, env)
	if err == nil {
		err = s.Complete(ctx, core.Turn{Envelope: env, User: core.Message{Role: core.RoleUser, Text: env.Text, At: now},
			Reply: core.Message{Role: core.RoleAssistant, Text: "see policy", At: now, Route: core.RouteFAQ}})
	}
	if err == nil {
		_, _, err = s.Vote(ctx, core.Feedback{Conversation: env.Conversation(), Turn: "m1", Vote: core.VoteUp, At: now})
	}
	if err := errors.Join(err, s.Close()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run([]string{"feedback", "-config", path, "-since", "1h", "-format", "csv"}, &out, io.Discard); code != 0 {
		t.Fatalf("imbot feedback exited %d", code)
	}
	if !strings.Contains(out.String(), ",up,web,web/s1,m1,faq,") || !strings.Contains(out.String(), "refund?,see policy") {
		t.Errorf("export = %q, want the vote with its turn", out.String())
	}
	out.Reset()
	if code := run([]string{"experiments", "report", "-config", path}, &out, io.Discard); code != 0 {
		t.Fatalf("imbot experiments report exited %d", code)
	}
	if !strings.Contains(out.String(), "(control)") || !strings.Contains(out.String(), "100.0%") {
		t.Errorf("report = %q, want the control group with its one 👍", out.String())
	}
	out.Reset()
	if code := run([]string{"feedback", "-config", path, "-format", "xml"}, &out, io.Discard); code == 0 {
		t.Error("a bad format was accepted")
	}
}
