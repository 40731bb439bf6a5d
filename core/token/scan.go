package token

import (
	"unicode"
	"unicode/utf8"
)

// feature indexes one tally the scanner keeps; the estimate is a weighted
// sum of the tallies.
type feature int

const (
	fHan        feature = iota // CJK ideographs
	fHanRun                    // runs of consecutive ideographs
	fKana                      // hiragana and katakana
	fHangul                    // hangul syllables and jamo
	fWidePunct                 // CJK and fullwidth punctuation, curly quotes, dashes
	fWord2                     // words of 1–2 letters
	fWord4                     // words of 3–4 letters
	fWord6                     // words of 5–6 letters
	fWord8                     // words of 7–8 letters
	fWord10                    // words of 9–10 letters
	fWord12                    // words of 11–12 letters
	fWordLong                  // words of 13 letters or more
	fLongLetter                // letters past the 12th in long words
	fWideLetter                // letters outside ASCII in words (é, ж, α…)
	fDigitGroup                // groups of up to three digits
	fPunct                     // ASCII punctuation and symbols
	fPunctRun                  // runs of ASCII punctuation
	fNewlineRun                // runs of line breaks
	fSpaceRun                  // runs of two or more spaces or tabs
	fLoneSpace                 // a single space not followed by a letter
	fOtherByte                 // UTF-8 bytes of anything else (emoji, symbols)
	numFeatures
)

// tally holds the feature counts of one text.
type tally [numFeatures]int

// class is the kind of one character.
type class uint8

const (
	cNone class = iota
	cLetter
	cDigit
	cPunct
	cSpace
	cNewline
	cHan
	cKana
	cHangul
	cWidePunct
	cOther
)

// maxWordBucket is the word length past which extra letters are counted
// one by one.
const maxWordBucket = 12

// scanner walks a text once and keeps the tally; it carries the state of
// the run (word, digits, spaces…) it is in.
type scanner struct {
	t      tally
	run    class
	runLen int // characters in the current run
	wide   int // non-ASCII letters in the current word
}

// scan returns the tally of text. It never allocates and accepts any bytes:
// invalid UTF-8 counts as other bytes.
func scan(text string) tally {
	var s scanner
	for i := 0; i < len(text); {
		b := text[i]
		if b < utf8.RuneSelf {
			s.add(asciiClass(b), rune(b), 1)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		s.add(runeClass(r), r, size)
		i += size
	}
	s.endRun(cNone)
	return s.t
}

// add accounts one character of class c, rune r, encoded in size bytes.
func (s *scanner) add(c class, r rune, size int) {
	if c != s.run {
		s.endRun(c)
		s.run, s.runLen, s.wide = c, 0, 0
	}
	s.runLen++
	switch c {
	case cLetter:
		if r >= utf8.RuneSelf {
			s.wide++
		}
	case cHan:
		s.t[fHan]++
	case cKana:
		s.t[fKana]++
	case cHangul:
		s.t[fHangul]++
	case cWidePunct:
		s.t[fWidePunct]++
	case cPunct:
		s.t[fPunct]++
	case cOther:
		s.t[fOtherByte] += size
	}
}

// endRun closes the current run; next is the class of the character that
// follows it (cNone at the end of the text).
func (s *scanner) endRun(next class) {
	switch s.run {
	case cLetter:
		s.endWord()
	case cDigit:
		s.t[fDigitGroup] += (s.runLen + 2) / 3
	case cPunct:
		s.t[fPunctRun]++
	case cNewline:
		s.t[fNewlineRun]++
	case cHan:
		s.t[fHanRun]++
	case cSpace:
		s.endSpaces(next)
	}
}

func (s *scanner) endWord() {
	n := s.runLen
	switch {
	case n <= 2:
		s.t[fWord2]++
	case n <= 4:
		s.t[fWord4]++
	case n <= 6:
		s.t[fWord6]++
	case n <= 8:
		s.t[fWord8]++
	case n <= 10:
		s.t[fWord10]++
	case n <= maxWordBucket:
		s.t[fWord12]++
	default:
		s.t[fWordLong]++
		s.t[fLongLetter] += n - maxWordBucket
	}
	s.t[fWideLetter] += s.wide
}

// endSpaces accounts a run of spaces: a single space joins the letters,
// ideographs or punctuation after it in BPE, but not digits or line ends.
func (s *scanner) endSpaces(next class) {
	if s.runLen >= 2 {
		s.t[fSpaceRun]++
		return
	}
	switch next {
	case cLetter, cHan, cKana, cHangul, cPunct:
	default:
		s.t[fLoneSpace]++
	}
}

func asciiClass(b byte) class {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z':
		return cLetter
	case '0' <= b && b <= '9':
		return cDigit
	case b == ' ' || b == '\t':
		return cSpace
	case b == '\n' || b == '\r':
		return cNewline
	case b < ' ' || b == 0x7f:
		return cOther
	}
	return cPunct
}

func runeClass(r rune) class {
	switch {
	case r == utf8.RuneError:
		return cOther
	case isHan(r):
		return cHan
	case 0x3040 <= r && r <= 0x30FF, 0x31F0 <= r && r <= 0x31FF:
		return cKana
	case 0xAC00 <= r && r <= 0xD7AF, 0x1100 <= r && r <= 0x11FF, 0x3130 <= r && r <= 0x318F:
		return cHangul
	case 0x3000 <= r && r <= 0x303F, 0xFF00 <= r && r <= 0xFFEF, 0x2000 <= r && r <= 0x206F:
		return cWidePunct
	case unicode.IsLetter(r):
		return cLetter
	case unicode.IsDigit(r):
		return cDigit
	case unicode.IsSpace(r):
		return cSpace
	}
	return cOther
}

func isHan(r rune) bool {
	return 0x4E00 <= r && r <= 0x9FFF || 0x3400 <= r && r <= 0x4DBF ||
		0xF900 <= r && r <= 0xFAFF || 0x20000 <= r && r <= 0x2FFFF
}
