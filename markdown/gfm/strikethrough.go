package gfm

import (
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

var (
	_ parser.InlineParser       = strikethroughParser{}
	_ parser.DelimiterProcessor = tildes{}
)

// strikethroughParser reads a run of one or two tildes as a delimiter that
// may open or close struck-through text, by the flanking rules of
// CommonMark emphasis. A longer run, or the rest of one, is text.
type strikethroughParser struct{}

// Trigger implements parser.InlineParser.
func (strikethroughParser) Trigger() []byte { return []byte{'~'} }

// Parse implements parser.InlineParser: it pushes the delimiter for
// goldmark's delimiter processing to pair, or returns nil to leave the
// tildes as text.
func (strikethroughParser) Parse(_ ast.Node, block text.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	if before == '~' {
		return nil
	}
	line, seg := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 1, tildes{})
	if d == nil || d.OriginalLength > 2 {
		return nil
	}
	d.Segment = seg.WithStop(seg.Start + d.OriginalLength)
	block.Advance(d.OriginalLength)
	pc.PushDelimiter(d)
	return d
}

// tildes pairs tilde delimiters into Strikethrough nodes.
type tildes struct{}

// IsDelimiter implements parser.DelimiterProcessor.
func (tildes) IsDelimiter(b byte) bool { return b == '~' }

// CanOpenCloser implements parser.DelimiterProcessor: tildes close only
// tildes.
func (tildes) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char
}

// OnMatch implements parser.DelimiterProcessor.
func (tildes) OnMatch(int) ast.Node { return east.NewStrikethrough() }
