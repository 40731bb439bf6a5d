// Package gfm adds the two GitHub Flavored Markdown extensions the answers
// use, tables and strikethrough, to goldmark's CommonMark parser. It builds
// the node types of goldmark's extension/ast package, so renderers written
// for goldmark's own extensions read its trees unchanged, without linking
// goldmark's extension package, whose initialisation compiles regular
// expressions for extensions the daemon never uses.
package gfm

import (
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// NewParser returns a CommonMark parser that also reads GFM tables and
// strikethrough between one or two tildes. Its parsers and transformers
// keep no state of their own, so one parser may serve concurrent Parse
// calls.
func NewParser() parser.Parser {
	return parser.NewParser(
		parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...),
		parser.WithParagraphTransformers(parser.DefaultParagraphTransformers()...),
		// The priorities are those of goldmark's own extensions: tables are
		// looked for after link reference definitions (100) are taken out.
		parser.WithInlineParsers(util.Prioritized(strikethroughParser{}, 500)),
		parser.WithParagraphTransformers(util.Prioritized(tableTransformer{}, 200)),
		parser.WithASTTransformers(util.Prioritized(codePipeTransformer{}, 0)),
	)
}
