package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"imbot/core/metric"
	"imbot/core/token"
)

// RouterDeps are what a Router uses. History and General are required.
type RouterDeps struct {
	History History
	General Streamer
	// Business answers questions the knowledge base matches partly; nil
	// uses General.
	Business Streamer
	// Knowledge is the FAQ tier; nil disables it.
	Knowledge Knowledge
	// Unanswered records questions for the knowledge base's owner; nil
	// records nothing.
	Unanswered UnansweredLog
	// Usage counts each user's daily tokens for the budgets; nil disables
	// them.
	Usage UsageMeter
	// Count estimates tokens; nil uses token.Count.
	Count func(string) int
	// ObserveUsage, when set, is told the prompt of every answered call and
	// the prompt tokens its provider reported, to calibrate Count.
	ObserveUsage func(provider string, prompt []ModelMessage, reportedPromptTokens int)
	Logger       *slog.Logger
	Metrics      metric.Meter
	Now          func() time.Time
}

// Router answers questions: from the knowledge base when it is sure,
// otherwise from a provider chain with the conversation's history, and with
// the degraded reply when every provider fails. It implements Answerer and
// is safe for concurrent use.
type Router struct {
	cfg     RouterConfig
	deps    RouterDeps
	metrics routerMetrics
	system  atomic.Pointer[string]
}

var _ Answerer = (*Router)(nil)

