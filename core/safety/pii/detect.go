package pii

// Built-in kinds, as they appear in placeholders.
const (
	KindPhone  = "PHONE"
	KindIDCard = "IDCARD"
	KindCard   = "CARD"
	KindEmail  = "EMAIL"
)

// match is a detected value: a byte range of a text and its kind.
type match struct {
	start, end int
	kind       string
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// numberToken is a run of digit groups separated by single spaces or dashes,
// with an optional leading '+' and an optional trailing X (for ID numbers).
type numberToken struct {
	plus   bool     // a '+' sits just before groups[0]
	groups [][2]int // byte ranges of the digit groups
	x      bool     // an X or x follows the last group directly
}

// scanNumbers finds phone, ID and card numbers in text.
func scanNumbers(text string, out []match) []match {
	var groups [8][2]int // reused by every token; longer tokens grow it
	for i := 0; i < len(text); {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			i++
			continue
		}
		tok, end := readToken(text, i, groups[:0])
		out = classify(text, tok, out)
		i = end
	}
	return out
}

// readToken reads the number token whose first digit is at i, appending its
// groups to groups, and returns it and the offset after it.
func readToken(text string, i int, groups [][2]int) (numberToken, int) {
	tok := numberToken{plus: i > 0 && text[i-1] == '+' && (i < 2 || !isDigit(text[i-2])), groups: groups}
	for {
		j := i
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		tok.groups = append(tok.groups, [2]int{i, j})
		if j+1 < len(text) && (text[j] == ' ' || text[j] == '-') && isDigit(text[j+1]) {
			i = j + 1
			continue
		}
		if j < len(text) && (text[j] == 'X' || text[j] == 'x') && (j+1 == len(text) || !isAlnum(text[j+1])) {
			tok.x = true
			j++
		}
		return tok, j
	}
}

func isAlnum(c byte) bool { return isDigit(c) || ('a' <= c|0x20 && c|0x20 <= 'z') }

// maxDigits is the most digits any built-in number has (a bank card).
const maxDigits = 19

// classify tries the longest runs of whole groups first, left to right, and
// appends each that is a phone, ID or card number.
func classify(text string, tok numberToken, out []match) []match {
	var digits [maxDigits]byte
	for gi := 0; gi < len(tok.groups); gi++ {
		last, n := gi-1, 0 // the last group that keeps the run within maxDigits
		for last+1 < len(tok.groups) && n+groupLen(tok.groups[last+1]) <= maxDigits {
			last++
			n += groupLen(tok.groups[last])
		}
		for gj := last; gj >= gi; gj-- {
			d := digits[:0]
			for _, g := range tok.groups[gi : gj+1] {
				d = append(d, text[g[0]:g[1]]...)
			}
			plus, x := gi == 0 && tok.plus, gj == len(tok.groups)-1 && tok.x
			if kind, withX := kindOf(d, plus, x); kind != "" {
				out = append(out, newMatch(tok, gi, gj, kind, plus, withX))
				gi = gj
				break
			}
		}
	}
	return out
}

func groupLen(g [2]int) int { return g[1] - g[0] }

// newMatch is the match of groups gi..gj, with the '+' of a phone prefix
// and an ID number's trailing X.
func newMatch(tok numberToken, gi, gj int, kind string, plus, withX bool) match {
	m := match{start: tok.groups[gi][0], end: tok.groups[gj][1], kind: kind}
	if kind == KindPhone && plus {
		m.start--
	}
	if withX {
		m.end++
	}
	return m
}

// kindOf returns the kind of the digits d, given whether a '+' precedes
// them and an X follows them, and whether the X is part of the value.
func kindOf(d []byte, plus, x bool) (kind string, withX bool) {
	switch {
	case x && len(d) == 17 && idChecksum(d) == 'X':
		return KindIDCard, true
	case x:
		return "", false
	case len(d) == 18 && idChecksum(d[:17]) == d[17]:
		return KindIDCard, false
	case len(d) >= 16 && len(d) <= 19 && !plus && luhn(d):
		return KindCard, false
	case plus && len(d) == 13 && string(d[:2]) == "86" && mobile(d[2:]),
		!plus && len(d) == 15 && string(d[:4]) == "0086" && mobile(d[4:]),
		!plus && mobile(d):
		return KindPhone, false
	}
	return "", false
}

// mobile reports whether d is a mainland mobile number: 1[3-9] and 9 more
// digits.
func mobile(d []byte) bool {
	return len(d) == 11 && d[0] == '1' && d[1] >= '3'
}

// idChecksum returns the GB 11643 check character of 17 digits.
func idChecksum(d []byte) byte {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range d[:17] {
		sum += int(c-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// luhn reports whether the digits pass the Luhn check.
func luhn(d []byte) bool {
	sum := 0
	for i := range d {
		n := int(d[len(d)-1-i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	return sum%10 == 0
}
