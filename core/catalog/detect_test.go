package catalog

import (
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		text   string
		want   Lang
		wantOK bool
	}{
		{"你好，请问怎么退款？", ZH, true},
		{"How do I get a refund?", EN, true},
		{"我想用 Python 写一个 API", ZH, true},
		{"what does 退款 mean in this form", EN, true},
		{"ok", EN, true},
		{"好", ZH, true},
		{"/help", "", false},
		{"/help@imbot", "", false},
		{"/ask 怎么退款", ZH, true},
		{"/ask how do I pay", EN, true},
		{"@imbot", "", false},
		{"@imbot 在吗", ZH, true},
		{"👍🎉", "", false},
		{"12345 678", "", false},
		{"x", "", false},
		{"", "", false},
		{"   \n\t", "", false},
		{"Привет, как дела?", "", false},
		{"こんにちは、元気ですか", "", false},
		{"Café déjà vu", EN, true},
		{"繁體中文也算中文", ZH, true},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got, ok := Detect(tt.text)
			if got != tt.want || ok != tt.wantOK {
				t.Fatalf("Detect(%q) = %q, %v, want %q, %v", tt.text, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestFromTag(t *testing.T) {
	tests := []struct {
		tag    string
		want   Lang
		wantOK bool
	}{
		{"zh-hans", ZH, true},
		{"zh-CN", ZH, true},
		{"zh_TW", ZH, true},
		{"ZH", ZH, true},
		{"en-US", EN, true},
		{"en", EN, true},
		{" en-gb ", EN, true},
		{"de", "", false},
		{"", "", false},
		{"zho", "", false},
	}
	for _, tt := range tests {
		if got, ok := FromTag(tt.tag); got != tt.want || ok != tt.wantOK {
			t.Errorf("FromTag(%q) = %q, %v, want %q, %v", tt.tag, got, ok, tt.want, tt.wantOK)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{"你好", "hello there", "/help", "👍", "123", "我想用 Python", "\xff\xfe", "@bot 在吗"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lang, ok := Detect(text)
		if ok != (lang != "") || (ok && lang != ZH && lang != EN) {
			t.Fatalf("Detect(%q) = %q, %v", text, lang, ok)
		}
		// A leading command word never changes the result.
		if l2, ok2 := Detect("/cmd " + text); !strings.HasPrefix(strings.TrimSpace(text), "/") && (l2 != lang || ok2 != ok) {
			t.Fatalf("Detect(/cmd %q) = %q, %v; without the command %q, %v", text, l2, ok2, lang, ok)
		}
		// Doubling a text whose language is known keeps it.
		if l3, ok3 := Detect(text + " " + text); ok && (l3 != lang || !ok3) {
			t.Fatalf("Detect of %q twice = %q, %v; once %q, %v", text, l3, ok3, lang, ok)
		}
	})
}