// NewRouter returns a router. It starts nothing.
func NewRouter(cfg RouterConfig, deps RouterDeps) (*Router, error) {
	if deps.History == nil || deps.General == nil {
		return nil, errors.New("core: router needs a history and a general chain")
	}
	if deps.Business == nil {
		deps.Business = deps.General
	}
	if deps.Count == nil {
		deps.Count = token.Count
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	r := &Router{cfg: cfg, deps: deps, metrics: newRouterMetrics(deps.Metrics)}
	r.SetSystemPrompt(cfg.SystemPrompt)
	return r, nil
}

// SetSystemPrompt replaces the system prompt for turns that start later.
func (r *Router) SetSystemPrompt(prompt string) { r.system.Store(&prompt) }

// Answer implements Answerer: the knowledge base answers when it is sure;
// otherwise the user's budget and the match's tier pick a chain, and
// askModel answers from it.
func (r *Router) Answer(ctx context.Context, env Envelope, w ReplyWriter) Answer {
	questionTokens := r.deps.Count(env.Text)
	match := r.lookup(ctx, env.Text)
	r.metrics.tier(match.Tier)
	if match.Tier == TierAnswer {
		return Answer{
			Reply:          Reply{Text: match.Answer, Route: RouteFAQ},
			QuestionTokens: questionTokens, ReplyTokens: r.deps.Count(match.Answer),
		}
	}
	allowance := r.budgetOf(ctx, env)
	if allowance == budgetFAQOnly {
		return Answer{Reply: Reply{Text: r.cfg.BudgetReply, Route: RouteDegraded}, QuestionTokens: questionTokens}
	}
	chain, system := r.deps.General, *r.system.Load()
	if match.Tier == TierBusiness {
		system = withPassages(system, match.Passages)
		r.recordUnanswered(ctx, env, ReasonLowConfidence, match)
		if allowance == budgetFull {
			chain = r.deps.Business
		}
	}
	ans := r.askModel(ctx, env, chain, system, match, w)
	ans.QuestionTokens = questionTokens
	return ans
}

// askModel streams chain's answer to env into w, reports the prompt's usage
// for calibration, charges the user's budget, and makes the reply: the
// model's text, the text so far with the interrupted notice when the stream
// broke, or the degraded reply (and an unanswered record) when no provider
// answered.
func (r *Router) askModel(ctx context.Context, env Envelope, chain Streamer, system string, match KnowledgeMatch, w ReplyWriter) Answer {
	prompt := r.prompt(ctx, env, system)
	res, err := r.stream(ctx, chain, prompt, w)
	if r.deps.ObserveUsage != nil && res.Usage.PromptTokens > 0 {
		r.deps.ObserveUsage(res.Provider, prompt, res.Usage.PromptTokens)
	}
	replyTokens := res.Usage.CompletionTokens
	if replyTokens == 0 {
		replyTokens = r.deps.Count(res.Text)
	}
	if res.Text != "" {
		r.spend(ctx, env, promptTokens(res, prompt, r.deps.Count)+replyTokens)
	}
	switch {
	case err == nil:
		return Answer{Reply: Reply{Text: res.Text, Route: RouteModel, Provider: res.Provider, Model: res.Model}, ReplyTokens: replyTokens}
	case res.Interrupted && res.Text != "":
		r.metrics.interrupted()
		r.deps.Logger.Warn("reply interrupted", "platform", env.Platform, "msg_id", env.MessageID, "provider", res.Provider, "err", err)
		return Answer{Reply: Reply{Text: res.Text + r.cfg.InterruptedNotice, Route: RouteModel, Provider: res.Provider, Model: res.Model},
			ReplyTokens: replyTokens}
	}
	r.deps.Logger.Warn("every provider failed: degraded reply", "platform", env.Platform, "msg_id", env.MessageID, "err", err)
	r.recordUnanswered(ctx, env, ReasonDegraded, match)
	return Answer{Reply: Reply{Text: r.cfg.DegradedReply, Route: RouteDegraded}}
}

// lookup asks the knowledge base, if there is one.
func (r *Router) lookup(ctx context.Context, question string) KnowledgeMatch {
	if r.deps.Knowledge == nil {
		return KnowledgeMatch{}
	}
	return r.deps.Knowledge.Lookup(ctx, question)
}

// stream runs the chain, forwarding the growing text to w.
func (r *Router) stream(ctx context.Context, chain Streamer, msgs []ModelMessage, w ReplyWriter) (ModelResult, error) {
	var text strings.Builder
	return chain.Stream(ctx, ModelRequest{Messages: msgs}, func(chunk string) {
		text.WriteString(chunk)
		if err := w.Update(ctx, text.String()); err != nil {
			r.deps.Logger.Debug("reply update failed", "err", err)
		}
	})
}

// prompt builds the model's messages: the system prompt, as much history as
// fits the token budget, and the question.
func (r *Router) prompt(ctx context.Context, env Envelope, system string) []ModelMessage {
	history := r.history(ctx, env)
	msgs := make([]ModelMessage, 0, len(history)+2)
	msgs = append(msgs, ModelMessage{Role: "system", Content: system})
	for _, m := range history {
		msgs = append(msgs, ModelMessage{Role: string(m.Role), Content: m.Text})
	}
	return append(msgs, ModelMessage{Role: string(RoleUser), Content: env.Text})
}

// history returns the newest earlier messages of env's conversation that
// fit the token budget, oldest first. Degraded replies are left out: they
// carry nothing a model should build on.
func (r *Router) history(ctx context.Context, env Envelope) []Message {
	if r.cfg.HistoryTokens == 0 || r.cfg.HistoryMessages == 0 {
		return nil
	}
	msgs, err := r.recent(ctx, env)
	if err != nil {
		r.deps.Logger.Error("load history; answering without it", "err", err)
		return nil
	}
	left, first := r.cfg.HistoryTokens, len(msgs)
	for i := len(msgs) - 1; i >= 0; i-- {
		n := msgs[i].Tokens
		if n <= 0 {
			n = r.deps.Count(msgs[i].Text)
		}
		if n+token.PerMessage > left {
			break
		}
		left -= n + token.PerMessage
		first = i
	}
	kept := msgs[first:]
	out := make([]Message, 0, len(kept))
	for _, m := range kept {
		if m.Route != RouteDegraded {
			out = append(out, m)
		}
	}
	return out
}

// promptTokens is the prompt's size as the provider reported it, or as
// estimated when it did not.
func promptTokens(res ModelResult, prompt []ModelMessage, count func(string) int) int {
	if res.Usage.PromptTokens > 0 {
		return res.Usage.PromptTokens
	}
	n := 0
	for _, m := range prompt {
		n += count(m.Content) + token.PerMessage
	}
	return n
}

// withPassages appends knowledge passages to the system prompt.
func withPassages(system string, passages []string) string {
	if len(passages) == 0 {
		return system
	}
	var b strings.Builder
	b.WriteString(system)
	b.WriteString("\n\nUse these knowledge base passages where they answer the question; do not invent policies they do not state.\n")
	for i, p := range passages {
		fmt.Fprintf(&b, "\n[%d] %s\n", i+1, strings.TrimSpace(p))
	}
	return b.String()
}

// recordUnanswered adds the question to the unanswered queue.
func (r *Router) recordUnanswered(ctx context.Context, env Envelope, reason string, match KnowledgeMatch) {
	if r.deps.Unanswered == nil {
		return
	}
	r.metrics.unanswered(reason)
	q := UnansweredQuestion{Question: env.Text, Conversation: env.Conversation(), Platform: env.Platform,
		At: r.deps.Now(), Reason: reason, Candidates: match.Candidates}
	if err := r.deps.Unanswered.AddUnanswered(context.WithoutCancel(ctx), q); err != nil {
		r.deps.Logger.Error("record unanswered question", "err", err)
	}
}
