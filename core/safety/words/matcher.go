package words

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Replacement is what replaces each run of masked text.
const Replacement = "***"

// Hit is one sensitive word found in a text.
type Hit struct {
	List string // the name of the list the word came from
	Word string // the word as written in its list
}

// Matcher finds sensitive words of one or more lists. It is read-only after
// New: any number of goroutines may use it at once.
type Matcher struct {
	f     folder
	a     *automaton
	words []string
	list  []int32 // list[k] indexes lists for word k
	lists []string
}

// New builds a matcher of the lists. A word in more than one list (after
// folding) is reported with the first list. It returns an error for a
// duplicate or empty list name and for an empty or over-long word.
func New(lists ...List) (*Matcher, error) {
	m := &Matcher{f: newFolder()}
	names, seen := map[string]bool{}, map[string]bool{}
	var keys [][]rune
	for li, l := range lists {
		if err := m.addList(l, names); err != nil {
			return nil, err
		}
		for _, w := range l.Words {
			if err := checkWord(w); err != nil || strings.TrimSpace(w) == "" {
				return nil, fmt.Errorf("words: list %q: word %q: %w", l.Name, w, orEmpty(err))
			}
			k := m.f.foldString(w)
			if seen[string(k)] {
				continue
			}
			seen[string(k)] = true
			keys = append(keys, k)
			m.words = append(m.words, w)
			m.list = append(m.list, int32(li))
		}
	}
	m.a = buildAutomaton(keys)
	return m, nil
}

// addList records a list's name, refusing an empty or repeated one.
func (m *Matcher) addList(l List, names map[string]bool) error {
	if l.Name == "" || names[l.Name] {
		return fmt.Errorf("words: list name %q is empty or repeated", l.Name)
	}
	names[l.Name] = true
	m.lists = append(m.lists, l.Name)
	return nil
}

// orEmpty names the only problem checkWord does not report.
func orEmpty(err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("empty")
}

// Lists returns the names of the matcher's lists, in order.
func (m *Matcher) Lists() []string { return append([]string(nil), m.lists...) }

// MaxLen is the length in runes of the longest word: the most a Stream
// holds back.
func (m *Matcher) MaxLen() int { return m.a.maxLen }

// Contains reports the first sensitive word found in text.
func (m *Matcher) Contains(text string) (Hit, bool) {
	var s int32
	for i := 0; i < len(text); {
		r, w := decode(text, i)
		i += w
		s = m.a.next(s, m.f.fold(r))
		if m.a.nodes[s].outLen > 0 {
			k := m.a.nodes[s].outKey
			return Hit{List: m.lists[m.list[k]], Word: m.words[k]}, true
		}
	}
	return Hit{}, false
}

// span is a half-open range of a text, in bytes or runes as noted.
type span struct{ start, end int }

// Mask returns text with every hit replaced by Replacement; overlapping hits are
// replaced by one Replacement. Text without hits is returned as it is.
func (m *Matcher) Mask(text string) string {
	var ring [2 * MaxWordRunes]int // byte offsets of the last runes
	const ringMask = len(ring) - 1
	var spans []span
	var s int32
	n := 0
	for i := 0; i < len(text); n++ {
		r, w := decode(text, i)
		ring[n&ringMask] = i
		i += w
		s = m.a.next(s, m.f.fold(r))
		if l := int(m.a.nodes[s].outLen); l > 0 {
			spans = mergeSpan(spans, span{ring[(n+1-l)&ringMask], i})
		}
	}
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, sp := range spans {
		b.WriteString(text[last:sp.start])
		b.WriteString(Replacement)
		last = sp.end
	}
	b.WriteString(text[last:])
	return b.String()
}

// mergeSpan appends sp to spans (sorted, not overlapping), merging every
// span it overlaps; sp ends at or after every span.
func mergeSpan(spans []span, sp span) []span {
	for len(spans) > 0 && sp.start < spans[len(spans)-1].end {
		sp.start = min(sp.start, spans[len(spans)-1].start)
		spans = spans[:len(spans)-1]
	}
	return append(spans, sp)
}

// decode returns the rune at text[i] and its width; an invalid byte is
// utf8.RuneError of width 1.
func decode(text string, i int) (rune, int) {
	if c := text[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(text[i:])
}
