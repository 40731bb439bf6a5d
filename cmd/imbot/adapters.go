package main

import (
	"errors"

	"imbot/adapters/feishu"
	"imbot/adapters/telegram"
	"imbot/adapters/web"
	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/feedback"
)

// buildAdapters constructs the enabled adapters.
func (d *daemon) buildAdapters() ([]core.Adapter, error) {
	var out []core.Adapter
	ac := d.cfg.Adapters
	votes := feedback.New(d.store, d.store, d.log.With("component", "feedback"), d.metrics)
	if ac.Web.Enabled {
		a, err := web.New(ac.Web, d.store, web.WithLogger(d.log), web.WithMetrics(d.metrics),
			web.WithChatList(d.store), web.WithSuggestions(d.suggestions), web.WithTexts(d.texts, d.picker), web.WithFeedback(votes.Record))
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if ac.Telegram.Enabled {
		a, err := telegram.New(ac.Telegram, d.store, telegram.WithLogger(d.log), telegram.WithMetrics(d.metrics),
			telegram.WithTexts(d.texts, d.picker), telegram.WithReplyRefs(d.store), telegram.WithFeedback(votes.Record),
			telegram.WithLeadership(d.coord.leader))
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if ac.Feishu.Enabled {
		a, err := feishu.New(ac.Feishu, feishu.WithLogger(d.log), feishu.WithMetrics(d.metrics), feishu.WithTexts(d.texts, d.picker),
			feishu.WithReplyRefs(d.store), feishu.WithReplyIndex(d.store), feishu.WithFeedback(votes.Record))
		if err != nil {
			return nil, err
		}
		d.feishu = a
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("no adapter is enabled: enable [adapters.web], [adapters.telegram] or [adapters.feishu]")
	}
	return out, nil
}

// suggestions are the knowledge base's example questions for a new web chat.
func (d *daemon) suggestions(lang catalog.Lang) []string {
	return d.knowledge.Examples(lang, suggestionCount)
}
