package telegram

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// element is one Telegram HTML element. Elements are compared by identity:
// two spans of bold text are two elements even though both are <b>.
type element struct {
	tag  string // b, i, s, code, pre, a, blockquote, tg-spoiler
	attr string // the href of <a>, the language of <code> inside <pre>
}

// segment is a run of visible text and the elements enclosing it, outermost
// first.
type segment struct {
	text string
	path []*element
}

// document is rendered text: visible text with its formatting, ready to be
// split into messages.
type document []segment

// render turns the model's Markdown into a document. It accepts any input:
// what is not well-formed Markdown stays literal text, and a code block the
// stream left open is closed.
func render(md string) document {
	md = strings.ReplaceAll(strings.ToValidUTF8(md, "\uFFFD"), "\r", "")
	var b docBuilder
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); {
		if i > 0 {
			b.text("\n")
		}
		i = renderBlock(&b, lines, i)
	}
	return b.doc
}

var (
	headingRE = regexp.MustCompile(`^ {0,3}#{1,6}(?:[ \t]+|$)`)
	bulletRE  = regexp.MustCompile(`^([ \t]*)[-*+][ \t]+`)
	ruleRE    = regexp.MustCompile(`^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	quoteRE   = regexp.MustCompile(`^ {0,3}> ?`)
	langRE    = regexp.MustCompile(`^[A-Za-z0-9_+#.-]{1,32}$`)
)

// renderBlock renders the block starting at lines[i] and returns the index
// of the line after it.
func renderBlock(b *docBuilder, lines []string, i int) int {
	line := lines[i]
	if fence, lang, ok := openFence(line); ok {
		return renderFence(b, lines, i+1, fence, lang)
	}
	if loc := quoteRE.FindStringIndex(line); loc != nil {
		return renderQuote(b, lines, i)
	}
	switch {
	case ruleRE.MatchString(line):
		b.text("———")
	case headingRE.MatchString(line):
		title := strings.TrimRight(headingRE.ReplaceAllString(line, ""), " \t#")
		b.wrap(&element{tag: "b"}, func() { b.inline(parseInline(title, true)) })
	case bulletRE.MatchString(line):
		m := bulletRE.FindStringSubmatchIndex(line)
		b.text(line[m[2]:m[3]] + "• ")
		b.inline(parseInline(line[m[1]:], true))
	default:
		b.inline(parseInline(line, true))
	}
	return i + 1
}

// openFence reports whether line opens a fenced code block, and returns the
// fence and the block's language.
func openFence(line string) (fence, lang string, ok bool) {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || len(t) < 3 || (t[0] != '`' && t[0] != '~') {
		return "", "", false
	}
	n := 0
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	info := strings.TrimSpace(t[n:])
	if t[0] == '`' && strings.Contains(info, "`") {
		return "", "", false
	}
	if f := strings.Fields(info); len(f) > 0 && langRE.MatchString(f[0]) {
		lang = f[0]
	}
	return t[:n], lang, true
}

// renderFence renders the body of a fenced code block starting at lines[i];
// the block ends at a closing fence or, for an unfinished stream, at the end.
func renderFence(b *docBuilder, lines []string, i int, fence, lang string) int {
	var body []string
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			i++
			break
		}
		body = append(body, lines[i])
	}
	pre, code := &element{tag: "pre"}, &element{tag: "code", attr: lang}
	b.wrap(pre, func() { b.wrap(code, func() { b.text(strings.Join(body, "\n")) }) })
	return i
}

// renderQuote renders consecutive "> " lines as one blockquote.
func renderQuote(b *docBuilder, lines []string, i int) int {
	q := &element{tag: "blockquote"}
	first := i
	b.wrap(q, func() {
		for ; i < len(lines); i++ {
			loc := quoteRE.FindStringIndex(lines[i])
			if loc == nil {
				break
			}
			if i > first {
				b.text("\n")
			}
			b.inline(parseInline(lines[i][loc[1]:], true))
		}
	})
	return i
}

