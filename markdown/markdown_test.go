package markdown

import (
	"testing"

	"imbot/adapters/telegram/telegramtest"
)

// renderCase is an answer and one of its renderings.
type renderCase struct{ name, md, want string }

// telegramCases are answers and their Telegram HTML.
func telegramCases() []renderCase {
	return []renderCase{
		{"plain", "hello world", "hello world"},
		{"escapes", "1 < 2 && 3 > 2", "1 &lt; 2 &amp;&amp; 3 &gt; 2"},
		{"emphasis", "**bold** and *it* and _it_ and ~~old~~", "<b>bold</b> and <i>it</i> and <i>it</i> and <s>old</s>"},
		{"nested", "**bold *and it***", "<b>bold <i>and it</i></b>"},
		{"spaced stars", "2 * 3 * 4", "2 * 3 * 4"},
		{"snake case", "use snake_case_names", "use snake_case_names"},
		{"escaped delimiters", `\*not italic\*`, "*not italic*"},
		{"entities", "&copy; &amp; &#42;", "© &amp; *"},
		{"code span", "run `a <b> && c` now", "run <code>a &lt;b&gt; &amp;&amp; c</code> now"},
		{"code span keeps stars", "`**x**`", "<code>**x**</code>"},
		{"link", "[docs](https://example.com/a?b=1&c=2)", `<a href="https://example.com/a?b=1&amp;c=2">docs</a>`},
		{"tg and mailto links", "[me](tg://user?id=1) [mail](mailto:a@b.c)", `<a href="tg://user?id=1">me</a> <a href="mailto:a@b.c">mail</a>`},
		{"javascript link as text", "[x](javascript:alert(1))", "x (javascript:alert(1))"},
		{"relative link as text", "[guide](/docs/guide)", "guide (/docs/guide)"},
		{"empty label shows address", "[](https://example.com)", `<a href="https://example.com">https://example.com</a>`},
		{"autolink", "<https://example.com>", `<a href="https://example.com">https://example.com</a>`},
		{"image as link", "![chart](https://example.com/c.png)", `<a href="https://example.com/c.png">chart</a>`},
		{"raw html as text", "a <span onclick=x>b</span>", "a &lt;span onclick=x&gt;b&lt;/span&gt;"},
		{"html block as text", "<div>\nhi\n</div>", "&lt;div&gt;\nhi\n&lt;/div&gt;"},
		{"heading", "## Title *x*", "<b>Title <i>x</i></b>"},
		{"setext heading", "Title\n===", "<b>Title</b>"},
		{"bullets", "- one\n- two\n  - three", "• one\n• two\n  • three"},
		{"ordered", "3. third\n4. fourth", "3. third\n4. fourth"},
		{"loose list", "- a\n\n- b", "• a\n\n• b"},
		{"rule", "a\n\n---\n\nb", "a\n\n———\n\nb"},
		{"soft break kept", "line one\nline two", "line one\nline two"},
		{"fenced code", "```go\nx := 1 < 2\n```", "<pre><code class=\"language-go\">x := 1 &lt; 2</code></pre>"},
		{"indented code", "    x <- 1", "<pre><code>x &lt;- 1</code></pre>"},
		{"bad language dropped", "```<script>\nx\n```", "<pre><code>x</code></pre>"},
		{"quote", "> a *b*\n> c", "<blockquote>a <i>b</i>\nc</blockquote>"},
		{"nested quote flattened", "> a\n>\n> > b", "<blockquote>a\n\nb</blockquote>"},
		{"table", "| name | n |\n|---|--:|\n| apple | 1 |\n| 梨 | 10 |",
			"<pre>name  |  n\n------+---\napple |  1\n梨    | 10</pre>"},
		{"table cells as plain text", "| **a** | `b` |\n|---|---|\n| [c](https://x.y) | d |",
			"<pre>a               | b\n----------------+--\nc (https://x.y) | d</pre>"},
		{"crlf", "a\r\nb", "a\nb"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
	}
}

func TestTelegram(t *testing.T) {
	for _, tt := range telegramCases() {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.md).Telegram().HTML()
			if got != tt.want {
				t.Errorf("Telegram(%q)\n got %q\nwant %q", tt.md, got, tt.want)
			}
			if _, err := telegramtest.ParseHTML(got); err != nil {
				t.Errorf("Telegram(%q) = %q: refused: %v", tt.md, got, err)
			}
		})
	}
}

// streamCase is an answer cut off mid-way and its three renderings.
type streamCase struct{ name, md, telegram, feishu, plain string }

// streamCases are answers cut off mid-way, as a stream shows them.
func streamCases() []streamCase {
	return []streamCase{
		{"open bold", "so **bold", "so **bold", `so \*\*bold`, "so **bold"},
		{"open code span", "run `go te", "run `go te", "run \\`go te", "run `go te"},
		{"open link", "see [docs](https://exa", "see [docs](https://exa", `see [docs\](https://exa`, "see [docs](https://exa"},
		{"open fence", "text\n\n```go\nfunc main() {", "text\n\n<pre><code class=\"language-go\">func main() {</code></pre>",
			"text\n\n```go\nfunc main() {\n```", "text\n\nfunc main() {"},
		{"fence opened last", "```", "", "```\n```", ""},
		{"open table", "| a | b |\n|---|", "| a | b |\n|---|", `\| a | b |` + "\n" + `\|---|`, "| a | b |\n|---|"},
	}
}

