package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"imbot/core/catalog"
	"imbot/core/experiment"
	"imbot/core/metric"
	"imbot/core/token"
)

// RouterDeps are what a Router uses. History and General are required.
type RouterDeps struct {
	History History
	General Streamer
	// Business answers questions the knowledge base matches partly, with
	// General as its fallback; nil uses General alone (pass nil rather than
	// General itself, which would be asked twice).
	Business Streamer
	// Knowledge is the FAQ tier; nil disables it. When it implements
	// KnowledgeVersioner, cached answers are keyed by its version.
	Knowledge Knowledge
	// Unanswered records questions for the knowledge base's owner; nil
	// records nothing.
	Unanswered UnansweredLog
	// Privacy masks personal data for third-party providers; nil sends
	// every provider the raw conversation.
	Privacy *Privacy
	// Usage counts each user's daily tokens for the budgets; nil disables
	// them.
	Usage UsageMeter
	// Catalog holds every text a user reads; nil uses the built-in texts.
	Catalog *catalog.Catalog
	// Picker picks the language of each reply; nil uses a Picker of its
	// own that falls back to English.
	Picker *catalog.Picker
	// Count estimates tokens; nil uses token.Count.
	Count func(string) int
	// ObserveUsage, when set, is told the prompt of every answered call and
	// the prompt tokens its provider reported, to calibrate Count.
	ObserveUsage func(provider string, prompt []ModelMessage, reportedPromptTokens int)
	Logger       *slog.Logger
	Metrics      metric.Meter
	Now          func() time.Time
	// Experiments assigns users to experiment arms, whose system prompt
	// and general chain replace the router's; nil runs none.
	Experiments *experiment.Assigner
	// ArmChains are the general chains of the arms that set one, by arm
	// name.
	ArmChains map[string]Streamer
}

// Router answers questions: from the knowledge base when it is sure,
// otherwise from provider chains with the conversation's history, and,
// when every provider fails, from the fallbacks in a fixed order (see
// fallback). It implements Answerer and is safe for concurrent use.
type Router struct {
	deps    RouterDeps
	metrics routerMetrics
	cfg     atomic.Pointer[RouterConfig]
	zone    atomic.Pointer[time.Location] // where a budget day starts
	cache   *answerCache
	// business is the business chain followed by the general one.
	business []Streamer
}

var _ Answerer = (*Router)(nil)

