package catalog

import (
	"strings"
	"unicode"
)

// hanWeight is how many Latin letters one Han character counts for: a
// Chinese word is one or two characters, an English one about five letters.
const hanWeight = 3

// Detect returns the language text is written in: zh when Han characters
// outweigh Latin letters, en when Latin letters do, and false when it has
// neither (a bare command, emoji, digits, a single letter) or is mostly in
// another script. A leading /command word and @mentions are not counted.
func Detect(text string) (Lang, bool) {
	var han, latin, other int
	for _, w := range strings.Fields(text) {
		if isCommandOrMention(w) {
			continue
		}
		for _, r := range w {
			switch {
			case unicode.Is(unicode.Han, r):
				han++
			case unicode.Is(unicode.Latin, r) && unicode.IsLetter(r):
				latin++
			case unicode.IsLetter(r):
				other++
			}
		}
	}
	zh, en := han*hanWeight, latin
	switch {
	case other > zh && other > en:
		return "", false
	case han > 0 && zh >= en:
		return ZH, true
	case latin >= 2:
		return EN, true
	}
	return "", false
}

// isCommandOrMention reports a word like /help, /help@bot or @bot.
func isCommandOrMention(w string) bool {
	return strings.HasPrefix(w, "/") || strings.HasPrefix(w, "@")
}

// FromTag maps a platform's language code (Telegram's "zh-hans", "en-US",
// a browser's "zh_CN") to a catalogue language, and reports whether it is
// one the catalogue has.
func FromTag(tag string) (Lang, bool) {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	switch Lang(primary) {
	case ZH:
		return ZH, true
	case EN:
		return EN, true
	}
	return "", false
}
