package core

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"imbot/core/catalog"
)

func TestRouterSetConfigAppliesToLaterTurns(t *testing.T) {
	chain := &scriptedChain{name: "p", chunks: []string{"fine"}}
	texts, err := catalog.New(catalog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRouter(DefaultRouterConfig(), RouterDeps{History: newMemStore(), General: chain, Catalog: texts})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultRouterConfig()
	cfg.SystemPrompt, cfg.DegradedReply, cfg.Admins = "You answer in haiku.", "Down, back soon.", []string{"test:boss"}
	reloaded, err := catalog.New(catalog.Config{})
	if err == nil {
		err = cfg.ApplyTexts(reloaded)
	}
	if err != nil {
		t.Fatal(err)
	}
	r.SetConfig(cfg)
	texts.Replace(reloaded)
	r.Answer(context.Background(), msg("c", "1", "q"), &fakeWriter{a: newFakeAdapter("t")})
	if got := chain.reqs[0].Messages[0].Content; !strings.HasPrefix(got, "You answer in haiku.") {
		t.Fatalf("system prompt %q, want the new one", got)
	}
	chain.err = errors.New("all down")
	ans := r.Answer(context.Background(), msg("c", "2", "another question"), &fakeWriter{a: newFakeAdapter("t")})
	if ans.Reply.Text != "Down, back soon." {
		t.Fatalf("degraded reply %q, want the new one", ans.Reply.Text)
	}
	if !slices.Equal(r.Admins(), []string{"test:boss"}) {
		t.Fatalf("admins %v", r.Admins())
	}
}
