package words

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func mustMatcher(t testing.TB, lists ...List) *Matcher {
	t.Helper()
	m, err := New(lists...)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFold(t *testing.T) {
	f := newFolder()
	tests := []struct{ in, want string }{
		{"Hello WORLD", "hello world"},
		{"ＡＢＣ１２３！", "abc123!"},
		{"ａｂ　c", "ab c"},
		{"國家發展", "国家发展"},
		{"ÄÖÜ", "äöü"},
		{"简体不变", "简体不变"},
	}
	for _, tt := range tests {
		if got := string(f.foldString(tt.in)); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if len([]rune(tt.in)) != len(f.foldString(tt.in)) {
			t.Errorf("fold(%q) changed the rune count", tt.in)
		}
	}
}

func TestT2STableIsPairs(t *testing.T) {
	for line := range strings.Lines(t2sTable) {
		l := strings.TrimSpace(line)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if rs := []rune(l); len(rs) != 2 || rs[0] == rs[1] {
			t.Errorf("t2s line %q is not a pair of two different characters", l)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"basic", "# comment\n\nfoo\n  bar baz  \r\n赌博\n", []string{"foo", "bar baz", "赌博"}, ""},
		{"bom", "\uFEFFfoo", []string{"foo"}, ""},
		{"hash inside", "c#\n", []string{"c#"}, ""},
		{"invalid utf8", "ok\nbad\xff\n", nil, "line 2: not valid UTF-8"},
		{"too long", "ok\n\n" + strings.Repeat("长", 65), nil, "line 3: 65 characters"},
		{"tab", "a\tb\n", nil, "line 1: control character U+0009"},
		{"bell", "a\ab\n", nil, "line 1: control character U+0007"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Parse("l", []byte(tt.in))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(l.Words, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("words = %q, want %q", l.Words, tt.want)
			}
		})
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "politics.txt")
	if err := os.WriteFile(p, []byte("foo\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := LoadFile(p)
	if err != nil || l.Name != "politics" || len(l.Words) != 1 {
		t.Fatalf("LoadFile = %+v, %v", l, err)
	}
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, make([]byte, MaxFileBytes+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(big); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("big file: err = %v, want ErrTooLarge", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "missing.txt")); err == nil {
		t.Fatal("missing file: no error")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		lists []List
	}{
		{"empty name", []List{{Name: "", Words: []string{"a"}}}},
		{"repeated name", []List{{Name: "a"}, {Name: "a"}}},
		{"blank word", []List{{Name: "a", Words: []string{" "}}}},
		{"long word", []List{{Name: "a", Words: []string{strings.Repeat("x", 65)}}}},
	}
	for _, tt := range tests {
		if _, err := New(tt.lists...); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func testMatcher(t testing.TB) *Matcher {
	return mustMatcher(t,
		List{Name: "gambling", Words: []string{"赌博", "网上赌场", "casino"}},
		List{Name: "drugs", Words: []string{"冰毒", "Meth", "赌博"}},
		List{Name: "abuse", Words: []string{"he", "she", "hers"}},
	)
}

func TestContains(t *testing.T) {
	m := testMatcher(t)
	tests := []struct {
		text string
		want Hit
		ok   bool
	}{
		{"我想去澳门賭博", Hit{"gambling", "赌博"}, true},
		{"ＣＡＳＩＮＯ night", Hit{"gambling", "casino"}, true},
		{"no METH here", Hit{"drugs", "Meth"}, true},
		{"clean text 干净", Hit{}, false},
		{"", Hit{}, false},
	}
	for _, tt := range tests {
		got, ok := m.Contains(tt.text)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Contains(%q) = %+v, %v; want %+v, %v", tt.text, got, ok, tt.want, tt.ok)
		}
	}
}

func TestMask(t *testing.T) {
	m := testMatcher(t)
	tests := []struct{ text, want string }{
		{"去網上賭場玩", "去***玩"},
		{"ＣａＳｉＮｏ和冰毒", "***和***"},
		{"ushers", "u***"},
		{"冰毒冰毒", "******"},
		{"clean", "clean"},
		{"bad \xff bytes casino", "bad \xff bytes ***"},
	}
	for _, tt := range tests {
		if got := m.Mask(tt.text); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestStreamChunks(t *testing.T) {
	m := testMatcher(t)
	text := "他在网上赌场输了钱，又买冰毒；casino ushers 冰"
	runes := []rune(text)
	want := m.Mask(text)
	for cut := 1; cut <= len(text); cut++ {
		s := m.NewStream()
		var got strings.Builder
		for i := 0; i < len(text); i += cut {
			got.WriteString(s.Write(text[i:min(i+cut, len(text))]))
			if s.Held() > m.MaxLen() {
				t.Fatalf("cut %d: holds %d runes, more than %d", cut, s.Held(), m.MaxLen())
			}
		}
		got.WriteString(s.Flush())
		if got.String() != want {
			t.Fatalf("cut %d bytes: got %q, want %q", cut, got.String(), want)
		}
	}
	if len(runes) == 0 {
		t.Fatal("empty text")
	}
}

func TestStreamEmitsEarly(t *testing.T) {
	m := testMatcher(t)
	s := m.NewStream()
	if got := s.Write("你好，世界"); got != "你好，世界" {
		t.Fatalf("clean text held back: got %q", got)
	}
	if got := s.Write("网上赌"); got != "" {
		t.Fatalf("a word's prefix was sent: %q", got)
	}
	if got := s.Write("场！"); got != "***！" {
		t.Fatalf("got %q, want ***！", got)
	}
	if got := s.Flush(); got != "" {
		t.Fatalf("flush = %q", got)
	}
	if got := s.Write("冰"); got != "" {
		t.Fatalf("after flush: %q", got)
	}
	if got := s.Flush(); got != "冰" {
		t.Fatalf("flush of a lone prefix = %q, want 冰", got)
	}
}

func TestCaselessRange(t *testing.T) {
	for r := rune(caselessLo); r < caselessHi; r++ {
		if unicode.ToLower(r) != r {
			t.Fatalf("%U has a lower-case form", r)
		}
	}
}

func TestMatcherConcurrentUse(t *testing.T) {
	m := testMatcher(t)
	done := make(chan string)
	for range 4 {
		go func() {
			s := m.NewStream()
			out := s.Write("网上賭") + s.Write("场 casino") + s.Flush()
			_, _ = m.Contains("冰毒")
			done <- out + m.Mask("ushers")
		}()
	}
	for range 4 {
		if got := <-done; got != "*** ***u***" {
			t.Errorf("got %q", got)
		}
	}
}
