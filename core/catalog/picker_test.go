package catalog

import (
	"fmt"
	"sync"
	"testing"
)

func TestPickerOrder(t *testing.T) {
	type step struct {
		user, text, tag string
		want            Lang
	}
	tests := []struct {
		name  string
		def   Lang
		steps []step
	}{
		{"message language first", EN, []step{{"u", "你好", "en-US", ZH}, {"u", "hello there", "zh-CN", EN}}},
		{"then the user's last language", EN, []step{{"u", "请帮我", "", ZH}, {"u", "/help", "en", ZH}, {"u", "👍", "", ZH}}},
		{"then the platform's code", EN, []step{{"u", "/help", "zh-hans", ZH}, {"v", "/start", "en-GB", EN}}},
		{"then the default", ZH, []step{{"u", "/help", "", ZH}, {"v", "123", "fr", ZH}}},
		{"default English", EN, []step{{"u", "/help", "", EN}}},
		{"unsupported default reads English", Lang("fr"), []step{{"u", "", "", EN}}},
		{"users are apart", EN, []step{{"a", "你好", "", ZH}, {"b", "/help", "", EN}, {"a", "/help", "", ZH}}},
		{"empty user is not remembered", EN, []step{{"", "你好", "", ZH}, {"", "/help", "", EN}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPicker(tt.def)
			for i, s := range tt.steps {
				if got := p.Pick(s.user, s.text, s.tag); got != s.want {
					t.Fatalf("step %d: Pick(%q, %q, %q) = %q, want %q", i, s.user, s.text, s.tag, got, s.want)
				}
			}
		})
	}
}

func TestPickerForgetsLeastRecentlySeen(t *testing.T) {
	p := NewPicker(EN, WithRememberedUsers(2))
	p.Pick("a", "你好", "")
	p.Pick("b", "你好", "")
	p.Pick("a", "/help", "") // a is now the most recently seen
	p.Pick("c", "你好", "")    // forgets b
	tests := []struct {
		user string
		want Lang
	}{{"a", ZH}, {"b", EN}, {"c", ZH}}
	for _, tt := range tests {
		if got := p.Pick(tt.user, "/help", ""); got != tt.want {
			t.Errorf("Pick(%q) = %q, want %q", tt.user, got, tt.want)
		}
	}
	if n := len(p.users); n != 2 {
		t.Fatalf("remembers %d users, want 2", n)
	}
}

func TestPickerRemembersNoneWhenSizeIsZero(t *testing.T) {
	p := NewPicker(EN, WithRememberedUsers(0))
	p.Pick("a", "你好", "")
	if got := p.Pick("a", "/help", ""); got != EN {
		t.Fatalf("Pick = %q, want %q", got, EN)
	}
}

func TestPickerConcurrentUse(t *testing.T) {
	p := NewPicker(EN, WithRememberedUsers(16))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				user := fmt.Sprintf("u%d", (i*200+j)%40)
				text := "你好"
				if j%3 == 0 {
					text = "/help"
				}
				if got := p.Pick(user, text, ""); got != ZH && got != EN {
					t.Errorf("Pick = %q", got)
				}
			}
		}()
	}
	wg.Wait()
	if n := len(p.users); n > 16 || n != p.order.Len() {
		t.Fatalf("remembers %d users (list %d), want at most 16", n, p.order.Len())
	}
}
