package telegram

import (
	"strings"
	"testing"

	"imbot/adapters/telegram/telegramtest"
	"imbot/markdown"
)

// render is what the writer does with the text it shows.
func render(md string) markdown.Rich { return markdown.Parse(md).Telegram() }

func renderHTML(t *testing.T, md string) string {
	t.Helper()
	chunks := split(render(md), maxMessageLen)
	var out []string
	for _, c := range chunks {
		if _, err := telegramtest.ParseHTML(c.HTML); err != nil {
			t.Fatalf("render(%q) = %q: invalid for Telegram: %v", md, c.HTML, err)
		}
		out = append(out, c.HTML)
	}
	return strings.Join(out, "|")
}

func TestRender(t *testing.T) {
	tests := []struct{ name, md, want string }{
		{"plain", "hello world", "hello world"},
		{"escapes", "1 < 2 && 3 > 2", "1 &lt; 2 &amp;&amp; 3 &gt; 2"},
		{"bold and italic", "**bold** and *it* and _it_", "<b>bold</b> and <i>it</i> and <i>it</i>"},
		{"strike", "~~old~~ and ~~new~~", "<s>old</s> and <s>new</s>"},
		{"nested", "**bold *and it***", "<b>bold <i>and it</i></b>"},
		{"unclosed bold stays literal", "**bold never closed", "**bold never closed"},
		{"spaced stars are not emphasis", "2 * 3 * 4", "2 * 3 * 4"},
		{"snake case", "use snake_case_names", "use snake_case_names"},
		{"escaped delimiters", `\*not italic\*`, "*not italic*"},
		{"code span", "run `a <b> && c` now", "run <code>a &lt;b&gt; &amp;&amp; c</code> now"},
		{"code span keeps stars", "`**x**`", "<code>**x**</code>"},
		{"double backtick span", "``a ` b``", "<code>a ` b</code>"},
		{"link", "[docs](https://example.com/a?b=1&c=2)", `<a href="https://example.com/a?b=1&amp;c=2">docs</a>`},
		{"javascript link stays text", "[x](javascript:alert(1))", "x (javascript:alert(1))"},
		{"heading", "## Title *x*", "<b>Title <i>x</i></b>"},
		{"bullets", "- one\n- two\n  + three", "• one\n• two\n  • three"},
		{"ordered list kept", "1. first\n2. second", "1. first\n2. second"},
		{"rule", "a\n\n---\nb", "a\n\n———\n\nb"},
		{"setext heading", "a\n---\nb", "<b>a</b>\n\nb"},
		{"fenced code", "```go\nx := 1 < 2\n```\nafter", "<pre><code class=\"language-go\">x := 1 &lt; 2</code></pre>\n\nafter"},
		{"open fence is closed", "```\nstill streaming **", "<pre><code>still streaming **</code></pre>"},
		{"tilde fence", "~~~\ncode\n~~~", "<pre><code>code</code></pre>"},
		{"bad language dropped", "```<script>\nx\n```", "<pre><code>x</code></pre>"},
		{"quote", "> a *b*\n> c\n\nd", "<blockquote>a <i>b</i>\nc</blockquote>\n\nd"},
		{"quote continues lazily", "> a\nb", "<blockquote>a\nb</blockquote>"},
		{"crlf", "a\r\nb", "a\nb"},
		{"invalid utf8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderHTML(t, tt.md); got != tt.want {
				t.Errorf("render(%q)\n got %q\nwant %q", tt.md, got, tt.want)
			}
		})
	}
}
