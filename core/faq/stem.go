package faq

// irregular maps irregular English forms and common contractions (with the
// apostrophe already dropped) to the form their regular relatives stem to.
var irregular = map[string]string{
	"paid": "pay", "sent": "send", "bought": "buy", "sold": "sell", "told": "tell",
	"went": "go", "gone": "go", "got": "get", "gotten": "get", "made": "make",
	"took": "take", "taken": "take", "gave": "give", "given": "give", "came": "come",
	"left": "leave", "lost": "lose", "kept": "keep", "brought": "bring", "found": "find",
	"held": "hold", "spent": "spend", "built": "build", "broke": "break", "broken": "break",
	"chose": "choose", "chosen": "choose", "wrote": "write", "written": "write",
	"forgot": "forget", "forgotten": "forget", "began": "begin", "begun": "begin",
	"ran": "run", "won": "win", "wore": "wear", "worn": "wear", "tore": "tear", "torn": "tear",
	"shipped": "ship", "stopped": "stop", "did": "do", "does": "do", "done": "do",
	"has": "have", "had": "have", "children": "child", "men": "man", "women": "woman",
	"feet": "foot", "teeth": "tooth", "mice": "mouse", "people": "person",
	"dont": "do", "doesnt": "do", "didnt": "do", "cant": "can", "cannot": "can",
	"wont": "will", "isnt": "is", "arent": "are", "wasnt": "was", "havent": "have",
	"hasnt": "have", "im": "i", "ive": "i", "youre": "you", "whats": "what",
	"wheres": "where", "hows": "how", "thats": "that", "theres": "there", "its": "it",
}

// stem returns the stem of a lower-case ASCII word: irregular forms are
// looked up, then plural, past, gerund and a few derivational suffixes
// (-ly, -ment, -ness, -ation) are removed, a doubled final consonant is
// undoubled and a final "e" dropped, so that "ship", "ships", "shipping"
// and "shipped" share a stem, and so do "charge", "charged" and "charging".
// Stems are index keys, not words. It rewrites w in place and returns it.
func stem(w []byte) []byte {
	if r, ok := irregular[string(w)]; ok {
		return append(w[:0], r...)
	}
	if len(w) <= 3 {
		return w
	}
	w = plural(w)
	w = inflection(w)
	w = derivation(w)
	w = undouble(w)
	if n := len(w); n > 3 && w[n-1] == 'e' {
		w = w[:n-1]
	}
	return w
}

// plural removes a plural "s": -ies → -y, -sses → -ss, -(s|x|z|ch|sh)es → -,
// otherwise a final "s" that does not end "ss", "us" or "is".
func plural(w []byte) []byte {
	n := len(w)
	switch {
	case hasSuffix(w, "ies") && n > 4:
		return append(w[:n-3], 'y')
	case hasSuffix(w, "sses"):
		return w[:n-2]
	case hasSuffix(w, "ches"), hasSuffix(w, "shes"), hasSuffix(w, "xes"), hasSuffix(w, "zes"):
		return w[:n-2]
	case w[n-1] == 's' && !hasSuffix(w, "ss") && !hasSuffix(w, "us") && !hasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// inflection removes -ing and -ed (-ied → -y) when a syllable remains.
func inflection(w []byte) []byte {
	n := len(w)
	switch {
	case hasSuffix(w, "ied") && n > 4:
		return append(w[:n-3], 'y')
	case hasSuffix(w, "ing") && hasVowel(w[:n-3]) && n-3 >= 3:
		return w[:n-3]
	case hasSuffix(w, "ed") && hasVowel(w[:n-2]) && n-2 >= 3:
		return w[:n-2]
	}
	return w
}

// derivation removes -ation, -ment and -ness when at least three letters
// remain, and -ly when at least four do ("payment" → "pay", "early" stays).
func derivation(w []byte) []byte {
	for _, suf := range [...]string{"ation", "ment", "ness", "ly"} {
		rest := len(w) - len(suf)
		if hasSuffix(w, suf) && (rest >= 4 || rest == 3 && suf != "ly") {
			return w[:rest]
		}
	}
	return w
}

// undouble drops one of two equal final consonants other than "s"
// ("shipp" → "ship", "cancell" → "cancel").
func undouble(w []byte) []byte {
	n := len(w)
	if n >= 4 && w[n-1] == w[n-2] && !isVowel(w[n-1]) && w[n-1] != 's' {
		return w[:n-1]
	}
	return w
}

func hasSuffix(w []byte, suf string) bool {
	return len(w) >= len(suf) && string(w[len(w)-len(suf):]) == suf
}

func hasVowel(w []byte) bool {
	for _, c := range w {
		if isVowel(c) {
			return true
		}
	}
	return false
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
