package markdown

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Feishu renders the answer as Feishu card markdown (the markdown element
// of a JSON 2.0 card): headings as bold lines, tables as aligned text in a
// code block, code blocks, links, lists, quotes and emphasis kept. Text is
// escaped so that it shows as written, raw HTML included, and every code
// fence is closed.
func (d *Doc) Feishu() string {
	b := &feishuBuilder{src: d.src, startsLine: true}
	b.blocks(d.root, "\n\n")
	return b.out.String()
}

// feishuBuilder writes card markdown.
type feishuBuilder struct {
	src    []byte
	out    strings.Builder
	bold   bool // inside bold text, where more bold would close it
	struck bool // inside struck-through text, where more would close it
	inLink bool // inside a link's label, where links cannot nest
	// startsLine says whether empty output is at the start of a line.
	startsLine bool
}

// sub renders body with a fresh builder and returns what it wrote.
func (b *feishuBuilder) sub(body func(*feishuBuilder)) string {
	s := &feishuBuilder{src: b.src, bold: b.bold, inLink: b.inLink, startsLine: b.atLineStart()}
	body(s)
	return s.out.String()
}

func (b *feishuBuilder) blocks(parent ast.Node, sep string) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		if c != parent.FirstChild() {
			b.out.WriteString(sep)
		}
		b.block(c)
	}
}

func (b *feishuBuilder) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		b.inlines(n)
	case *ast.Heading:
		b.emphasis("**", n)
	case *ast.ThematicBreak:
		b.out.WriteString("---")
	case *ast.FencedCodeBlock:
		b.fence(codeOf(n, b.src), language(n, b.src))
	case *ast.CodeBlock:
		b.fence(codeOf(n, b.src), "")
	case *ast.HTMLBlock:
		b.out.WriteString(escapeLines(escapeText(htmlBlockOf(n, b.src))))
	case *ast.Blockquote:
		inner := b.sub(func(s *feishuBuilder) { s.blocks(n, "\n\n") })
		b.out.WriteString(prefixLines(inner, "> ", "> "))
	case *ast.List:
		b.list(n)
	case *east.Table:
		tb := &richBuilder{src: b.src, plain: true}
		b.fence(tableText(n, tb.cellText), "")
	default:
		b.blocks(n, "\n\n")
	}
}

// atLineStart reports whether what is written next starts a line.
func (b *feishuBuilder) atLineStart() bool {
	s := b.out.String()
	if s == "" {
		return b.startsLine
	}
	return s[len(s)-1] == '\n'
}

// text writes literal text, escaped, and at the start of a line with the
// markers that would start a block escaped too.
func (b *feishuBuilder) text(t string) {
	t = escapeText(t)
	if b.atLineStart() {
		t = escapeLineStart(t)
	}
	b.plainText(t)
}

// plainText writes escaped text that may continue the current line. After
// a line that so far holds only digits ("1"), text such as "." or "0)"
// would complete an ordered-list marker made of two pieces: its delimiter
// gets a backslash.
func (b *feishuBuilder) plainText(t string) {
	if n, ok := b.lineDigits(); ok {
		k := leadingDigits(t)
		if n+k <= 9 && k < len(t) && (t[k] == '.' || t[k] == ')') {
			t = t[:k] + "\\" + t[k:]
		}
	}
	b.out.WriteString(t)
}

// lineDigits returns how many digits the line being written holds when,
// after its indentation, it holds nothing else (and at least one).
func (b *feishuBuilder) lineDigits() (int, bool) {
	s := b.out.String()
	nl := strings.LastIndexByte(s, '\n')
	if nl < 0 && !b.startsLine {
		return 0, false
	}
	line := strings.TrimLeft(s[nl+1:], " \t")
	n := leadingDigits(line)
	return n, n > 0 && n == len(line)
}

func leadingDigits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// fence writes a fenced code block whose fence is longer than any run of
// backticks in body.
func (b *feishuBuilder) fence(body, lang string) {
	f := strings.Repeat("`", max(3, longestRun(body, '`')+1))
	b.out.WriteString(f + lang + "\n")
	if body != "" {
		b.out.WriteString(body + "\n")
	}
	b.out.WriteString(f)
}

// list writes bullet or numbered items with the list's own delimiter (two
// adjacent lists stay two lists), their further lines indented four spaces,
// which Feishu takes as one level.
func (b *feishuBuilder) list(n *ast.List) {
	sep := "\n"
	if !n.IsTight {
		sep = "\n\n"
	}
	num := n.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		if item != n.FirstChild() {
			b.out.WriteString(sep)
		}
		marker := string(n.Marker) + " "
		if n.IsOrdered() {
			marker = strconv.Itoa(num) + string(n.Marker) + " "
			num++
		}
		inner := b.sub(func(s *feishuBuilder) { s.blocks(item, "\n") })
		b.out.WriteString(prefixLines(inner, marker, "    "))
	}
}

func (b *feishuBuilder) inlines(parent ast.Node) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		b.inline(c)
	}
}