func TestStreaming(t *testing.T) {
	for _, tt := range streamCases() {
		t.Run(tt.name, func(t *testing.T) {
			d := Parse(tt.md)
			if got := d.Telegram().HTML(); got != tt.telegram {
				t.Errorf("Telegram: got %q, want %q", got, tt.telegram)
			}
			if got := d.Feishu(); got != tt.feishu {
				t.Errorf("Feishu: got %q, want %q", got, tt.feishu)
			}
			if got := d.Plain(); got != tt.plain {
				t.Errorf("Plain: got %q, want %q", got, tt.plain)
			}
		})
	}
}

// feishuCases are answers and their Feishu card markdown.
func feishuCases() []renderCase {
	return []renderCase{
		{"plain", "hello world", "hello world"},
		{"emphasis kept", "**bold** *it* ~~old~~", "**bold** *it* ~~old~~"},
		{"heading to bold line", "# Title **x**\n\ntext", "**Title x**\n\ntext"},
		{"code span", "use `a*b`", "use `a*b`"},
		{"code span with backticks", "``a`b``", "``a`b``"},
		{"code span that could read as a fence", "```a``b```", "a\\`\\`b"},
		{"link kept", "[docs](https://example.com/a_(b))", "[docs](https://example.com/a_%28b%29)"},
		{"mailto as text", "[mail](mailto:a@b.c)", "mail (mailto:a@b.c)"},
		{"image as link", "![chart](https://example.com/c.png)", "[chart](https://example.com/c.png)"},
		{"raw html escaped", "a <font color='red'>b</font> & c", "a &lt;font color='red'&gt;b&lt;/font&gt; &amp; c"},
		{"html block escaped", "<at id=all></at>", "&lt;at id=all&gt;&lt;/at&gt;"},
		{"spaced star needs no escape", `2 \* 3 = 6 and a\_b`, `2 * 3 = 6 and a_b`},
		{"stars that could format escaped", `a\*b\* and \_x\_`, `a\*b\* and \_x\_`},
		{"brackets before a parenthesis escaped", `see [1] and \[a\](b)`, `see [1] and [a\](b)`},
		{"line start markers escaped", "1\\. not a list\n\\# not a heading", "1\\. not a list\n\\# not a heading"},
		{"lists", "- a\n- b\n  1. c\n  2. d", "- a\n- b\n    1. c\n    2. d"},
		{"quote", "> a\n>\n> b", "> a\n> \n> b"},
		{"fence kept", "```go\nx := `y`\n```", "```go\nx := `y`\n```"},
		{"fence longer than body backticks", "~~~\n```\n~~~", "````\n```\n````"},
		{"table as code block", "| a | b |\n|---|---|\n| 1 | 2 |", "```\na | b\n--+--\n1 | 2\n```"},
		{"rule", "a\n\n***\n\nb", "a\n\n---\n\nb"},
	}
}

func TestFeishu(t *testing.T) {
	for _, tt := range feishuCases() {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.md).Feishu()
			if got != tt.want {
				t.Errorf("Feishu(%q)\n got %q\nwant %q", tt.md, got, tt.want)
			}
			if err := checkFeishu(got); err != nil {
				t.Errorf("Feishu(%q) = %q: %v", tt.md, got, err)
			}
		})
	}
}

// plainCases are answers and their plain text.
func plainCases() []renderCase {
	return []renderCase{
		{"markers removed", "# Title\n\n**bold** *it* ~~old~~ `code`", "Title\n\nbold it old code"},
		{"link address after label", "[docs](https://example.com)", "docs (https://example.com)"},
		{"autolink once", "<https://example.com>", "https://example.com"},
		{"lists", "- a\n  1. b", "• a\n  1. b"},
		{"quote", "> a", "a"},
		{"raw html kept as text", "<b>x</b>", "<b>x</b>"},
		{"table aligned", "| a | long |\n|:-:|---|\n| bbb | c |", " a  | long\n----+-----\nbbb | c"},
		{"code block", "```\n<x>\n```", "<x>"},
	}
}

func TestPlain(t *testing.T) {
	for _, tt := range plainCases() {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.md).Plain(); got != tt.want {
				t.Errorf("Plain(%q)\n got %q\nwant %q", tt.md, got, tt.want)
			}
		})
	}
}

// sliceInput is the answer TestSlice cuts.
const sliceInput = "**ab** `cd` [ef](https://x.y)"

func TestSlice(t *testing.T) {
	r := Parse(sliceInput).Telegram()
	tests := []struct {
		start, end int
		want       string
	}{
		{0, 1, "<b>a</b>"},
		{1, 4, "<b>b</b> <code>c</code>"},
		{4, 9, `<code>d</code> <a href="https://x.y">ef</a>`},
		{2, 3, " "},
	}
	for _, tt := range tests {
		if got := r.Slice(tt.start, tt.end).HTML(); got != tt.want {
			t.Errorf("Slice(%d, %d) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
}
