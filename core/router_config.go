package core

import (
	"fmt"
	"strings"
	"time"
)

// RouterConfig is the router's part of the [router] section; the knowledge
// base's keys (faq_file, thresholds, knowledge_passages, embeddings) sit in
// the same section but belong to the FAQ package.
type RouterConfig struct {
	// General is the provider chain for general questions, in order.
	General []string `toml:"general"`
	// Business is the provider chain for questions the knowledge base
	// partly matches; empty falls back to General.
	Business []string `toml:"business"`
	// SystemPrompt starts every model prompt.
	SystemPrompt string `toml:"system_prompt"`
	// HistoryTokens is the token budget for earlier messages in a prompt.
	HistoryTokens int `toml:"history_tokens"`
	// HistoryMessages caps how many earlier messages are read before the
	// token budget trims them.
	HistoryMessages int `toml:"history_messages"`
	// DegradedReply answers when every provider failed.
	DegradedReply string `toml:"degraded_reply"`
	// InterruptedNotice ends a reply whose stream broke midway.
	InterruptedNotice string `toml:"interrupted_notice"`
	// Admins may run admin commands such as /faq add: "platform:user_id".
	Admins []string `toml:"admins"`
	// DailyTokens is a per-user daily token budget; past it the user's
	// questions go to the general (cheaper) chain only. 0 turns it off.
	DailyTokens int `toml:"daily_tokens"`
	// DailyTokensFAQOnly is a second, larger budget; past it the user gets
	// only knowledge base answers and BudgetReply otherwise. 0 turns it off.
	DailyTokensFAQOnly int `toml:"daily_tokens_faq_only"`
	// BudgetReply answers, past DailyTokensFAQOnly, what the FAQ cannot.
	BudgetReply string `toml:"budget_reply"`
	// Timezone is the IANA zone (e.g. "Asia/Shanghai") whose midnight
	// starts a budget day; empty uses the system's zone.
	Timezone string `toml:"timezone"`
}

// DefaultRouterConfig returns the defaults of the [router] section.
func DefaultRouterConfig() RouterConfig {
	return RouterConfig{
		General:         []string{"local"},
		SystemPrompt:    "You are a helpful assistant.",
		HistoryTokens:   3000,
		HistoryMessages: 100,
		DegradedReply: "Sorry, I can't answer right now. Please try again in a minute.\n" +
			"(Operator: no model is reachable. Set OPENAI_BASE_URL, OPENAI_API_KEY and OPENAI_MODEL, " +
			"or start a local Ollama at http://127.0.0.1:11434, then restart imbot.)",
		InterruptedNotice: "\n\n[The answer was cut off because the model stopped responding.]",
		BudgetReply: "You have used today's budget for model answers. I can still answer common questions " +
			"from the knowledge base; for anything else, please try again tomorrow.",
	}
}

// Validate reports every problem as "key: problem". providers names the
// configured providers, which the chains must refer to.
func (c RouterConfig) Validate(providers []string) []string {
	var p []string
	known := make(map[string]bool, len(providers))
	for _, n := range providers {
		known[n] = true
	}
	if len(c.General) == 0 {
		p = append(p, "general: must name at least one provider")
	}
	for key, chain := range map[string][]string{"general": c.General, "business": c.Business} {
		for i, n := range chain {
			if !known[n] {
				p = append(p, fmt.Sprintf("%s[%d]: no provider named %q (known: %s)", key, i, n, strings.Join(providers, ", ")))
			}
		}
	}
	if c.HistoryTokens < 0 {
		p = append(p, "history_tokens: must not be negative")
	}
	if c.HistoryMessages < 0 {
		p = append(p, "history_messages: must not be negative")
	}
	if strings.TrimSpace(c.DegradedReply) == "" {
		p = append(p, "degraded_reply: must not be empty (users must never get silence)")
	}
	if c.DailyTokens < 0 || c.DailyTokensFAQOnly < 0 {
		p = append(p, "daily_tokens: budgets must not be negative")
	}
	if c.DailyTokens > 0 && c.DailyTokensFAQOnly > 0 && c.DailyTokensFAQOnly < c.DailyTokens {
		p = append(p, "daily_tokens_faq_only: must be at least daily_tokens")
	}
	if c.DailyTokensFAQOnly > 0 && strings.TrimSpace(c.BudgetReply) == "" {
		p = append(p, "budget_reply: must not be empty when daily_tokens_faq_only is set")
	}
	for i, a := range c.Admins {
		if _, _, ok := strings.Cut(a, ":"); !ok {
			p = append(p, fmt.Sprintf("admins[%d]: %q is not \"platform:user_id\"", i, a))
		}
	}
	if _, err := c.location(); err != nil {
		p = append(p, fmt.Sprintf("timezone: %q is not an IANA zone such as Asia/Shanghai", c.Timezone))
	}
	return p
}

// location is the zone of Timezone: the system's when empty.
func (c RouterConfig) location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.Local, nil
	}
	return time.LoadLocation(c.Timezone)
}
