package main

import (
	"fmt"
	"strings"

	"imbot/core/catalog"
)

// TextsSection is the [texts] section: the language of last resort and the
// operator's overrides of the message catalogue, [texts.zh] and [texts.en].
type TextsSection struct {
	// Language answers a user whose language nothing else tells: "zh" or
	// "en".
	Language string `toml:"language"`
	catalog.Config
}

// validate returns the section's problems as "texts.key: problem".
func (t TextsSection) validate() []string {
	var problems []string
	if t.Language != string(catalog.ZH) && t.Language != string(catalog.EN) {
		problems = append(problems, fmt.Sprintf("texts.language: want \"zh\" or \"en\", got %q", t.Language))
	}
	if _, err := catalog.New(t.Config); err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	}
	return problems
}

// buildTexts makes the one catalogue and the one language picker of the
// process: the built-in texts, the [texts] overrides, and the older
// single-text keys, each only when the file sets it.
func buildTexts(cfg Config) (*catalog.Catalog, *catalog.Picker, error) {
	c, err := catalog.New(cfg.Texts.Config)
	if err != nil {
		return nil, nil, err
	}
	for id, text := range map[catalog.ID]string{
		catalog.Busy:        cfg.Dispatcher.BusyReply,
		catalog.RateLimited: cfg.Dispatcher.RateLimitedReply,
		catalog.TextOnly:    cfg.Adapters.Telegram.TextOnlyReply,
	} {
		if text == "" {
			continue
		}
		if err := c.SetBoth(id, text); err != nil {
			return nil, nil, err
		}
	}
	return c, catalog.NewPicker(catalog.Lang(cfg.Texts.Language)), nil
}
