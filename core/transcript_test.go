package core

import (
	"context"
	"testing"
)

// TestRouterTakesAStatelessTranscriptInsteadOfHistory: an envelope with a
// Transcript is answered from it alone; the stored history of the same
// conversation is not read.
func TestRouterTakesAStatelessTranscriptInsteadOfHistory(t *testing.T) {
	store := newMemStore()
	env := msg("c", "1", "and in winter?")
	stored := Turn{Envelope: env, User: Message{Role: RoleUser, Text: "stored question"},
		Reply: Message{Role: RoleAssistant, Text: "stored answer", Route: RouteModel}}
	if err := store.Complete(context.Background(), stored); err != nil {
		t.Fatal(err)
	}
	general := &scriptedChain{name: "general", chunks: []string{"cold"}}
	r, err := NewRouter(DefaultRouterConfig(), RouterDeps{History: store, General: general})
	if err != nil {
		t.Fatal(err)
	}
	env.Transcript = &Transcript{Messages: []Message{{Role: RoleUser, Text: "weather in Oslo?"}, {Role: RoleAssistant, Text: "mild"}}}
	if ans := r.Answer(context.Background(), env, &fakeWriter{a: newFakeAdapter("t")}); ans.Reply.Text != "cold" {
		t.Fatalf("reply %+v", ans.Reply)
	}
	got := general.reqs[0].Messages
	want := []string{"system", "user:weather in Oslo?", "assistant:mild", "user:and in winter?"}
	if len(got) != len(want) {
		t.Fatalf("prompt %+v, want %v", got, want)
	}
	for i, m := range got[1:] {
		if m.Role+":"+m.Content != want[i+1] {
			t.Fatalf("prompt message %d = %s:%s, want %s", i+1, m.Role, m.Content, want[i+1])
		}
	}
}