// docBuilder appends segments under a stack of open elements.
type docBuilder struct {
	doc   document
	stack []*element
}

func (b *docBuilder) text(s string) {
	if s == "" {
		return
	}
	if n := len(b.doc); n > 0 && samePath(b.doc[n-1].path, b.stack) {
		b.doc[n-1].text += s
		return
	}
	b.doc = append(b.doc, segment{text: s, path: append([]*element(nil), b.stack...)})
}

func (b *docBuilder) wrap(e *element, body func()) {
	b.stack = append(b.stack, e)
	body()
	b.stack = b.stack[:len(b.stack)-1]
}

func (b *docBuilder) inline(nodes []node) {
	for _, n := range nodes {
		if n.el == nil {
			b.text(n.text)
			continue
		}
		b.wrap(n.el, func() { b.inline(n.kids) })
	}
}

func samePath(a, b []*element) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// node is parsed inline Markdown: literal text, or an element and its
// children.
type node struct {
	text string
	el   *element
	kids []node
}

// delimiterMarks lists, per delimiter character, the marks it makes,
// longest first, and tagOf the element each mark makes.
var (
	delimiterMarks = map[byte][]string{'*': {"**", "*"}, '_': {"__", "_"}, '~': {"~~"}, '|': {"||"}}
	tagOf          = map[string]string{"**": "b", "__": "b", "*": "i", "_": "i", "~~": "s", "||": "tg-spoiler"}
)

// frame is an emphasis opened and not yet closed.
type frame struct {
	mark string
	kids []node
}

// inlineParser parses one line of inline Markdown.
type inlineParser struct {
	s      string
	links  bool
	frames []frame
	lit    strings.Builder
}

// parseInline parses emphasis, code spans and (when links is set) links in
// s. Delimiters that are never closed stay literal text.
func parseInline(s string, links bool) []node {
	p := &inlineParser{s: s, links: links, frames: []frame{{}}}
	for i := 0; i < len(s); {
		i = p.step(i)
	}
	p.flush()
	for len(p.frames) > 1 {
		p.unwind()
	}
	return p.frames[0].kids
}

func (p *inlineParser) step(i int) int {
	c := p.s[i]
	switch {
	case c == '\\' && i+1 < len(p.s) && isASCIIPunct(p.s[i+1]):
		p.lit.WriteByte(p.s[i+1])
		return i + 2
	case c == '`':
		return p.codeSpan(i)
	case c == '[' && p.links:
		if n, ok := p.link(i); ok {
			return n
		}
	case strings.IndexByte("*_~|", c) >= 0:
		if n, ok := p.delimiter(i); ok {
			return n
		}
	}
	// Plain text up to the next character that may start syntax.
	n := strings.IndexAny(p.s[i+1:], "\\`[*_~|")
	if n < 0 {
		n = len(p.s) - i - 1
	}
	p.lit.WriteString(p.s[i : i+1+n])
	return i + 1 + n
}

func (p *inlineParser) flush() {
	if p.lit.Len() > 0 {
		top := &p.frames[len(p.frames)-1]
		top.kids = append(top.kids, node{text: p.lit.String()})
		p.lit.Reset()
	}
}

func (p *inlineParser) add(n node) {
	p.flush()
	top := &p.frames[len(p.frames)-1]
	top.kids = append(top.kids, n)
}

// unwind pops the innermost open frame and keeps its delimiter as text.
func (p *inlineParser) unwind() {
	p.flush()
	f := p.frames[len(p.frames)-1]
	p.frames = p.frames[:len(p.frames)-1]
	top := &p.frames[len(p.frames)-1]
	top.kids = append(top.kids, node{text: f.mark})
	top.kids = append(top.kids, f.kids...)
}

