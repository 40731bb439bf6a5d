package markdown

import (
	"slices"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// Format is one element of Telegram's HTML parse mode around a run of text.
// Formats are compared by identity: two bold spans are two Formats, so a
// cut text can reopen exactly the elements that were open at the cut.
type Format struct {
	// Tag is one of b, i, s, code, pre, a and blockquote.
	Tag string
	// Attr is the href of an a, or the language of a code inside a pre.
	Attr string
}

// Span is a run of visible text and the formats around it, outermost
// first.
type Span struct {
	Text   string
	Format []*Format
}

// Rich is text formatted for Telegram: the visible text in spans. Its HTML
// is always balanced and uses only tags Telegram accepts.
type Rich []Span

// Telegram renders the answer for Telegram's HTML parse mode: headings as
// bold lines, lists as "• " and "1. " lines, tables as aligned text in a
// pre block, and links only to http, https, tg and mailto addresses.
func (d *Doc) Telegram() Rich {
	b := &richBuilder{src: d.src}
	b.blocks(d.root, 0, "\n\n")
	return b.rich()
}

// Plain renders the answer as plain text for a terminal: the visible text
// of the Telegram rendering, with each link's address after its label.
func (d *Doc) Plain() string {
	b := &richBuilder{src: d.src, plain: true}
	b.blocks(d.root, 0, "\n\n")
	return b.rich().Text()
}

// Text returns the visible text.
func (r Rich) Text() string {
	var b strings.Builder
	for _, s := range r {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Slice returns the part of r between byte offsets start and end of its
// Text, keeping the formats around it.
func (r Rich) Slice(start, end int) Rich {
	var out Rich
	pos := 0
	for _, s := range r {
		lo, hi := max(start, pos), min(end, pos+len(s.Text))
		if lo < hi {
			out = append(out, Span{Text: s.Text[lo-pos : hi-pos], Format: s.Format})
		}
		pos += len(s.Text)
	}
	return out
}

// HTML returns r in Telegram's HTML parse mode: every element it opens it
// closes, and "<", ">", "&" and '"' in text are entities.
func (r Rich) HTML() string {
	var b strings.Builder
	var open []*Format
	for _, s := range r {
		if s.Text == "" {
			continue
		}
		open = transition(&b, open, s.Format)
		writeEscaped(&b, s.Text)
	}
	transition(&b, open, nil)
	return b.String()
}

// transition closes the formats of open that are not in path and opens
// those of path that are not open, returning the new open stack.
func transition(b *strings.Builder, open, path []*Format) []*Format {
	common := 0
	for common < len(open) && common < len(path) && open[common] == path[common] {
		common++
	}
	for i := len(open) - 1; i >= common; i-- {
		b.WriteString("</" + open[i].Tag + ">")
	}
	for _, f := range path[common:] {
		writeOpenTag(b, f)
	}
	return append(open[:common:common], path[common:]...)
}

func writeOpenTag(b *strings.Builder, f *Format) {
	switch {
	case f.Tag == "a":
		b.WriteString(`<a href="`)
		writeEscaped(b, f.Attr)
		b.WriteString(`">`)
	case f.Tag == "code" && f.Attr != "":
		b.WriteString(`<code class="language-`)
		writeEscaped(b, f.Attr)
		b.WriteString(`">`)
	default:
		b.WriteString("<" + f.Tag + ">")
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

// richBuilder appends spans under a stack of open formats.
type richBuilder struct {
	src   []byte
	plain bool // plain text: links are followed by their address
	out   Rich
	stack []*Format
	quote bool            // inside a blockquote; Telegram refuses nested ones
	size  int             // bytes of visible text written
	tail  strings.Builder // text of the last span not yet in it
}

// text appends s under the open formats, to the last span when it has
// the same ones.
func (b *richBuilder) text(s string) {
	if s == "" {
		return
	}
	b.size += len(s)
	if n := len(b.out); n > 0 && sameFormat(b.out[n-1].Format, b.stack) {
		b.tail.WriteString(s)
		return
	}
	b.flush()
	b.out = append(b.out, Span{Text: s, Format: append([]*Format(nil), b.stack...)})
}

// flush moves the text collected for the last span into it.
func (b *richBuilder) flush() {
	if n := len(b.out); n > 0 && b.tail.Len() > 0 {
		b.out[n-1].Text += b.tail.String()
		b.tail.Reset()
	}
}

// rich returns what was built.
func (b *richBuilder) rich() Rich {
	b.flush()
	return b.out
}

func (b *richBuilder) wrap(f *Format, body func()) {
	b.stack = append(b.stack, f)
	body()
	b.stack = b.stack[:len(b.stack)-1]
}

func sameFormat(a, b []*Format) bool {
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

// blocks renders the children of parent, sep between them.
func (b *richBuilder) blocks(parent ast.Node, depth int, sep string) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		if c != parent.FirstChild() {
			b.text(sep)
		}
		b.block(c, depth)
	}
}

func (b *richBuilder) block(n ast.Node, depth int) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		b.inlines(n)
	case *ast.Heading:
		b.wrap(&Format{Tag: "b"}, func() { b.inlines(n) })
	case *ast.ThematicBreak:
		b.text("———")
	case *ast.FencedCodeBlock:
		b.code(codeOf(n, b.src), language(n, b.src))
	case *ast.CodeBlock:
		b.code(codeOf(n, b.src), "")
	case *ast.HTMLBlock:
		b.text(htmlBlockOf(n, b.src))
	case *ast.Blockquote:
		b.blockquote(n, depth)
	case *ast.List:
		b.list(n, depth)
	case *east.Table:
		b.wrap(&Format{Tag: "pre"}, func() { b.text(tableText(n, b.cellText)) })
	default:
		b.blocks(n, depth, "\n\n")
	}
}

func (b *richBuilder) code(body, lang string) {
	b.wrap(&Format{Tag: "pre"}, func() {
		b.wrap(&Format{Tag: "code", Attr: lang}, func() { b.text(body) })
	})
}

func (b *richBuilder) blockquote(n *ast.Blockquote, depth int) {
	if b.quote || b.plain {
		b.blocks(n, depth, "\n\n")
		return
	}
	b.quote = true
	b.wrap(&Format{Tag: "blockquote"}, func() { b.blocks(n, depth, "\n\n") })
	b.quote = false
}

// list renders one line per item, "• " or its number first, nested lists
// indented two spaces a level.
func (b *richBuilder) list(n *ast.List, depth int) {
	sep := "\n"
	if !n.IsTight {
		sep = "\n\n"
	}
	num := n.Start
	for item := n.FirstChild(); item != nil; item = item.NextSibling() {
		if item != n.FirstChild() {
			b.text(sep)
		}
		marker := "• "
		if n.IsOrdered() {
			marker = strconv.Itoa(num) + ". "
			num++
		}
		b.text(strings.Repeat("  ", depth) + marker)
		b.blocks(item, depth+1, "\n")
	}
}

// cellText is the visible text of a table cell.
func (b *richBuilder) cellText(n ast.Node) string {
	sub := &richBuilder{src: b.src, plain: true}
	sub.inlines(n)
	return sub.rich().Text()
}

func (b *richBuilder) inlines(parent ast.Node) {
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		b.inline(c)
	}
}

func (b *richBuilder) inline(n ast.Node) {
	switch n := n.(type) {
	case *ast.Text:
		b.text(textOf(n, b.src))
		if n.SoftLineBreak() || n.HardLineBreak() {
			b.text("\n")
		}
	case *ast.String:
		b.text(string(n.Value))
	case *ast.CodeSpan:
		b.wrap(&Format{Tag: "code"}, func() { b.text(codeSpanOf(n, b.src)) })
	case *ast.Emphasis:
		tag := "i"
		if n.Level >= 2 {
			tag = "b"
		}
		b.wrap(&Format{Tag: tag}, func() { b.inlines(n) })
	case *east.Strikethrough:
		b.wrap(&Format{Tag: "s"}, func() { b.inlines(n) })
	case *ast.Link:
		b.link(n, n.Destination)
	case *ast.Image:
		b.link(n, n.Destination)
	case *ast.AutoLink:
		href, label := autoLinkOf(n, b.src)
		b.anchor(href, func() { b.text(label) })
	case *ast.RawHTML:
		b.text(rawHTMLOf(n, b.src))
	default:
		b.inlines(n)
	}
}

// telegramLink reports whether Telegram's HTML mode accepts href as a link
// target: only http, https, tg and mailto addresses.
func telegramLink(dest []byte) (string, bool) {
	return destination(dest, "http://", "https://", "tg://", "mailto:")
}

// link renders a link or image: its label as a link when Telegram accepts
// the target, else the label with the target after it.
func (b *richBuilder) link(n ast.Node, dest []byte) {
	href, ok := telegramLink(dest)
	if ok && !b.plain && !b.inLink() {
		b.wrap(&Format{Tag: "a", Attr: href}, func() {
			if strings.TrimSpace(b.capture(func() { b.inlines(n) })) == "" {
				b.text(href)
			}
		})
		return
	}
	if label := b.capture(func() { b.inlines(n) }); href != "" && href != label {
		b.text(" (" + href + ")")
	}
}

// capture runs body and returns the visible text it wrote.
func (b *richBuilder) capture(body func()) string {
	before := b.size
	body()
	b.flush()
	n := b.size - before
	parts := make([]string, 0, 1)
	for i := len(b.out) - 1; i >= 0 && n > 0; i-- {
		t := b.out[i].Text
		k := min(n, len(t))
		parts = append(parts, t[len(t)-k:])
		n -= k
	}
	slices.Reverse(parts)
	return strings.Join(parts, "")
}

// anchor wraps body in a link to href, or renders it as text when Telegram
// would refuse the target.
func (b *richBuilder) anchor(href string, body func()) {
	if _, ok := telegramLink([]byte(href)); !ok || b.plain || b.inLink() {
		body()
		return
	}
	b.wrap(&Format{Tag: "a", Attr: href}, body)
}

func (b *richBuilder) inLink() bool {
	for _, f := range b.stack {
		if f.Tag == "a" {
			return true
		}
	}
	return false
}
