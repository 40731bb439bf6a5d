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

// validate returns the section's own problems as "texts.key: problem";
// Config.catalog reports the overrides'.
func (t TextsSection) validate() []string {
	if t.Language != string(catalog.ZH) && t.Language != string(catalog.EN) {
		return []string{fmt.Sprintf("texts.language: want \"zh\" or \"en\", got %q", t.Language)}
	}
	return nil
}

// textProblems returns the problems of [texts] and of every key that sets
// a catalogue text, with their key paths.
func (c *Config) textProblems() []string {
	problems := c.Texts.validate()
	if _, err := c.catalog(); err != nil {
		problems = append(problems, strings.Split(err.Error(), "\n")...)
	}
	return problems
}

// buildTexts makes the one catalogue and the one language picker of the
// process.
func buildTexts(cfg Config) (*catalog.Catalog, *catalog.Picker, error) {
	c, err := cfg.catalog()
	if err != nil {
		return nil, nil, err
	}
	return c, catalog.NewPicker(catalog.Lang(cfg.Texts.Language)), nil
}

// catalog returns the message catalogue: the built-in texts, the [texts]
// overrides and the single-text keys of [router], [safety], [dispatcher] and
// [adapters.telegram], each only when the file sets it.
func (c *Config) catalog() (*catalog.Catalog, error) {
	cat, err := catalog.New(c.Texts.Config)
	if err != nil {
		return nil, err
	}
	if err := c.Router.ApplyTexts(cat); err != nil {
		return nil, err
	}
	if err := c.Safety.ApplyTexts(cat); err != nil {
		return nil, err
	}
	if err := c.Dispatcher.ApplyTexts(cat); err != nil {
		return nil, err
	}
	if t := c.Adapters.Telegram.TextOnlyReply; t != "" {
		if err := cat.SetBoth(catalog.TextOnly, t); err != nil {
			return nil, err
		}
	}
	return cat, nil
}