func (b *feishuBuilder) inline(n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		b.text(textOf(n, b.src))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.out.WriteString("\n")
		}
	case *ast.String:
		b.text(string(n.Value))
	case *ast.CodeSpan:
		b.codeSpan(codeSpanOf(n, b.src))
	case *ast.Emphasis:
		mark := "*"
		if n.Level >= 2 {
			mark = "**"
		}
		b.emphasis(mark, n)
	case *east.Strikethrough:
		b.emphasis("~~", n)
	case *ast.Link:
		b.link(n, n.Destination)
	case *ast.Image:
		b.link(n, n.Destination)
	case *ast.AutoLink:
		href, label := autoLinkOf(n, b.src)
		b.anchor(href, escapeText(label))
	case *ast.RawHTML:
		b.text(rawHTMLOf(n, b.src))
	default:
		b.inlines(n)
	}
}

// emphasis wraps n's inlines in mark, dropping bold inside bold,
// strikethrough inside strikethrough (four tildes at the start of a line
// would open a code fence) and marks around nothing.
func (b *feishuBuilder) emphasis(mark string, n ast.Node) {
	if mark == "**" && b.bold || mark == "~~" && b.struck {
		b.inlines(n)
		return
	}
	inner := b.sub(func(s *feishuBuilder) {
		s.bold = s.bold || mark == "**"
		s.struck = s.struck || mark == "~~"
		s.inlines(n)
	})
	trimmed := strings.TrimSpace(inner)
	if trimmed == "" {
		b.out.WriteString(inner)
		return
	}
	lead := inner[:strings.Index(inner, trimmed)]
	b.out.WriteString(lead + mark + trimmed + mark + inner[len(lead)+len(trimmed):])
}

func (b *feishuBuilder) codeSpan(code string) {
	code = strings.ReplaceAll(code, "\n", " ")
	if strings.TrimSpace(code) == "" {
		b.out.WriteString(code)
		return
	}
	run := longestRun(code, '`')
	if run >= 2 {
		// Three backticks could read as a code fence: show the text.
		b.out.WriteString(escapeText(code))
		return
	}
	ticks := strings.Repeat("`", run+1)
	if strings.HasPrefix(code, "`") || strings.HasSuffix(code, "`") {
		code = " " + code + " "
	}
	b.out.WriteString(ticks + code + ticks)
}

// link writes a link or image as a link when Feishu opens its target (http
// and https only; a card cannot show an image by address), else its label
// with the target after it.
func (b *feishuBuilder) link(n ast.Node, dest []byte) {
	label := b.sub(func(s *feishuBuilder) {
		s.inLink = true
		s.inlines(n)
	})
	href, ok := destination(dest, "http://", "https://")
	if !ok || b.inLink {
		b.plainText(label)
		if href != "" && escapeText(href) != label {
			b.out.WriteString(" (" + escapeText(href) + ")")
		}
		return
	}
	if strings.TrimSpace(label) == "" {
		label = escapeText(href)
	}
	b.anchor(href, label)
}

// anchor writes [label](href) when Feishu opens href, else label and href
// as text.
func (b *feishuBuilder) anchor(href, label string) {
	if _, ok := destination([]byte(href), "http://", "https://"); !ok || b.inLink {
		b.plainText(label)
		return
	}
	b.out.WriteString("[" + label + "](" + escapeURL(href) + ")")
}

// escapeText escapes the characters of s that card markdown would take as
// syntax or HTML. Markdown punctuation gets a backslash only where it
// could start or end formatting, so ordinary text ("2 * 3", "a\\b",
// "[1]") reads as written.
func escapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '<':
			b.WriteString("&lt;")
		case c == '>':
			b.WriteString("&gt;")
		case c == '&':
			b.WriteString("&amp;")
		case needsBackslash(s, i):
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// needsBackslash reports whether the punctuation at s[i] could be read as
// Markdown syntax. The ends of s count as letters: what is next to them is
// not known.
func needsBackslash(s string, i int) bool {
	before, after := byte('x'), byte('x')
	if i > 0 {
		before = s[i-1]
	}
	if i+1 < len(s) {
		after = s[i+1]
	}
	switch s[i] {
	case '`', '~':
		return true
	case '\\':
		return isPunct(after)
	case ']':
		return after == '('
	case '*':
		return !isSpace(before) || !isSpace(after)
	case '_':
		intraword := i > 0 && i+1 < len(s) && isAlnum(before) && isAlnum(after)
		return !intraword && (!isSpace(before) || !isSpace(after))
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

func isPunct(c byte) bool {
	return c < 0x80 && strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

// escapeLines escapes markers that would start a heading, quote, list,
// rule or table at the beginning of a line of text.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = escapeLineStart(l)
	}
	return strings.Join(lines, "\n")
}

func escapeLineStart(l string) string {
	t := strings.TrimLeft(l, " \t")
	ind := l[:len(l)-len(t)]
	if t == "" {
		return l
	}
	if strings.ContainsRune("#>-+=|*_", rune(t[0])) {
		return ind + "\\" + t
	}
	d := leadingDigits(t)
	if d > 0 && d <= 9 && d < len(t) && (t[d] == '.' || t[d] == ')') {
		return ind + t[:d] + "\\" + t[d:]
	}
	return l
}

// escapeURL percent-encodes what would end a link target early.
func escapeURL(s string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(s)
}

// prefixLines puts first before the first line of s and rest before each
// further non-empty one.
func prefixLines(s, first, rest string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		switch {
		case i == 0:
			lines[i] = first + l
		case l != "" || strings.TrimSpace(rest) != "":
			lines[i] = rest + l
		}
	}
	return strings.Join(lines, "\n")
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
