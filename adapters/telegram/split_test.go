package telegram

import (
	"fmt"
	"strings"
	"testing"

	"imbot/adapters/telegram/telegramtest"
)

// longAnswer returns Markdown of about n characters: paragraphs of words.
func longAnswer(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "Paragraph %d explains **point %d** in plain words that wrap nicely. ", i, i)
		if i%5 == 4 {
			b.WriteString("\n\n")
		}
	}
	return b.String()[:n]
}

func checkChunks(t *testing.T, chunks []chunk, limit int) {
	t.Helper()
	for i, c := range chunks {
		plain, err := telegramtest.ParseHTML(c.HTML)
		if err != nil {
			t.Fatalf("chunk %d: invalid HTML %q: %v", i, c.HTML, err)
		}
		if plain != c.Plain {
			t.Fatalf("chunk %d: plain text %q differs from the HTML's visible text %q", i, c.Plain, plain)
		}
		if n := telegramtest.UTF16Len(plain); n > limit || strings.TrimSpace(plain) == "" {
			t.Fatalf("chunk %d: %d UTF-16 units (limit %d), text %q", i, n, limit, plain)
		}
	}
}

func TestSplitLongAnswer(t *testing.T) {
	md := longAnswer(12000)
	chunks := split(render(md), maxMessageLen)
	if len(chunks) != 3 {
		t.Fatalf("12,000 characters became %d messages, want 3", len(chunks))
	}
	checkChunks(t, chunks, maxMessageLen)
	var joined []string
	for i, c := range chunks {
		joined = append(joined, c.Plain)
		if i < len(chunks)-1 && !strings.HasSuffix(c.Plain, ".") {
			t.Errorf("chunk %d ends mid-sentence: %q", i, c.Plain[len(c.Plain)-20:])
		}
	}
	want := strings.Join(strings.Fields(strings.ReplaceAll(strings.ReplaceAll(md, "**", ""), "\n", " ")), " ")
	got := strings.Join(strings.Fields(strings.Join(joined, " ")), " ")
	if got != want {
		t.Errorf("text changed by splitting:\n got %.200q\nwant %.200q", got, want)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		md    string
		limit int
		want  []string // HTML of each message
	}{
		{"fits", "short", 10, []string{"short"}},
		{"paragraph break preferred", "aaaa bbbb\n\ncccc dddd", 16, []string{"aaaa bbbb", "cccc dddd"}},
		{"line break", "aaaa bbbb\ncccc dddd", 14, []string{"aaaa bbbb", "cccc dddd"}},
		{"space", "aaaa bbbb cccc", 10, []string{"aaaa bbbb", "cccc"}},
		{"word longer than a message is cut", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"bold reopened", "**aaaa bbbb cccc**", 10, []string{"<b>aaaa bbbb</b>", "<b>cccc</b>"}},
		{"code block reopened", "```go\nline one\nline two\n```", 10,
			[]string{`<pre><code class="language-go">line one</code></pre>`, `<pre><code class="language-go">line two</code></pre>`}},
		{"emoji counted as two units", "😀😀😀", 4, []string{"😀😀", "😀"}},
		{"emoji never split", "a😀", 2, []string{"a", "😀"}},
		{"escaped characters count once", "<<<< >>>>", 4, []string{"&lt;&lt;&lt;&lt;", "&gt;&gt;&gt;&gt;"}},
		{"whitespace only dropped", "   \n\n   ", 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunks := split(render(tt.md), tt.limit)
			checkChunks(t, chunks, tt.limit)
			var got []string
			for _, c := range chunks {
				got = append(got, c.HTML)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("split(%q, %d)\n got %q\nwant %q", tt.md, tt.limit, got, tt.want)
			}
		})
	}
}

func BenchmarkRenderSplit(b *testing.B) {
	md := longAnswer(12000)
	b.SetBytes(int64(len(md)))
	for b.Loop() {
		split(render(md), maxMessageLen)
	}
}