func (p *inlineParser) codeSpan(i int) int {
	n := runLen(p.s, i, '`')
	for j := i + n; j < len(p.s); {
		k := strings.IndexByte(p.s[j:], '`')
		if k < 0 {
			break
		}
		j += k
		m := runLen(p.s, j, '`')
		if m == n {
			body := p.s[i+n : j]
			if len(body) > 2 && body[0] == ' ' && body[len(body)-1] == ' ' {
				body = body[1 : len(body)-1]
			}
			if body != "" {
				p.add(node{el: &element{tag: "code"}, kids: []node{{text: body}}})
			}
			return j + m
		}
		j += m
	}
	p.lit.WriteString(p.s[i : i+n])
	return i + n
}

// link parses [label](url) at i. Only web, mail and tg: links are made
// links; anything else stays text.
func (p *inlineParser) link(i int) (int, bool) {
	close := strings.IndexByte(p.s[i:], ']')
	if close < 0 || i+close+1 >= len(p.s) || p.s[i+close+1] != '(' {
		return 0, false
	}
	label := p.s[i+1 : i+close]
	rest := p.s[i+close+2:]
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return 0, false
	}
	href := strings.TrimSpace(rest[:end])
	if !allowedLink(href) {
		return 0, false
	}
	kids := parseInline(label, false)
	if len(kids) == 0 {
		kids = []node{{text: href}}
	}
	p.add(node{el: &element{tag: "a", attr: href}, kids: kids})
	return i + close + 2 + end + 1, true
}

func allowedLink(href string) bool {
	if strings.ContainsAny(href, " \t\n<>\"") {
		return false
	}
	for _, scheme := range []string{"https://", "http://", "mailto:", "tg://"} {
		if len(href) > len(scheme) && strings.EqualFold(href[:len(scheme)], scheme) {
			return true
		}
	}
	return false
}

// delimiter opens or closes emphasis with the run of delimiter characters
// at i, using CommonMark's flanking rules in a simplified form. A run closes
// the innermost open emphasis it can, else opens the longest mark it holds.
func (p *inlineParser) delimiter(i int) (int, bool) {
	c := p.s[i]
	marks := delimiterMarks[c]
	run := runLen(p.s, i, c)
	if run < len(marks[len(marks)-1]) {
		return 0, false
	}
	prev, _ := utf8.DecodeLastRuneInString(p.s[:i])
	next, _ := utf8.DecodeRuneInString(p.s[i+run:])
	canOpen := i+run < len(p.s) && !unicode.IsSpace(next)
	canClose := i > 0 && !unicode.IsSpace(prev)
	if c == '_' {
		canOpen = canOpen && (i == 0 || !isWordRune(prev))
		canClose = canClose && (i+run >= len(p.s) || !isWordRune(next))
	}
	if canClose {
		for k := len(p.frames) - 1; k > 0; k-- {
			if m := p.frames[k].mark; m[0] == c && len(m) <= run {
				p.closeFrame(k)
				return i + len(m), true
			}
		}
	}
	if canOpen {
		for _, m := range marks {
			if len(m) <= run {
				p.flush()
				p.frames = append(p.frames, frame{mark: m})
				return i + len(m), true
			}
		}
	}
	p.lit.WriteString(p.s[i : i+run])
	return i + run, true
}

// closeFrame closes open frame k, turning the frames opened inside it back
// into text.
func (p *inlineParser) closeFrame(k int) {
	for len(p.frames)-1 > k {
		p.unwind()
	}
	p.flush()
	f := p.frames[k]
	p.frames = p.frames[:k]
	if len(f.kids) == 0 {
		p.lit.WriteString(f.mark + f.mark)
		return
	}
	p.add(node{el: &element{tag: tagOf[f.mark]}, kids: f.kids})
}

func runLen(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

func isASCIIPunct(c byte) bool {
	return c < 0x80 && unicode.IsPunct(rune(c)) || strings.IndexByte("$+<=>^`|~", c) >= 0
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
