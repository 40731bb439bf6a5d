package telegram

import (
	"strings"
	"unicode/utf16"
)

// maxMessageLen is Telegram's limit on the text of one message, in UTF-16
// code units after entity parsing.
const maxMessageLen = 4096

// chunk is the text of one Telegram message, as HTML and as the plain text
// that is sent when Telegram cannot parse the HTML.
type chunk struct {
	HTML  string
	Plain string
}

// split cuts d into messages of at most limit UTF-16 units of visible text.
// It cuts at a paragraph break, else a line break, else a space, preferring
// a cut in the second half of the window, and cuts a word only when a
// window holds no space at all. The whitespace at a cut is dropped; so are
// chunks of whitespace only, which Telegram refuses. Elements open at a cut
// are closed at the end of one message and opened again in the next.
func split(d document, limit int) []chunk {
	var visible strings.Builder
	for _, s := range d {
		visible.WriteString(s.text)
	}
	text := visible.String()
	var out []chunk
	for _, r := range cutPoints(text, limit) {
		c := build(d, r[0], r[1])
		if strings.TrimSpace(c.Plain) != "" {
			out = append(out, c)
		}
	}
	return out
}

// cutPoints returns the [start, end) byte ranges of text that become
// messages.
func cutPoints(text string, limit int) [][2]int {
	var out [][2]int
	for p := 0; p < len(text); {
		e := window(text, p, limit)
		if e == len(text) {
			out = append(out, [2]int{p, e})
			break
		}
		w := text[p:e]
		if text[e] == ' ' || text[e] == '\n' {
			w = text[p : e+1] // a break right after the window is a break too
		}
		cut, next := breakPoint(w)
		out = append(out, [2]int{p, p + min(cut, e-p)})
		p += next
	}
	return out
}

// window returns the largest rune boundary e with text[p:e] at most limit
// UTF-16 units long.
func window(text string, p, limit int) int {
	units := 0
	for i, r := range text[p:] {
		units += utf16.RuneLen(r)
		if units > limit {
			return p + i
		}
	}
	return len(text)
}

// breakPoint picks where to cut w, the window of text that fits (and the
// whitespace byte after it, if any): cut is where the message ends and next
// is where the following one starts.
func breakPoint(w string) (cut, next int) {
	seps := []string{"\n\n", "\n", " "}
	for _, min := range []int{len(w) / 2, 1} {
		for _, sep := range seps {
			if i := strings.LastIndex(w, sep); i >= min {
				return len(strings.TrimRight(w[:i], " \n")), i + len(sep)
			}
		}
	}
	return len(w), len(w)
}

// build renders the visible text between byte offsets start and end of d
// as balanced HTML.
func build(d document, start, end int) chunk {
	var html, plain strings.Builder
	var open []*element
	pos := 0
	for _, s := range d {
		lo, hi := max(start, pos), min(end, pos+len(s.text))
		pos += len(s.text)
		if lo >= hi {
			continue
		}
		part := s.text[lo-(pos-len(s.text)) : hi-(pos-len(s.text))]
		open = transition(&html, open, s.path)
		writeEscaped(&html, part)
		plain.WriteString(part)
	}
	transition(&html, open, nil)
	return chunk{HTML: html.String(), Plain: plain.String()}
}

// transition closes the elements of open that are not in path and opens
// those of path that are not open, returning the new open stack.
func transition(b *strings.Builder, open, path []*element) []*element {
	common := 0
	for common < len(open) && common < len(path) && open[common] == path[common] {
		common++
	}
	for i := len(open) - 1; i >= common; i-- {
		b.WriteString("</" + open[i].tag + ">")
	}
	for _, e := range path[common:] {
		writeOpenTag(b, e)
	}
	return append(open[:common:common], path[common:]...)
}

func writeOpenTag(b *strings.Builder, e *element) {
	switch {
	case e.tag == "a":
		b.WriteString(`<a href="`)
		writeEscaped(b, e.attr)
		b.WriteString(`">`)
	case e.tag == "code" && e.attr != "":
		b.WriteString(`<code class="language-`)
		writeEscaped(b, e.attr)
		b.WriteString(`">`)
	default:
		b.WriteString("<" + e.tag + ">")
	}
}

// writeEscaped writes s with the characters Telegram's HTML parser
// reserves replaced by entities.
func writeEscaped(b *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '"':
			rep = "&quot;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(rep)
		last = i + 1
	}
	b.WriteString(s[last:])
}
