package faq

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// Limits on a knowledge base file. A file beyond them is refused with an
// error that says which limit it broke.
const (
	MaxFileBytes    = 16 << 20 // the whole file
	MaxEntries      = 20000    // [[entry]] tables
	MaxQuestions    = 1000     // example questions per entry
	MaxIDBytes      = 128      // bytes in an entry id
	MaxAnswerBytes  = 32 << 10 // bytes in one answer
	MaxQuestionRune = MaxQueryRunes
)

// Entry is one knowledge-base entry: an answer and example questions it
// answers, in any mix of languages.
type Entry struct {
	// ID names the entry; it is unique within a knowledge base and made of
	// letters, digits, '-', '_' and '.'.
	ID string `toml:"id"`
	// Answer is sent as the reply when the entry is chosen, and given to the
	// business chain as a knowledge passage, unless the entry has an answer
	// in the language of the question (see AnswerFor).
	Answer string `toml:"answer,omitempty"`
	// AnswerZH is the answer to questions written mostly in Chinese.
	AnswerZH string `toml:"answer_zh,omitempty"`
	// AnswerEN is the answer to questions written mostly in Latin letters.
	AnswerEN string `toml:"answer_en,omitempty"`
	// Questions are example phrasings of what the entry answers.
	Questions []string `toml:"questions"`
}

// KB is a knowledge base: a list of entries, in file order.
type KB struct {
	Entries []Entry `toml:"entry"`
}

// Load reads and validates the knowledge base file at path.
func Load(path string) (KB, error) {
	f, err := os.Open(path)
	if err != nil {
		return KB{}, fmt.Errorf("faq: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return KB{}, fmt.Errorf("faq: read %s: %w", path, err)
	}
	kb, err := Parse(data)
	if err != nil {
		return KB{}, fmt.Errorf("%w (file %s)", err, path)
	}
	return kb, nil
}

// Parse decodes and validates a knowledge base. Unknown keys are errors, and
// so is every problem Validate finds.
func Parse(data []byte) (KB, error) {
	if len(data) > MaxFileBytes {
		return KB{}, fmt.Errorf("faq: knowledge base is larger than %d bytes", MaxFileBytes)
	}
	var kb KB
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&kb)
	if err != nil {
		return KB{}, fmt.Errorf("faq: parse knowledge base: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return KB{}, fmt.Errorf("faq: parse knowledge base: unknown keys: %s", strings.Join(keys, ", "))
	}
	if err := kb.Validate(); err != nil {
		return KB{}, err
	}
	return kb, nil
}

// Validate reports every problem of the knowledge base in one error, each
// naming the entry by its position (from 1) and id: duplicate or malformed
// ids, empty or oversized answers, missing or oversized questions.
func (kb KB) Validate() error {
	var errs []error
	if len(kb.Entries) == 0 {
		errs = append(errs, errors.New("no [[entry]]"))
	}
	if len(kb.Entries) > MaxEntries {
		errs = append(errs, fmt.Errorf("%d entries, more than %d", len(kb.Entries), MaxEntries))
	}
	seen := make(map[string]int, len(kb.Entries))
	for i, e := range kb.Entries {
		for _, p := range e.problems() {
			errs = append(errs, fmt.Errorf("entry %d (id %q): %s", i+1, e.ID, p))
		}
		if first, dup := seen[e.ID]; dup && e.ID != "" {
			errs = append(errs, fmt.Errorf("entry %d (id %q): duplicate id, first used by entry %d", i+1, e.ID, first))
		} else if !dup {
			seen[e.ID] = i + 1
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("faq: invalid knowledge base: %w", errors.Join(errs...))
}

// AnswerFor returns the answer in the language of query: AnswerZH when it
// has more Han characters than Latin letters, AnswerEN when it has more Latin
// letters, each falling back to Answer and then to the other language.
func (e Entry) AnswerFor(query string) string {
	first, second := e.AnswerZH, e.AnswerEN
	switch han, latin := scriptCounts(query); {
	case latin > han:
		first, second = e.AnswerEN, e.AnswerZH
	case han == latin:
		first = ""
	}
	for _, a := range []string{first, e.Answer, second} {
		if a != "" {
			return a
		}
	}
	return ""
}

// questions returns the number of example questions of kb.
func (kb KB) questions() int {
	n := 0
	for _, e := range kb.Entries {
		n += len(e.Questions)
	}
	return n
}

// answers returns the entry's non-empty answers: Answer, AnswerZH, AnswerEN.
func (e Entry) answers() []string {
	var out []string
	for _, a := range []string{e.Answer, e.AnswerZH, e.AnswerEN} {
		if strings.TrimSpace(a) != "" {
			out = append(out, a)
		}
	}
	return out
}

// problems lists what is wrong with one entry on its own.
func (e Entry) problems() []string {
	var ps []string
	if p := checkID(e.ID); p != "" {
		ps = append(ps, p)
	}
	if len(e.answers()) == 0 {
		ps = append(ps, "empty answer")
	}
	for _, a := range []struct{ key, text string }{{"answer", e.Answer}, {"answer_zh", e.AnswerZH}, {"answer_en", e.AnswerEN}} {
		switch {
		case len(a.text) > MaxAnswerBytes:
			ps = append(ps, fmt.Sprintf("%s is longer than %d bytes", a.key, MaxAnswerBytes))
		case !utf8.ValidString(a.text):
			ps = append(ps, fmt.Sprintf("%s is not valid UTF-8", a.key))
		}
	}
	if len(e.Questions) == 0 {
		ps = append(ps, "no questions")
	}
	if len(e.Questions) > MaxQuestions {
		ps = append(ps, fmt.Sprintf("%d questions, more than %d", len(e.Questions), MaxQuestions))
	}
	for j, q := range e.Questions {
		switch {
		case strings.TrimSpace(q) == "":
			ps = append(ps, fmt.Sprintf("question %d is empty", j+1))
		case utf8.RuneCountInString(q) > MaxQuestionRune:
			ps = append(ps, fmt.Sprintf("question %d is longer than %d characters", j+1, MaxQuestionRune))
		}
	}
	return ps
}

// checkID returns what is wrong with an entry id, or "".
func checkID(id string) string {
	switch {
	case id == "":
		return "empty id"
	case len(id) > MaxIDBytes:
		return fmt.Sprintf("id is longer than %d bytes", MaxIDBytes)
	}
	for _, r := range id {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' && r != '.' {
			return fmt.Sprintf("id contains %q; use letters, digits, '-', '_' and '.'", r)
		}
	}
	return ""
}
