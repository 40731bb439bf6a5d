package core

import (
	"fmt"
	"strings"
	"time"

	"imbot/core/catalog"
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
	// DegradedReply, when set, replaces the catalogue's degraded replies
	// (degraded_unavailable and degraded_timeout) in both languages.
	DegradedReply string `toml:"degraded_reply"`
	// InterruptedNotice, when set, replaces the catalogue's interrupted
	// notice in both languages.
	InterruptedNotice string `toml:"interrupted_notice"`
	// CacheEntries bounds the answer cache: first-turn questions a model
	// answered completely. 0 turns the cache off.
	CacheEntries int `toml:"cache_entries"`
	// CacheTTL is how long a cached answer may be served.
	CacheTTL time.Duration `toml:"cache_ttl"`
	// CacheServe serves a cached answer before asking the chains; without
	// it the cache only answers when every provider failed.
	CacheServe bool `toml:"cache_serve"`
	// Admins may run admin commands such as /faq add: "platform:user_id".
	Admins []string `toml:"admins"`
	// DailyTokens is a per-user daily token budget; past it the user's
	// questions go to the general (cheaper) chain only. 0 turns it off.
	DailyTokens int `toml:"daily_tokens"`
	// DailyTokensFAQOnly is a second, larger budget; past it the user gets
	// only knowledge base answers and BudgetReply otherwise. 0 turns it off.
	DailyTokensFAQOnly int `toml:"daily_tokens_faq_only"`
	// BudgetReply, when set, replaces the catalogue's budget_faq_only text
	// (the answer, past DailyTokensFAQOnly, to what the FAQ cannot answer)
	// in both languages.
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
		CacheEntries:    1000,
		CacheTTL:        24 * time.Hour,
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
	if c.CacheEntries < 0 {
		p = append(p, "cache_entries: must not be negative")
	}
	if c.CacheEntries > 0 && c.CacheTTL <= 0 {
		p = append(p, "cache_ttl: must be positive when cache_entries is set")
	}
	if c.CacheServe && c.CacheEntries == 0 {
		p = append(p, "cache_serve: needs cache_entries above 0")
	}
	if c.DailyTokens < 0 || c.DailyTokensFAQOnly < 0 {
		p = append(p, "daily_tokens: budgets must not be negative")
	}
	if c.DailyTokens > 0 && c.DailyTokensFAQOnly > 0 && c.DailyTokensFAQOnly < c.DailyTokens {
		p = append(p, "daily_tokens_faq_only: must be at least daily_tokens")
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

// ApplyTexts sets the catalogue texts that the single-text keys
// degraded_reply, interrupted_notice and budget_reply replace, in both
// languages; an empty key leaves the catalogue's texts.
func (c RouterConfig) ApplyTexts(cat *catalog.Catalog) error {
	return setBoth(cat, map[catalog.ID]string{
		catalog.Degraded: c.DegradedReply, catalog.DegradedUnavailable: c.DegradedReply, catalog.DegradedTimeout: c.DegradedReply,
		catalog.Interrupted: c.InterruptedNotice, catalog.BudgetFAQOnly: c.BudgetReply,
	})
}
