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
	hash    uint64
	fam     uint8
	stop    bool // from a function word (see stopWeight)
	concept bool // a concept of the thesaurus (see conceptWeight)
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
	stem  []byte // the current Latin word, then its stem
	prev  []byte // the stem of the previous Latin word, nil after other text
	key   []byte // a thesaurus lookup key
}

// features returns the features of s (at most MaxQueryRunes runes of it). The
// returned slice is owned by t and valid until the next call.
func (t *tokenizer) features(s string) []feature {
	t.feats = t.feats[:0]
	t.run = t.run[:0]
	t.prev = t.prev[:0]
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
		t.prev = t.prev[:0]
		t.cjk()
	}
	t.run = t.run[:0]
}

// charGram is the length of the character n-grams of Latin words. 4-grams
// (with word boundaries) rank as well as 3–5-grams on CLINC150 and touch a
// third of the postings.
const charGram = 4

// latin emits a Latin word (its stem when it is ASCII), the concepts of the
// word and of the phrase it ends, and its boundary-marked character 4-grams.
func (t *tokenizer) latin() {
	if t.ascii() {
		t.stem = stem(t.stem)
		t.emitBytes(famWord, 1, t.stem)
		t.concept(t.stem)
		if len(t.prev) > 0 {
			t.key = append(append(append(t.key[:0], t.prev...), ' '), t.stem...)
			t.concept(t.key)
		}
		t.prev = append(t.prev[:0], t.stem...)
	} else {
		t.emit(famWord, 1, t.run, false)
		t.prev = t.prev[:0]
	}
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

// ascii copies the pending run into t.stem and reports whether it is all
// ASCII.
func (t *tokenizer) ascii() bool {
	t.stem = t.stem[:0]
	for _, r := range t.run {
		if r >= utf8.RuneSelf {
			return false
		}
		t.stem = append(t.stem, byte(r))
	}
	return true
}

// concept emits the concept of a thesaurus key, if it has one.
func (t *tokenizer) concept(key []byte) {
	if id, ok := conceptTable[string(key)]; ok {
		t.feats = append(t.feats, feature{hash: conceptHash(id), fam: famWord, concept: true})
	}
}

// conceptHash is the feature hash of concept id; the seed keeps it apart
// from every word and n-gram hash by construction.
func conceptHash(id uint32) uint64 {
	return fnvStep(fnvStart(famWord, 9), uint64(id))
}

// emitBytes appends the feature of the ASCII word w; it hashes as emit does
// for the same letters as runes.
func (t *tokenizer) emitBytes(fam uint8, seed uint64, w []byte) {
	h := fnvStart(fam, seed)
	for _, c := range w {
		h = fnvStep(h, uint64(c))
	}
	t.feats = append(t.feats, feature{hash: h, fam: fam})
}

// emit appends the feature of runes rs in family fam; seed separates n-gram
// lengths so that different kinds of term never share a hash by construction.
func (t *tokenizer) emit(fam uint8, seed uint64, rs []rune, stop bool) {
	h := fnvStart(fam, seed)
	for _, r := range rs {
		h = fnvStep(h, uint64(r))
	}
	t.feats = append(t.feats, feature{hash: h, fam: fam, stop: stop})
}

// FNV-1a over 64-bit symbols, started from the family and the seed.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvStart(fam uint8, seed uint64) uint64 {
	return (fnvOffset ^ (uint64(fam)<<8 | seed)) * fnvPrime
}

func fnvStep(h, x uint64) uint64 { return (h ^ x) * fnvPrime }

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
