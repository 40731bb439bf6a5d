package core

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"imbot/core/catalog"
)

// timeoutErr is a provider failure that took too long.
type timeoutErr struct{}

func (timeoutErr) Error() string    { return "no first token in time" }
func (timeoutErr) Failure() Failure { return Failure{Retryable: true, Timeout: true} }

// routerFixture is a router over a general and a business chain.
type routerFixture struct {
	r                 *Router
	general, business *scriptedChain
	unanswered        *unansweredRecorder
	store             *memStore
	now               time.Time
}

func newRouterFixture(t *testing.T, match KnowledgeMatch, tweak func(*RouterConfig)) *routerFixture {
	t.Helper()
	f := &routerFixture{general: &scriptedChain{name: "general", chunks: []string{"general answer"}},
		business:   &scriptedChain{name: "business", chunks: []string{"business answer"}},
		unanswered: &unansweredRecorder{}, store: newMemStore(), now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	cfg := DefaultRouterConfig()
	if tweak != nil {
		tweak(&cfg)
	}
	r, err := NewRouter(cfg, RouterDeps{History: f.store, General: f.general, Business: f.business,
		Knowledge: fixedKnowledge(match), Unanswered: f.unanswered, Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.r = r
	return f
}

func (f *routerFixture) ask(chat, text string) Reply {
	return f.r.Answer(context.Background(), msg(chat, "1", text), &fakeWriter{a: newFakeAdapter("t")}).Reply
}

func builtin(lang catalog.Lang, id catalog.ID) string { return (*catalog.Catalog)(nil).Text(lang, id) }

func TestRouterFallbackOrder(t *testing.T) {
	down := errors.New("all providers failed")
	business := KnowledgeMatch{Tier: TierBusiness, Answer: "Refunds take 5 days.", EntryID: "refund", Passages: []string{"P"}}
	tests := []struct {
		name              string
		match             KnowledgeMatch
		generalDown       bool
		primeCache        bool
		wantRoute         Route
		wantProvider      string
		wantText          string
		wantDegradedQueue bool
	}{
		{"business down, general answers", business, false, false, RouteModel, "general", "general answer", false},
		{"both down, best guess from the FAQ", business, true, false, RouteFAQGuess, "",
			builtin(catalog.EN, catalog.FAQBestGuess) + "\n\nRefunds take 5 days.", false},
		{"both down, cached answer", KnowledgeMatch{}, true, true, RouteCache, "general",
			"general answer\n\n" + builtin(catalog.EN, catalog.AnswerCached), false},
		{"both down, nothing cached: degraded", KnowledgeMatch{}, true, false, RouteDegraded, "",
			builtin(catalog.EN, catalog.DegradedUnavailable), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRouterFixture(t, tt.match, nil)
			if tt.primeCache {
				if got := f.ask("a", "Where is my order?"); got.Route != RouteModel {
					t.Fatalf("priming: %+v", got)
				}
			}
			f.business.err = down
			if tt.generalDown {
				f.general.err = down
			}
			got := f.ask("b", "where is my order")
			if got.Route != tt.wantRoute || got.Provider != tt.wantProvider || got.Text != tt.wantText {
				t.Fatalf("reply = %+v\nwant route %s provider %q text %q", got, tt.wantRoute, tt.wantProvider, tt.wantText)
			}
			degraded := 0
			for _, q := range f.unanswered.qs {
				if q.Reason == ReasonDegraded {
					degraded++
				}
			}
			if (degraded > 0) != tt.wantDegradedQueue {
				t.Errorf("degraded questions queued = %d, want queued %v", degraded, tt.wantDegradedQueue)
			}
		})
	}
}

func TestRouterDegradedSpeaksTheUsersLanguage(t *testing.T) {
	tests := []struct {
		name string
		err  error
		text string
		want string
	}{
		{"chinese, providers down", errors.New("connection refused"), "退款需要多久？", builtin(catalog.ZH, catalog.DegradedUnavailable)},
		{"chinese, timeout", timeoutErr{}, "退款需要多久？", builtin(catalog.ZH, catalog.DegradedTimeout)},
		{"english, timeout", timeoutErr{}, "how long do refunds take?", builtin(catalog.EN, catalog.DegradedTimeout)},
		{"english, timeout wrapped in a join", errors.Join(errors.New("a down"), timeoutErr{}), "how long?", builtin(catalog.EN, catalog.DegradedTimeout)},
		{"english, deadline", context.DeadlineExceeded, "how long do refunds take?", builtin(catalog.EN, catalog.DegradedTimeout)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRouterFixture(t, KnowledgeMatch{}, nil)
			f.general.err = tt.err
			got := f.ask("c", tt.text)
			if got.Route != RouteDegraded || got.Text != tt.want {
				t.Fatalf("reply = %+v, want %q", got, tt.want)
			}
			for _, operator := range []string{"OPENAI", "Operator", "imbot", "Ollama", "[[providers]]"} {
				if strings.Contains(got.Text, operator) {
					t.Errorf("degraded reply %q shows operator text %q", got.Text, operator)
				}
			}
		})
	}
}

func TestRouterInterruptedAndBudgetInChinese(t *testing.T) {
	f := newRouterFixture(t, KnowledgeMatch{}, nil)
	f.general.err, f.general.partly = errors.New("stream dropped"), true
	got := f.ask("c", "请介绍一下退款流程")
	if want := "general answer\n\n" + builtin(catalog.ZH, catalog.Interrupted); got.Text != want {
		t.Fatalf("interrupted reply %q, want %q", got.Text, want)
	}
}

func TestRouterCacheServe(t *testing.T) {
	f := newRouterFixture(t, KnowledgeMatch{}, func(c *RouterConfig) { c.CacheServe = true })
	f.ask("a", "What is imbot?")
	got := f.ask("b", "what is imbot")
	if got.Route != RouteCache || got.Text != "general answer" || len(f.general.reqs) != 1 {
		t.Fatalf("reply = %+v after %d calls, want the cached answer and one call", got, len(f.general.reqs))
	}
	f.now = f.now.Add(25 * time.Hour) // past cache_ttl
	if got := f.ask("b", "what is imbot"); got.Route != RouteModel || len(f.general.reqs) != 2 {
		t.Fatalf("expired entry: reply = %+v after %d calls, want a model answer", got, len(f.general.reqs))
	}
}

func TestRouterCacheKeepsOnlyFirstTurnCompleteAnswers(t *testing.T) {
	f := newRouterFixture(t, KnowledgeMatch{}, nil)
	f.general.err, f.general.partly = errors.New("stream dropped"), true
	f.ask("a", "q1") // interrupted: not cached
	f.general.err, f.general.partly = nil, false
	conv := msg("a", "", "").Conversation()
	f.store.convs[conv] = []Message{{Role: RoleUser, Text: "earlier"}, {Role: RoleAssistant, Text: "reply"}}
	f.ask("a", "q2") // has history: not cached
	f.general.err = errors.New("down")
	for _, q := range []string{"q1", "q2"} {
		if got := f.ask("b", q); got.Route != RouteDegraded {
			t.Errorf("%s: reply = %+v, want degraded: the answer must not be cached", q, got)
		}
	}
}

func TestRouterPassesTheConversation(t *testing.T) {
	f := newRouterFixture(t, KnowledgeMatch{}, nil)
	f.ask("room", "hello")
	want := msg("room", "1", "").Conversation().String()
	if got := f.general.reqs[0].Conversation; got == "" || got != want {
		t.Fatalf("request conversation = %q, want %q", got, want)
	}
}

func TestRouterConfigApplyTexts(t *testing.T) {
	cat, err := catalog.New(catalog.Config{ZH: map[string]string{"degraded_timeout": "太慢了"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultRouterConfig()
	cfg.DegradedReply, cfg.BudgetReply = "Down for maintenance.", "\n  No budget left.  "
	if err := cfg.ApplyTexts(cat); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		lang catalog.Lang
		id   catalog.ID
		want string
	}{
		{catalog.ZH, catalog.DegradedUnavailable, "Down for maintenance."},
		{catalog.EN, catalog.DegradedTimeout, "Down for maintenance."},
		{catalog.ZH, catalog.DegradedTimeout, "太慢了"}, // [texts.zh] wins
		{catalog.ZH, catalog.BudgetFAQOnly, "No budget left."},
		{catalog.ZH, catalog.Interrupted, builtin(catalog.ZH, catalog.Interrupted)}, // unset key
	}
	for _, c := range checks {
		if got := cat.Text(c.lang, c.id); got != c.want {
			t.Errorf("%s %s = %q, want %q", c.lang, c.id, got, c.want)
		}
	}
}

func TestNormaliseQuestion(t *testing.T) {
	for in, want := range map[string]string{
		"What is  imbot?": "what is imbot",
		" what is imbot ": "what is imbot",
		"退款需要多久？":         "退款需要多久",
		"Is it free?!":    "is it free",
		"C++ or Go":       "c++ or go",
	} {
		if got := normaliseQuestion(in); got != want {
			t.Errorf("normaliseQuestion(%q) = %q, want %q", in, got, want)
		}
	}
}
