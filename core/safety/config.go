package safety

import (
	"fmt"

	"imbot/core/safety/pii"
)

// DefaultRefusalReply is the message-catalogue key of the reply to a
// question that contains a sensitive word.
const DefaultRefusalReply = "safety.refused"

// Config is the [safety] section.
type Config struct {
	// WordsFile is the sensitive words file (see words.Parse); empty turns
	// sensitive-word checks off.
	WordsFile string `toml:"words_file"`
	// RefusalReply is the message-catalogue key of the reply sent instead of
	// an answer when a question contains a sensitive word; the catalogue
	// holds its text in each language.
	RefusalReply string `toml:"refusal_reply"`
	// RestorePII puts masked personal data back into third-party answers;
	// when false the user sees the placeholders.
	RestorePII bool `toml:"restore_pii"`
	// PIIPatterns are operator detectors added to the built-in ones.
	PIIPatterns []pii.Pattern `toml:"pii_patterns"`
	// MaxInputChars refuses a question longer than this many characters;
	// 0 means no limit.
	MaxInputChars int `toml:"max_input_chars"`
}

// DefaultConfig returns the defaults: no words file, the default refusal
// key, restoring on, no patterns and a 4,000-character input limit.
func DefaultConfig() Config {
	return Config{
		RefusalReply:  DefaultRefusalReply,
		RestorePII:    true,
		MaxInputChars: 4000,
	}
}

// Validate returns every problem as "key: problem", keys relative to the
// section ([safety]). It does not read the words file: loading it reports
// its problems with line numbers.
func (c Config) Validate() []string {
	var ps []string
	if c.RefusalReply == "" {
		ps = append(ps, "refusal_reply: is empty")
	}
	if c.MaxInputChars < 0 {
		ps = append(ps, fmt.Sprintf("max_input_chars: %d is negative", c.MaxInputChars))
	}
	for _, p := range pii.Check(c.PIIPatterns) {
		ps = append(ps, "pii_patterns"+p)
	}
	return ps
}
