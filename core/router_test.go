package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"imbot/core/provider"
)

// scriptedChain answers with fixed chunks or fails, recording requests.
type scriptedChain struct {
	name   string
	chunks []string
	err    error
	partly bool // fail after streaming the chunks
	mu     sync.Mutex
	reqs   []provider.Request
}

func (s *scriptedChain) Stream(_ context.Context, req provider.Request, onDelta provider.DeltaFunc) (provider.Result, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if s.err != nil && !s.partly {
		return provider.Result{}, s.err
	}
	for _, c := range s.chunks {
		onDelta(c)
	}
	res := provider.Result{Text: strings.Join(s.chunks, ""), Provider: s.name, Model: s.name + "-model",
		Usage: provider.Usage{CompletionTokens: 7}, Interrupted: s.partly}
	return res, s.err
}

type fixedKnowledge KnowledgeMatch

func (k fixedKnowledge) Lookup(context.Context, string) KnowledgeMatch { return KnowledgeMatch(k) }

type unansweredRecorder struct {
	mu sync.Mutex
	qs []UnansweredQuestion
}

func (u *unansweredRecorder) AddUnanswered(_ context.Context, q UnansweredQuestion) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.qs = append(u.qs, q)
	return nil
}

func TestRouterTiers(t *testing.T) {
	match := KnowledgeMatch{Answer: "Go to Settings > Refunds.", EntryID: "refund-how", Confidence: 0.99,
		Passages: []string{"P1", "P2", "P3"}, Candidates: []Candidate{{"refund-how", 3.2}}}
	tests := []struct {
		name       string
		tier       Tier
		wantRoute  Route
		wantChain  string
		wantText   string
		unanswered string
	}{
		{"faq answers without a model", TierAnswer, RouteFAQ, "", "Go to Settings > Refunds.", ""},
		{"business gets passages", TierBusiness, RouteModel, "business", "hi there", "low_confidence"},
		{"general", TierGeneral, RouteModel, "general", "hi there", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			general := &scriptedChain{name: "general", chunks: []string{"hi", " there"}}
			business := &scriptedChain{name: "business", chunks: []string{"hi", " there"}}
			un := &unansweredRecorder{}
			m := match
			m.Tier = tt.tier
			r, err := NewRouter(DefaultRouterConfig(), RouterDeps{History: newMemStore(), General: general,
				Business: business, Knowledge: fixedKnowledge(m), Unanswered: un})
			if err != nil {
				t.Fatal(err)
			}
			w := &fakeWriter{a: newFakeAdapter("t")}
			ans := r.Answer(context.Background(), msg("c", "1", "refund?"), w)
			if ans.Reply.Route != tt.wantRoute || ans.Reply.Text != tt.wantText {
				t.Fatalf("reply = %+v", ans.Reply)
			}
			if tt.wantChain != "" && ans.Reply.Provider != tt.wantChain {
				t.Fatalf("provider = %q, want %q", ans.Reply.Provider, tt.wantChain)
			}
			if tt.wantChain == "" && len(general.reqs)+len(business.reqs) != 0 {
				t.Fatal("a model was called for an FAQ answer")
			}
			if tt.tier == TierBusiness {
				sys := business.reqs[0].Messages[0].Content
				if !strings.Contains(sys, "[1] P1") || !strings.Contains(sys, "[3] P3") {
					t.Fatalf("system prompt lacks the passages: %q", sys)
				}
			}
			if tt.wantRoute == RouteModel && (len(w.updates) != 2 || w.updates[1] != "hi there") {
				t.Fatalf("updates = %q, want the growing text", w.updates)
			}
			if got := len(un.qs); (tt.unanswered == "") != (got == 0) || (got > 0 && un.qs[0].Reason != tt.unanswered) {
				t.Fatalf("unanswered = %+v, want reason %q", un.qs, tt.unanswered)
			}
		})
	}
}

func TestRouterDegradesAndRecords(t *testing.T) {
	un := &unansweredRecorder{}
	chain := &scriptedChain{err: errors.New("all down")}
	r, _ := NewRouter(DefaultRouterConfig(), RouterDeps{History: newMemStore(), General: chain, Unanswered: un})
	ans := r.Answer(context.Background(), msg("c", "1", "anyone?"), &fakeWriter{a: newFakeAdapter("t")})
	if ans.Reply.Route != RouteDegraded || ans.Reply.Text != DefaultRouterConfig().DegradedReply {
		t.Fatalf("reply = %+v", ans.Reply)
	}
	if len(un.qs) != 1 || un.qs[0].Reason != "degraded" || un.qs[0].Question != "anyone?" {
		t.Fatalf("unanswered = %+v", un.qs)
	}
}

func TestRouterInterruptedKeepsPartialText(t *testing.T) {
	chain := &scriptedChain{name: "p", chunks: []string{"half an"}, err: errors.New("stream dropped"), partly: true}
	cfg := DefaultRouterConfig()
	r, _ := NewRouter(cfg, RouterDeps{History: newMemStore(), General: chain})
	ans := r.Answer(context.Background(), msg("c", "1", "q"), &fakeWriter{a: newFakeAdapter("t")})
	if ans.Reply.Route != RouteModel || ans.Reply.Text != "half an"+cfg.InterruptedNotice {
		t.Fatalf("reply = %+v", ans.Reply)
	}
}

func TestRouterHistoryBudget(t *testing.T) {
	store := newMemStore()
	conv := msg("c", "", "").Conversation()
	store.convs[conv] = []Message{
		{Role: RoleUser, Text: "oldest question", Tokens: 50},
		{Role: RoleAssistant, Text: "oldest answer", Tokens: 50},
		{Role: RoleUser, Text: "failed question", Tokens: 10},
		{Role: RoleAssistant, Text: "sorry", Route: RouteDegraded, Tokens: 10},
		{Role: RoleUser, Text: "recent question", Tokens: 10},
		{Role: RoleAssistant, Text: "recent answer", Tokens: 10},
	}
	chain := &scriptedChain{name: "p", chunks: []string{"ok"}}
	cfg := DefaultRouterConfig()
	cfg.HistoryTokens = 60
	r, _ := NewRouter(cfg, RouterDeps{History: store, General: chain})
	r.Answer(context.Background(), msg("c", "1", "now"), &fakeWriter{a: newFakeAdapter("t")})
	var got []string
	for _, m := range chain.reqs[0].Messages {
		got = append(got, m.Role+":"+m.Content)
	}
	want := "system:You are a helpful assistant.|user:failed question|user:recent question|assistant:recent answer|user:now"
	if strings.Join(got, "|") != want {
		t.Fatalf("prompt = %q\nwant     %q", strings.Join(got, "|"), want)
	}
}

func TestRouterConfigValidate(t *testing.T) {
	if p := DefaultRouterConfig().Validate([]string{"local"}); len(p) != 0 {
		t.Fatalf("defaults invalid: %v", p)
	}
	c := DefaultRouterConfig()
	c.Business = []string{"cloud"}
	c.DegradedReply = " "
	p := strings.Join(c.Validate([]string{"local"}), "\n")
	for _, key := range []string{"business[0]: no provider named \"cloud\"", "degraded_reply:"} {
		if !strings.Contains(p, key) {
			t.Errorf("problems %q miss %q", p, key)
		}
	}
}
