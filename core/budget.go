package core

import (
	"context"
	"time"
)

// UsageMeter counts tokens per key and day. It is safe for concurrent use.
type UsageMeter interface {
	// AddUsage adds tokens (not negative) to the counter of key on day
	// ("YYYY-MM-DD" in the router's timezone).
	AddUsage(ctx context.Context, key, day string, tokens int) error
	// Usage returns the counter of key on day; 0 when nothing was added.
	Usage(ctx context.Context, key, day string) (int, error)
}

// budget is how much model use a user has left today.
type budget uint8

const (
	budgetFull    budget = iota // every tier
	budgetCheap                 // past daily_tokens: the general chain only
	budgetFAQOnly               // past daily_tokens_faq_only: no model calls
)

// budgetsOn reports whether any daily budget is configured.
func (r *Router) budgetsOn() bool {
	cfg := r.config()
	return r.deps.Usage != nil && (cfg.DailyTokens > 0 || cfg.DailyTokensFAQOnly > 0)
}

// usageKey names a user's counter for today: a day starts at midnight in
// the router's timezone.
func (r *Router) usageKey(env Envelope) (key, day string) {
	return env.Sender(), r.deps.Now().In(r.zone.Load()).Format(time.DateOnly)
}

// budgetOf returns env's user's budget state. A failing meter grants the
// full budget: a bookkeeping fault must not cost users their answers.
func (r *Router) budgetOf(ctx context.Context, env Envelope) budget {
	if !r.budgetsOn() {
		return budgetFull
	}
	key, day := r.usageKey(env)
	used, err := r.deps.Usage.Usage(ctx, key, day)
	cfg := r.config()
	switch {
	case err != nil:
		r.deps.Logger.Error("read token usage; budget not applied", "err", err)
		return budgetFull
	case cfg.DailyTokensFAQOnly > 0 && used >= cfg.DailyTokensFAQOnly:
		return budgetFAQOnly
	case cfg.DailyTokens > 0 && used >= cfg.DailyTokens:
		return budgetCheap
	}
	return budgetFull
}

// spend adds a turn's model tokens to the user's counter for today.
func (r *Router) spend(ctx context.Context, env Envelope, tokens int) {
	if !r.budgetsOn() || tokens <= 0 {
		return
	}
	key, day := r.usageKey(env)
	if err := r.deps.Usage.AddUsage(context.WithoutCancel(ctx), key, day, tokens); err != nil {
		r.deps.Logger.Error("record token usage", "err", err)
	}
}
