package pii

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Masker replaces personal data with placeholders. It is read-only after
// New: any number of goroutines may use it at once.
type Masker struct {
	patterns []compiled
}

// New returns a masker with the built-in detectors and the patterns; it
// returns the patterns' problems (see Check) as one error.
func New(patterns []Pattern) (*Masker, error) {
	if ps := Check(patterns); len(ps) > 0 {
		return nil, errors.New("pii: " + strings.Join(ps, "; "))
	}
	m := &Masker{}
	for _, p := range patterns {
		c, _ := compile(p) // checked above
		m.patterns = append(m.patterns, c)
	}
	return m, nil
}

// find returns the values in text, ordered and not overlapping: e-mail
// addresses first, then numbers, then the patterns, each kept only where
// nothing found before it lies.
func (m *Masker) find(text string) []match {
	found := scanEmails(text, nil)
	for _, n := range scanNumbers(text, nil) {
		found = addFree(found, n)
	}
	for _, p := range m.patterns {
		for _, loc := range p.re.FindAllStringIndex(text, -1) {
			if loc[0] < loc[1] {
				found = addFree(found, match{start: loc[0], end: loc[1], kind: p.kind})
			}
		}
	}
	slices.SortFunc(found, func(a, b match) int { return a.start - b.start })
	return found
}

// addFree appends m unless it overlaps a match in found.
func addFree(found []match, m match) []match {
	for _, f := range found {
		if m.start < f.end && f.start < m.end {
			return found
		}
	}
	return append(found, m)
}

// Mask returns the messages (the conversation window, oldest first, then
// the current message) with each value replaced by its placeholder, and the
// mapping. Placeholders are numbered per kind by first appearance; equal
// values share one; a number whose placeholder already appears literally in
// a message is skipped, so restoring cannot touch the user's own text.
func (m *Masker) Mask(msgs []string) ([]string, *Mapping) {
	mp := newMapping(msgs)
	out := make([]string, len(msgs))
	for i, text := range msgs {
		found := m.find(text)
		if len(found) == 0 {
			out[i] = text
			continue
		}
		var b strings.Builder
		last := 0
		for _, f := range found {
			b.WriteString(text[last:f.start])
			b.WriteString(mp.placeholder(f.kind, text[f.start:f.end]))
			last = f.end
		}
		b.WriteString(text[last:])
		out[i] = b.String()
	}
	return out, mp
}

// Mapping maps the placeholders of one masked window back to the values. It
// is read-only after Mask returns: any number of goroutines may use it.
type Mapping struct {
	values   map[string]string // placeholder → value
	byValue  map[string]string // value → placeholder
	next     map[string]int    // kind → last number used
	reserved map[string]bool   // placeholders written by the user
	keys     []string          // placeholders in order of first appearance
	maxLen   int               // longest placeholder, in bytes
}

func newMapping(msgs []string) *Mapping {
	mp := &Mapping{
		values:   map[string]string{},
		byValue:  map[string]string{},
		next:     map[string]int{},
		reserved: map[string]bool{},
	}
	for _, t := range msgs {
		for i := strings.IndexByte(t, '['); i >= 0; {
			if n := placeholderLen(t[i:]); n > 0 {
				mp.reserved[t[i:i+n]] = true
			}
			j := strings.IndexByte(t[i+1:], '[')
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	return mp
}

// placeholderLen returns the length of the placeholder-shaped prefix of s,
// [KIND_N] with KIND upper-case letters, digits and '_', or 0.
func placeholderLen(s string) int {
	end := strings.IndexByte(s, ']')
	if end < 4 {
		return 0
	}
	body := s[1:end]
	u := strings.LastIndexByte(body, '_')
	if u < 1 || body[0] < 'A' || body[0] > 'Z' || strings.ContainsFunc(body[:u], func(r rune) bool {
		return !('A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_')
	}) {
		return 0
	}
	if n, err := strconv.Atoi(body[u+1:]); err != nil || n < 1 || strconv.Itoa(n) != body[u+1:] {
		return 0
	}
	return end + 1
}

// placeholder returns value's placeholder, making one if it is new.
func (mp *Mapping) placeholder(kind, value string) string {
	if p, ok := mp.byValue[value]; ok {
		return p
	}
	var p string
	for {
		mp.next[kind]++
		p = "[" + kind + "_" + strconv.Itoa(mp.next[kind]) + "]"
		if !mp.reserved[p] {
			break
		}
	}
	mp.values[p], mp.byValue[value] = value, p
	mp.keys = append(mp.keys, p)
	mp.maxLen = max(mp.maxLen, len(p))
	return p
}

// Len is the number of placeholders.
func (mp *Mapping) Len() int { return len(mp.keys) }

// Placeholders returns the placeholders in order of first appearance.
func (mp *Mapping) Placeholders() []string { return slices.Clone(mp.keys) }

// Value returns the original value of a placeholder.
func (mp *Mapping) Value(placeholder string) (string, bool) {
	v, ok := mp.values[placeholder]
	return v, ok
}
