package safety

import (
	"fmt"
	"strings"

	"imbot/core/catalog"
	"imbot/core/safety/pii"
)

// Config is the [safety] section.
type Config struct {
	// WordsFile is the sensitive words file (see words.Parse); empty turns
	// sensitive-word checks off.
	WordsFile string `toml:"words_file"`
	// RefusalReply overrides, in every language, the catalogue's reply to a
	// question that contains a sensitive word (sensitive_refused); empty
	// keeps the catalogue's text in the user's language.
	RefusalReply string `toml:"refusal_reply"`
	// RestorePII puts masked personal data back into third-party answers;
	// when false the user sees the placeholders.
	RestorePII bool `toml:"restore_pii"`
	// PIIPatterns are operator detectors added to the built-in ones.
	PIIPatterns []pii.Pattern `toml:"pii_patterns"`
	// MaxInputChars cuts a question to this many characters before a model
	// reads it (the reply then says so); 0 means no limit.
	MaxInputChars int `toml:"max_input_chars"`
}

// DefaultConfig returns the defaults: no words file, the catalogue's
// refusal, restoring on, no patterns and a 4,000-character input limit.
func DefaultConfig() Config {
	return Config{
		RestorePII:    true,
		MaxInputChars: 4000,
	}
}

// ApplyTexts sets refusal_reply, when set, as the catalogue's
// sensitive_refused text in both languages.
func (c Config) ApplyTexts(cat *catalog.Catalog) error {
	if c.RefusalReply == "" {
		return nil
	}
	return cat.SetBoth(catalog.SensitiveRefused, c.RefusalReply)
}

// Validate returns every problem as "key: problem", keys relative to the
// section ([safety]). It does not read the words file: loading it reports
// its problems with line numbers.
func (c Config) Validate() []string {
	var ps []string
	if c.RefusalReply != "" && strings.TrimSpace(c.RefusalReply) == "" {
		ps = append(ps, "refusal_reply: is blank")
	}
	if c.MaxInputChars < 0 {
		ps = append(ps, fmt.Sprintf("max_input_chars: %d is negative", c.MaxInputChars))
	}
	for _, p := range pii.Check(c.PIIPatterns) {
		ps = append(ps, "pii_patterns"+p)
	}
	return ps
}
