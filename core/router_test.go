package core

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/core/catalog"
)

// scriptedChain answers with fixed chunks or fails, recording requests.
type scriptedChain struct {
	name   string
	chunks []string
	err    error
	partly bool // fail after streaming the chunks
	mu     sync.Mutex
	reqs   []ModelRequest
}

func (s *scriptedChain) Stream(_ context.Context, req ModelRequest, onDelta DeltaFunc) (ModelResult, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	if s.err != nil && !s.partly {
		return ModelResult{}, s.err
	}
	for _, c := range s.chunks {
		onDelta(c)
	}
	res := ModelResult{Text: strings.Join(s.chunks, ""), Provider: s.name, Model: s.name + "-model",
		Usage: ModelUsage{CompletionTokens: 7}, Interrupted: s.partly}
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
	if ans.Reply.Route != RouteDegraded || ans.Reply.Text != (*catalog.Catalog)(nil).Text(catalog.EN, catalog.DegradedUnavailable) {
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
	if ans.Reply.Route != RouteModel || ans.Reply.Text != "half an\n\n"+(*catalog.Catalog)(nil).Text(catalog.EN, catalog.Interrupted) {
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
	c.CacheEntries = -1
	p := strings.Join(c.Validate([]string{"local"}), "\n")
	for _, key := range []string{"business[0]: no provider named \"cloud\"", "cache_entries:"} {
		if !strings.Contains(p, key) {
			t.Errorf("problems %q miss %q", p, key)
		}
	}
}

// memUsage is an in-memory UsageMeter.
type memUsage struct {
	mu sync.Mutex
	m  map[string]int
}

func (u *memUsage) AddUsage(_ context.Context, key, day string, n int) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.m[key+"/"+day] += n
	return nil
}

func (u *memUsage) Usage(_ context.Context, key, day string) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.m[key+"/"+day], nil
}

func TestRouterBudgetDayStartsAtLocalMidnight(t *testing.T) {
	usage := &memUsage{m: map[string]int{}}
	now := time.Date(2026, 11, 21, 15, 30, 0, 0, time.UTC) // 23:30 in Shanghai
	cfg := DefaultRouterConfig()
	cfg.DailyTokens, cfg.Timezone = 100, "Asia/Shanghai"
	r, err := NewRouter(cfg, RouterDeps{History: newMemStore(), General: &scriptedChain{name: "general", chunks: []string{"a"}},
		Usage: usage, Now: func() time.Time { return now }, Count: func(string) int { return 10 }})
	if err != nil {
		t.Fatal(err)
	}
	ask := func() { r.Answer(context.Background(), msg("c", "1", "q"), &fakeWriter{a: newFakeAdapter("t")}) }
	ask()
	now = now.Add(time.Hour) // 00:30 the next day in Shanghai, still the 21st in UTC
	ask()
	if a, b := usage.m["test:u-c/2026-11-21"], usage.m["test:u-c/2026-11-22"]; a == 0 || b == 0 {
		t.Fatalf("usage by day %v: want one turn on each Shanghai day", usage.m)
	}
	cfg.Timezone = "Mars/Olympus"
	if p := strings.Join(cfg.Validate([]string{"local"}), "\n"); !strings.Contains(p, "timezone") {
		t.Fatalf("an unknown zone passed Validate: %q", p)
	}
}

func TestRouterDailyBudgets(t *testing.T) {
	usage := &memUsage{m: map[string]int{}}
	now := time.Date(2026, 11, 21, 23, 0, 0, 0, time.UTC)
	general := &scriptedChain{name: "general", chunks: []string{"cheap"}}
	business := &scriptedChain{name: "business", chunks: []string{"strong"}}
	cfg := DefaultRouterConfig()
	cfg.DailyTokens, cfg.DailyTokensFAQOnly = 100, 200
	cfg.Timezone = "UTC"
	match := KnowledgeMatch{Tier: TierBusiness, Answer: "A", Passages: []string{"P"}}
	r, _ := NewRouter(cfg, RouterDeps{History: newMemStore(), General: general, Business: business,
		Knowledge: fixedKnowledge(match), Usage: usage, Now: func() time.Time { return now },
		Count: func(s string) int { return 10 }})
	ask := func() Reply {
		return r.Answer(context.Background(), msg("c", "1", "q"), &fakeWriter{a: newFakeAdapter("t")}).Reply
	}
	if got := ask(); got.Provider != "business" {
		t.Fatalf("within budget: %+v, want the business chain", got)
	}
	if used, _ := usage.Usage(context.Background(), "test:u-c", "2026-11-21"); used == 0 {
		t.Fatal("no usage recorded")
	}
	usage.AddUsage(context.Background(), "test:u-c", "2026-11-21", 100)
	if got := ask(); got.Provider != "general" {
		t.Fatalf("past daily_tokens: %+v, want the general chain", got)
	}
	if sys := general.reqs[0].Messages[0].Content; !strings.Contains(sys, "[1] P") {
		t.Fatalf("cheap chain lost the passages: %q", sys)
	}
	usage.AddUsage(context.Background(), "test:u-c", "2026-11-21", 100)
	if got := ask(); got.Route != RouteDegraded || got.Text != (*catalog.Catalog)(nil).Text(catalog.EN, catalog.BudgetFAQOnly) {
		t.Fatalf("past daily_tokens_faq_only: %+v, want the budget reply", got)
	}
	calls := len(general.reqs) + len(business.reqs)
	match.Tier = TierAnswer
	r.deps.Knowledge = fixedKnowledge(match)
	if got := ask(); got.Route != RouteFAQ {
		t.Fatalf("FAQ answers stay available past every budget: %+v", got)
	}
	now = now.Add(2 * time.Hour) // the next day (UTC)
	r.deps.Knowledge = fixedKnowledge(KnowledgeMatch{})
	if got := ask(); got.Route != RouteModel || len(general.reqs)+len(business.reqs) != calls+1 {
		t.Fatalf("a new day restores the budget: %+v", got)
	}
}