// NewRouter returns a router. It starts nothing.
func NewRouter(cfg RouterConfig, deps RouterDeps) (*Router, error) {
	if deps.History == nil || deps.General == nil {
		return nil, errors.New("core: router needs a history and a general chain")
	}
	business := []Streamer{deps.General}
	if deps.Business != nil {
		business = []Streamer{deps.Business, deps.General}
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
	if deps.Picker == nil {
		deps.Picker = catalog.NewPicker(catalog.EN)
	}
	if _, err := cfg.location(); err != nil {
		return nil, fmt.Errorf("core: router timezone: %w", err)
	}
	r := &Router{deps: deps, metrics: newRouterMetrics(deps.Metrics), business: business,
		cache: newAnswerCache(cfg.CacheEntries, cfg.CacheTTL, deps.Now)}
	r.SetConfig(cfg)
	return r, nil
}

// SetConfig replaces, in one step, the configuration (system prompt,
// history bounds, budgets and their timezone, admins, cache serving) for turns and commands
// that start later (on reload). The chains and the answer cache's size and
// lifetime stay those of NewRouter: General, Business, cache_entries and
// cache_ttl are read only at construction; the texts come from the
// catalogue, which a reload replaces in place. cfg must be valid.
func (r *Router) SetConfig(cfg RouterConfig) {
	zone, err := cfg.location()
	if err != nil {
		zone = time.Local // Validate reports a bad zone; NewRouter refuses it
	}
	r.zone.Store(zone)
	r.cfg.Store(&cfg)
}

// config returns the configuration in force.
func (r *Router) config() *RouterConfig { return r.cfg.Load() }

// Admins returns the users who may run admin commands ("platform:user_id"),
// as the configuration in force names them.
func (r *Router) Admins() []string { return r.config().Admins }

// modelTurn is what one turn's model calls and fallbacks share.
type modelTurn struct {
	env    Envelope
	lang   catalog.Lang
	match  KnowledgeMatch
	prompt []ModelMessage
	// req is the request of prompt, with its masked form when the prompt
	// holds personal data.
	req ModelRequest
	// cacheable is set for a first-turn question without personal data,
	// whose answer the cache keeps under key.
	cacheable bool
	key       answerKey
}

// Answer implements Answerer: the knowledge base answers when it is sure;
// otherwise the user's budget and the match's tier pick the chains, and
// askChains answers from them.
func (r *Router) Answer(ctx context.Context, env Envelope, w ReplyWriter) Answer {
	lang := env.Lang // picked once, when the message arrived
	if lang == "" {
		lang = r.deps.Picker.Pick(env.Sender(), env.Text, env.LangHint)
	}
	arm, _ := r.deps.Experiments.Assign(env.Sender())
	match := armTier(r.lookup(ctx, env.Text), arm)
	if match.Tier == TierAnswer && env.Burst > 1 {
		match.Tier = TierBusiness // the FAQ answers a single message only
	}
	r.metrics.tier(match.Tier)
	ans := r.answer(ctx, env, lang, match, arm, w)
	ans.QuestionTokens = r.deps.Count(env.Text)
	ans.Arm = arm.Name
	return ans
}

// armTier decides m's tier again under arm's FAQ thresholds, when the arm
// sets them: answer at or above the answer threshold (never for a short
// question), business at or above the business one, else general.
func armTier(m KnowledgeMatch, arm experiment.Config) KnowledgeMatch {
	if arm.AnswerThreshold == nil || arm.BusinessThreshold == nil {
		return m
	}
	switch {
	case m.EntryID == "":
		m.Tier = TierGeneral
	case m.Confidence >= *arm.AnswerThreshold && !m.Short:
		m.Tier = TierAnswer
	case m.Confidence >= *arm.BusinessThreshold:
		m.Tier = TierBusiness
	default:
		m.Tier = TierGeneral
	}
	return m
}

// armed returns the general chain and the system prompt of arm: the arm's
// overrides, else the router's own.
func (r *Router) armed(arm experiment.Config) (Streamer, string) {
	general, system := r.deps.General, r.config().SystemPrompt
	if c, ok := r.deps.ArmChains[arm.Name]; ok && arm.Name != "" {
		general = c
	}
	if arm.SystemPrompt != "" {
		system = arm.SystemPrompt
	}
	return general, system
}

// answer picks the tier's reply: the knowledge base's answer, the budget
// reply, or the chains' answer.
func (r *Router) answer(ctx context.Context, env Envelope, lang catalog.Lang, match KnowledgeMatch, arm experiment.Config, w ReplyWriter) Answer {
	if match.Tier == TierAnswer {
		return Answer{Reply: Reply{Text: match.Answer, Route: RouteFAQ}, ReplyTokens: r.deps.Count(match.Answer)}
	}
	allowance := r.budgetOf(ctx, env)
	if allowance == budgetFAQOnly {
		return Answer{Reply: Reply{Text: r.text(lang, catalog.BudgetFAQOnly), Route: RouteDegraded}}
	}
	general, system := r.armed(arm)
	chains := []Streamer{general}
	if env.Context != "" {
		system += "\n\n" + env.Context
	}
	if match.Tier == TierBusiness {
		system = withPassages(system, match.Passages)
		if env.Burst < 2 { // a burst's joined text is no question for the knowledge base
			r.recordUnanswered(ctx, env, ReasonLowConfidence, match)
		}
		if allowance == budgetFull {
			chains = r.business
		}
	}
	t := modelTurn{env: env, lang: lang, match: match, prompt: r.prompt(ctx, env, system)}
	firstQuestion := r.cache != nil && len(t.prompt) == 2 && env.Burst < 2
	t.req = r.deps.Privacy.request(t.prompt, firstQuestion)
	t.req.Conversation = env.Conversation().String()
	// An answer about someone's personal data is never kept for others,
	// nor held where forget-user cannot reach it.
	if t.cacheable = firstQuestion && t.req.Masked == nil; t.cacheable {
		t.key = cacheKey(env.Text, system, r.knowledgeVersion())
	}
	return r.askChains(ctx, t, chains, w)
}

// askChains serves a fresh cached answer when cache_serve allows it, else
// asks each chain in turn until one answers (the business chain hands over
// to the general one), and falls back when none did.
func (r *Router) askChains(ctx context.Context, t modelTurn, chains []Streamer, w ReplyWriter) Answer {
	if r.config().CacheServe && t.cacheable {
		if a, ok := r.cache.get(t.key); ok {
			reply := a.reply
			reply.Route = RouteCache
			return Answer{Reply: reply, ReplyTokens: a.replyTokens}
		}
	}
	var err error
	for i, chain := range chains {
		var ans Answer
		var complete bool
		if ans, complete, err = r.askModel(ctx, t, chain, w); err == nil {
			if complete && t.cacheable {
				r.cache.put(t.key, ans.Reply, ans.ReplyTokens)
			}
			return ans
		}
		if ctx.Err() != nil {
			break
		}
		if i+1 < len(chains) {
			r.deps.Logger.Warn("business chain failed: asking the general chain", "platform", t.env.Platform,
				"msg_id", t.env.MessageID, "err", err)
		}
	}
	return r.fallback(ctx, t, err)
}

// askModel streams chain's answer into w, reports the prompt's usage for
// calibration and charges the user's budget. It returns the model's reply
// (complete), the text so far when the reader stopped the reply, or the text
// so far with the interrupted notice when the stream broke; or chain's error
// when no text came.
func (r *Router) askModel(ctx context.Context, t modelTurn, chain Streamer, w ReplyWriter) (Answer, bool, error) {
	res, err := r.stream(ctx, chain, t.req, w)
	if r.deps.ObserveUsage != nil && res.Usage.PromptTokens > 0 {
		r.deps.ObserveUsage(res.Provider, t.prompt, res.Usage.PromptTokens)
	}
	replyTokens := res.Usage.CompletionTokens
	if replyTokens == 0 {
		replyTokens = r.deps.Count(res.Text)
	}
	if res.Text != "" {
		r.spend(ctx, t.env, promptTokens(res, t.prompt, r.deps.Count)+replyTokens)
	}
	reply := Reply{Text: res.Text, Route: RouteModel, Provider: res.Provider, Model: res.Model}
	switch {
	case err == nil:
		return Answer{Reply: reply, ReplyTokens: replyTokens}, true, nil
	case stoppedByReader(ctx):
		return Answer{Reply: reply, ReplyTokens: replyTokens}, false, nil
	case res.Interrupted && res.Text != "":
		r.metrics.interrupted()
		r.deps.Logger.Warn("reply interrupted", "platform", t.env.Platform, "msg_id", t.env.MessageID, "provider", res.Provider, "err", err)
		reply.Text += "\n\n" + r.text(t.lang, catalog.Interrupted)
		return Answer{Reply: reply, ReplyTokens: replyTokens}, false, nil
	}
	return Answer{}, false, err
}

// lookup asks the knowledge base, if there is one.
func (r *Router) lookup(ctx context.Context, question string) KnowledgeMatch {
	if r.deps.Knowledge == nil {
		return KnowledgeMatch{}
	}
	return r.deps.Knowledge.Lookup(ctx, question)
}

// stream runs the chain, forwarding the growing text to w.
func (r *Router) stream(ctx context.Context, chain Streamer, req ModelRequest, w ReplyWriter) (ModelResult, error) {
	var text strings.Builder
	return chain.Stream(ctx, req, func(chunk string) {
		text.WriteString(chunk)
		if err := w.Update(ctx, text.String()); err != nil {
			r.deps.Logger.Debug("reply update failed", "err", err)
		}
	})
}

// prompt builds the model's messages: the system prompt, as much history as
// fits the token budget, and the question. Degraded replies are left out:
// they carry nothing a model should build on.
func (r *Router) prompt(ctx context.Context, env Envelope, system string) []ModelMessage {
	history := r.history(ctx, env)
	msgs := make([]ModelMessage, 0, len(history)+2)
	msgs = append(msgs, ModelMessage{Role: "system", Content: system})
	for _, m := range history {
		if m.Route != RouteDegraded {
			msgs = append(msgs, ModelMessage{Role: string(m.Role), Content: m.Text})
		}
	}
	return append(msgs, ModelMessage{Role: string(RoleUser), Content: env.Text})
}

// history returns the newest earlier messages of env's conversation that
// fit the token budget, oldest first.
func (r *Router) history(ctx context.Context, env Envelope) []Message {
	cfg := r.config()
	if cfg.HistoryTokens == 0 || cfg.HistoryMessages == 0 {
		return nil
	}
	msgs, err := r.recent(ctx, env, cfg.HistoryMessages)
	if err != nil {
		r.deps.Logger.Error("load history; answering without it", "err", err)
		return nil
	}
	left, first := cfg.HistoryTokens, len(msgs)
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
	return msgs[first:]
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
		At: r.deps.Now(), Reason: reason, Candidates: match.Candidates, User: env.UserID}
	if err := r.deps.Unanswered.AddUnanswered(context.WithoutCancel(ctx), q); err != nil {
		r.deps.Logger.Error("record unanswered question", "err", err)
	}
}
