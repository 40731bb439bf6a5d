package words

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// t2sTable is the embedded traditional→simplified table: one pair per line,
// the traditional character then the simplified one. It covers common
// characters only (see docs/safety.md), not a full conversion (no phrases,
// no one-to-many characters).
//
//go:embed t2s.txt
var t2sTable string

// No rune in [caselessLo, caselessHi) (kana, CJK, Yi) has a lower-case
// form, so fold skips unicode.ToLower there; a test checks it.
const caselessLo, caselessHi = 0x3040, 0xA640

// folder maps a rune to its folded form: ASCII and full-width Latin letters
// to lower case, full-width ASCII to half-width, the ideographic space to a
// space, common traditional characters to simplified ones, and any other
// letter through unicode.ToLower. It is read-only after newFolder.
type folder struct {
	lo  rune
	t2s []rune // t2s[r-lo] is the simplified form of r, or 0
}

// newFolder builds the dense traditional→simplified lookup from the table.
func newFolder() folder {
	pairs := parsePairs(t2sTable)
	if len(pairs) == 0 {
		return folder{}
	}
	lo, hi := pairs[0][0], pairs[0][0]
	for _, p := range pairs {
		lo, hi = min(lo, p[0]), max(hi, p[0])
	}
	f := folder{lo: lo, t2s: make([]rune, hi-lo+1)}
	for _, p := range pairs {
		f.t2s[p[0]-lo] = p[1]
	}
	return f
}

// parsePairs reads the lines of the table that hold exactly two runes.
func parsePairs(table string) [][2]rune {
	var pairs [][2]rune
	for line := range strings.Lines(table) {
		rs := []rune(strings.TrimSpace(line))
		if len(rs) == 2 && rs[0] != rs[1] {
			pairs = append(pairs, [2]rune{rs[0], rs[1]})
		}
	}
	return pairs
}

// fold returns the folded form of r.
func (f *folder) fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		return f.fold(r - 0xFEE0)
	case r == 0x3000:
		return ' '
	}
	if i := r - f.lo; i >= 0 && int(i) < len(f.t2s) && f.t2s[i] != 0 {
		return f.t2s[i]
	}
	if r >= caselessLo && r < caselessHi {
		return r
	}
	return unicode.ToLower(r)
}

// foldString folds every rune of s.
func (f *folder) foldString(s string) []rune {
	rs := make([]rune, 0, len(s))
	for _, r := range s {
		rs = append(rs, f.fold(r))
	}
	return rs
}
