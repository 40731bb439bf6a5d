package feishu

import (
	"strings"
	"testing"
)

func TestOpenFence(t *testing.T) {
	tests := []struct {
		name string
		s    string
		want int
	}{
		{"no fence", "text\nmore", -1},
		{"closed", "a\n```go\nx\n```\nb", -1},
		{"open", "a\n```go\nx", 2},
		{"open at start", "~~~\nx", 0},
		{"longer closer", "````\nx\n`````", -1},
		{"shorter closer stays open", "````\nx\n```", 0},
		{"closer of the other character stays open", "```\nx\n~~~", 0},
		{"backticks in info string are no fence", "```a`b\nx", -1},
		{"indented four is no fence", "    ```\nx", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := openFence(tt.s); got != tt.want {
				t.Errorf("openFence(%q) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

func TestFitPointKeepsCodeBlocksWhole(t *testing.T) {
	prose := strings.Repeat("Words before the code. ", 1000) + "\n\n" // 23 KB
	code := "```go\n" + strings.Repeat("x := compute(x)\n", 500) + "```\n"
	s := prose + code + "after"
	if got := fitPoint(s, kindCardKit); got != len(prose) {
		t.Errorf("cut at %d, want %d (before the code block)", got, len(prose))
	}
	huge := "```\n" + strings.Repeat("line of code\n", 4000) + "```"
	if got := fitPoint(huge, kindCardKit); got <= 0 || got >= len(huge) {
		t.Errorf("a code block larger than a part: cut at %d of %d", got, len(huge))
	}
}
