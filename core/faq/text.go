package faq

import (
	"unicode"
	"unicode/utf8"
)

// MaxQueryRunes bounds the part of a query that is indexed or searched; the
// rest is ignored so that a huge message costs no more than a long one.
const MaxQueryRunes = 1000

// Feature families. Each family is weighted and length-normalised on its own,
// so the similarity of two texts is a weighted mean of per-family cosines.
const (
	famWord  = iota // Latin words and CJK character bigrams
	famChar         // Latin character 4-grams within words, CJK unigrams and bigrams
	famCount        // number of families
)

// feature is one hashed term of a text and the family it belongs to.
type feature struct {
	hash uint64
	fam  uint8
	stop bool // from a function word (see stopWeight)
}

// runeClass says how the tokenizer treats a (folded) rune.
type runeClass uint8

const (
	classSep    runeClass = iota // separator: punctuation, space, symbols
	classLetter                  // part of a word: letters and digits outside CJK scripts
	classCJK                     // an ideograph or kana/hangul: each is its own unit
	classJoin                    // apostrophe: dropped, joining its neighbours ("what's" → "whats")
)

// fold maps a rune to the form it is indexed under: full-width ASCII becomes
// ASCII and letters become lower case.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// classify reports the class of a folded rune.
func classify(r rune) runeClass {
	if r < utf8.RuneSelf {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			return classLetter
		case r == '\'':
			return classJoin
		}
		return classSep
	}
	switch {
	case r == '’':
		return classJoin
	case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
		return classCJK
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.Is(unicode.Mn, r):
		return classLetter
	}
	return classSep
}

// Word boundary markers for character n-grams; they cannot occur in a word.
const (
	markStart rune = 0x02
	markEnd   rune = 0x03
)

// tokenizer turns text into features. Its buffers are reused between calls, so
// one tokenizer must not be used by two goroutines at once.
type tokenizer struct {
	run   []rune
	word  []rune
	feats []feature
}

// features returns the features of s (at most MaxQueryRunes runes of it). The
// returned slice is owned by t and valid until the next call.
func (t *tokenizer) features(s string) []feature {
	t.feats = t.feats[:0]
	t.run = t.run[:0]
	cur := classSep
	n := 0
	for _, r := range s {
		if n == MaxQueryRunes {
			break
		}
		n++
		r = fold(r)
		c := classify(r)
		if c == classJoin {
			continue
		}
		if c != cur || c == classSep {
			t.flush(cur)
			cur = c
		}
		if c != classSep {
			t.run = append(t.run, r)
		}
	}
	t.flush(cur)
	return t.feats
}

// flush emits the features of the pending run of class c and empties it.
func (t *tokenizer) flush(c runeClass) {
	switch c {
	case classLetter:
		t.latin()
	case classCJK:
		t.cjk()
	}
	t.run = t.run[:0]
}

// charGram is the length of the character n-grams of Latin words. 4-grams
// (with word boundaries) rank as well as 3–5-grams on CLINC150 and touch a
// third of the postings.
const charGram = 4

// latin emits a Latin word and its boundary-marked character 4-grams.
func (t *tokenizer) latin() {
	t.emit(famWord, 1, t.run, false)
	w := append(append(append(t.word[:0], markStart), t.run...), markEnd)
	t.word = w
	for i := 0; i+charGram <= len(w); i++ {
		t.emit(famChar, charGram, w[i:i+charGram], false)
	}
}

// cjk emits the character unigrams and bigrams of a run of CJK characters; a
// bigram also counts as a word, and so does a lone character.
func (t *tokenizer) cjk() {
	if len(t.run) == 1 {
		t.emit(famWord, 1, t.run, cjkStop(t.run[0]))
	}
	for i, r := range t.run {
		stop := cjkStop(r)
		t.emit(famChar, 1, t.run[i:i+1], stop)
		if i+1 < len(t.run) {
			stop2 := stop || cjkStop(t.run[i+1])
			t.emit(famChar, 2, t.run[i:i+2], stop2)
			t.emit(famWord, 2, t.run[i:i+2], stop2)
		}
	}
}

// emit appends the feature of runes rs in family fam; seed separates n-gram
// lengths so that different kinds of term never share a hash by construction.
func (t *tokenizer) emit(fam uint8, seed uint64, rs []rune, stop bool) {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset) ^ (uint64(fam)<<8 | seed)
	h *= prime
	for _, r := range rs {
		h ^= uint64(r)
		h *= prime
	}
	t.feats = append(t.feats, feature{hash: h, fam: fam, stop: stop})
}

// MinContent is the fewest content units (Latin words and CJK characters) a
// query needs to be answered directly from the knowledge base.
const MinContent = 2

// contentUnits counts the Latin words and CJK characters of s, up to
// MinContent (which is all a caller needs to know).
func contentUnits(s string) int {
	n, inWord := 0, false
	for _, r := range s {
		c := classify(fold(r))
		switch {
		case c == classCJK:
			n++
			inWord = false
		case c == classLetter:
			if !inWord {
				n++
			}
			inWord = true
		case c != classJoin:
			inWord = false
		}
		if n >= MinContent {
			break
		}
	}
	return n
}

// scriptCounts counts the Han characters and the Latin letters of s.
func scriptCounts(s string) (han, latin int) {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	return han, latin
}
