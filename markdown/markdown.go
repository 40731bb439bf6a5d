// Package markdown parses a model's Markdown answer once and renders it for
// each chat platform: Telegram's HTML parse mode, Feishu card markdown and
// plain text. It accepts any input, including an answer cut off mid-stream:
// emphasis that is never closed stays literal text, a code fence that is
// never closed holds the rest of the answer, and raw HTML is shown as text.
package markdown

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"

	"imbot/markdown/gfm"
)

// Doc is a parsed answer. Its renderers do not change it, so one Doc may be
// rendered by several goroutines at once.
type Doc struct {
	src  []byte
	root ast.Node
}

// Parse parses CommonMark with GFM tables and strikethrough. Invalid UTF-8
// is replaced by U+FFFD and line endings are normalised to "\n".
func Parse(md string) *Doc {
	return parseWith(sharedParser(), md)
}

// parseWith parses md with p, after the clean-up Parse promises.
func parseWith(p parser.Parser, md string) *Doc {
	md = strings.ToValidUTF8(md, "\uFFFD")
	if strings.IndexByte(md, '\r') >= 0 {
		md = strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "\r", "\n")
	}
	src := []byte(md)
	return &Doc{src: src, root: p.Parse(text.NewReader(src))}
}

// sharedParser is the one CommonMark + GFM table and strikethrough parser,
// built on first use and never changed after. goldmark parsers keep no
// state between Parse calls (they set themselves up once under a
// sync.Once), so concurrent Parse calls share it; building one per call
// cost most of a short answer's parse (21 KB and 164 allocations).
var sharedParser = sync.OnceValue(gfm.NewParser)

// textOf returns the visible text of a Text node: backslash escapes and
// character references resolved, unless the node is raw.
func textOf(n *ast.Text, src []byte) string {
	v := n.Value(src)
	if n.IsRaw() {
		return string(v)
	}
	return unescape(v)
}

// unescape resolves backslash escapes and character references in one
// pass, as CommonMark does for text.
func unescape(v []byte) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(v); i++ {
		switch {
		case v[i] == '\\' && i+1 < len(v) && util.IsPunct(v[i+1]):
			b.Write(v[last:i])
			last = i + 1
			i++
		case v[i] == '&':
			end := i + 1
			for end < len(v) && end-i < 40 && v[end] != ';' && v[end] != '&' {
				end++
			}
			if end >= len(v) || v[end] != ';' {
				continue
			}
			ref := v[i : end+1]
			res := util.ResolveEntityNames(util.ResolveNumericReferences(ref))
			b.Write(v[last:i])
			b.Write(res)
			last, i = end+1, end
		}
	}
	b.Write(v[last:])
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// linesOf returns the raw text of a block's lines.
func linesOf(n ast.Node, src []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

// codeOf returns the content of a code block without its final newline.
func codeOf(n ast.Node, src []byte) string {
	return strings.TrimSuffix(linesOf(n, src), "\n")
}

// rawHTMLOf returns the source text of raw inline HTML.
func rawHTMLOf(n *ast.RawHTML, src []byte) string {
	var b strings.Builder
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

// htmlBlockOf returns the source text of an HTML block.
func htmlBlockOf(n *ast.HTMLBlock, src []byte) string {
	s := linesOf(n, src)
	if n.HasClosure() {
		s += string(n.ClosureLine.Value(src))
	}
	return strings.TrimRight(s, "\n")
}

// codeSpanOf returns the content of a code span.
func codeSpanOf(n *ast.CodeSpan, src []byte) string {
	var b strings.Builder
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			v := t.Value(src)
			if len(v) > 0 && v[len(v)-1] == '\n' {
				v = append(v[:len(v)-1:len(v)-1], ' ')
			}
			b.Write(v)
		case *ast.String:
			b.Write(t.Value)
		}
	}
	return b.String()
}

// language returns the info string's first word when it looks like a
// language name, and "" otherwise.
func language(n *ast.FencedCodeBlock, src []byte) string {
	lang := string(n.Language(src))
	if len(lang) == 0 || len(lang) > 32 {
		return ""
	}
	for _, c := range lang {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+#.-", c)) {
			return ""
		}
	}
	return lang
}

// destination returns a link's target and whether the platform may make it
// a link: only the given schemes are.
func destination(dest []byte, schemes ...string) (string, bool) {
	href := string(dest)
	if href == "" || !utf8.ValidString(href) || strings.ContainsAny(href, " \t\n<>\"") {
		return href, false
	}
	for _, s := range schemes {
		if len(href) > len(s) && strings.EqualFold(href[:len(s)], s) {
			return href, true
		}
	}
	return href, false
}

// autoLinkOf returns an autolink's target and its label.
func autoLinkOf(n *ast.AutoLink, src []byte) (href, label string) {
	label = string(n.Label(src))
	href = string(n.URL(src))
	if n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(href), "mailto:") {
		href = "mailto:" + href
	}
	return href, label
}
