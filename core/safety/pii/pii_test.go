package pii

import (
	"strings"
	"testing"
)

func mustMasker(t testing.TB, patterns ...Pattern) *Masker {
	t.Helper()
	m, err := New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestChecksums(t *testing.T) {
	tests := []struct {
		digits string
		id     byte
	}{
		{"11010519491231002", 'X'},
		{"44030119900101123", '4'},
	}
	for _, tt := range tests {
		if got := idChecksum([]byte(tt.digits)); got != tt.id {
			t.Errorf("idChecksum(%s) = %c, want %c", tt.digits, got, tt.id)
		}
	}
	for _, c := range []string{"4111111111111111", "6222021234567890128", "5500000000000004"} {
		if !luhn([]byte(c)) {
			t.Errorf("luhn(%s) = false", c)
		}
	}
	if luhn([]byte("4111111111111112")) {
		t.Error("luhn(4111111111111112) = true")
	}
}

func TestMaskDetectors(t *testing.T) {
	m := mustMasker(t)
	tests := []struct{ in, want string }{
		{"电话13812345678谢谢", "电话[PHONE_1]谢谢"},
		{"call +86 138-1234-5678 now", "call [PHONE_1] now"},
		{"0086 13812345678", "[PHONE_1]"},
		{"+8613812345678", "[PHONE_1]"},
		{"138 1234 5678", "[PHONE_1]"},
		{"12812345678 is not a mobile", "12812345678 is not a mobile"},
		{"213812345678 is longer", "213812345678 is longer"},
		{"+1 13812345678", "+1 [PHONE_1]"},
		{"身份证11010519491231002X。", "身份证[IDCARD_1]。"},
		{"id 110105194912310021 bad checksum", "id 110105194912310021 bad checksum"},
		{"卡号 4111 1111 1111 1111", "卡号 [CARD_1]"},
		{"card 4111-1111-1111-1112 fails Luhn", "card 4111-1111-1111-1112 fails Luhn"},
		{"6222021234567890128", "[CARD_1]"},
		{"mail Zhang.San+x@mail.example.com.", "mail [EMAIL_1]."},
		{"not@mail, a@b.c, x@y.com1", "not@mail, a@b.c, x@y.com1"},
		{"13812345678@qq.com", "[EMAIL_1]"},
		{"two 13812345678 and 13912345678 then 13812345678", "two [PHONE_1] and [PHONE_2] then [PHONE_1]"},
		{"plain text 你好 2024-01-15", "plain text 你好 2024-01-15"},
	}
	for _, tt := range tests {
		got, _ := m.Mask([]string{tt.in})
		if got[0] != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got[0], tt.want)
		}
	}
}

func TestMaskWindow(t *testing.T) {
	m := mustMasker(t, Pattern{Name: "order_no", Pattern: `SO\d{8}`})
	msgs := []string{
		"my phone is 13812345678",
		"and [PHONE_2] is what I typed, order SO12345678",
		"call 13912345678 or 13812345678, mail a@example.com",
	}
	got, mp := m.Mask(msgs)
	want := []string{
		"my phone is [PHONE_1]",
		"and [PHONE_2] is what I typed, order [ORDER_NO_1]",
		"call [PHONE_3] or [PHONE_1], mail [EMAIL_1]",
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("msg %d = %q, want %q", i, got[i], want[i])
		}
	}
	if mp.Len() != 4 {
		t.Errorf("Len = %d, want 4 (%q)", mp.Len(), mp.Placeholders())
	}
	if v, ok := mp.Value("[PHONE_3]"); !ok || v != "13912345678" {
		t.Errorf("Value([PHONE_3]) = %q, %v", v, ok)
	}
	// a later turn with one more message keeps the numbers
	got2, _ := m.Mask(append(msgs, "again 13912345678"))
	if got2[3] != "again [PHONE_3]" {
		t.Errorf("next turn: %q", got2[3])
	}
	for i, g := range got {
		if r := mp.Restore(g); r != msgs[i] {
			t.Errorf("Restore(%q) = %q, want %q", g, r, msgs[i])
		}
	}
}

func TestRestore(t *testing.T) {
	_, mp := mustMasker(t).Mask([]string{"13812345678 a@example.com"})
	tests := []struct{ in, want string }{
		{"您的号码是[PHONE_1]，邮箱[EMAIL_1]。", "您的号码是13812345678，邮箱a@example.com。"},
		{"[PHONE_2] and [PHONE_1", "[PHONE_2] and [PHONE_1"},
		{"[[PHONE_1]]", "[13812345678]"},
		{"no placeholders", "no placeholders"},
	}
	for _, tt := range tests {
		if got := mp.Restore(tt.in); got != tt.want {
			t.Errorf("Restore(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRestorerHoldsOnlyPrefixes(t *testing.T) {
	_, mp := mustMasker(t).Mask([]string{"13812345678"})
	r := mp.NewRestorer()
	steps := []struct{ in, want string }{
		{"号码[PH", "号码"},
		{"ONE_1", ""},
		{"] ok [", "13812345678 ok "},
		{"X", "[X"},
		{" [PHONE_", " "},
		{"2]", "[PHONE_2]"},
	}
	for _, s := range steps {
		if got := r.Write(s.in); got != s.want {
			t.Fatalf("Write(%q) = %q, want %q", s.in, got, s.want)
		}
	}
	if got := r.Write("[PHONE"); got != "" {
		t.Fatalf("prefix sent: %q", got)
	}
	if got := r.Flush(); got != "[PHONE" {
		t.Fatalf("Flush = %q", got)
	}
}

func TestRestorerChunks(t *testing.T) {
	msgs := []string{"13812345678, 4111 1111 1111 1111, a@example.com"}
	_, mp := mustMasker(t).Mask(msgs)
	answer := "好的，[PHONE_1] 和 [CARD_1] 已记录，[EMAIL_1] [EMAIL_2] [PHONE_1"
	want := mp.Restore(answer)
	for cut := 1; cut <= len(answer); cut++ {
		r := mp.NewRestorer()
		var b strings.Builder
		for i := 0; i < len(answer); i += cut {
			b.WriteString(r.Write(answer[i:min(i+cut, len(answer))]))
		}
		b.WriteString(r.Flush())
		if b.String() != want {
			t.Fatalf("cut %d: %q, want %q", cut, b.String(), want)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		patterns []Pattern
		want     string
	}{
		{[]Pattern{{Name: "order_no", Pattern: `SO\d+`}}, ""},
		{[]Pattern{{Name: "phone", Pattern: `x`}}, "[0].name: name \"phone\" is a built-in kind"},
		{[]Pattern{{Name: "1x", Pattern: `x`}}, "[0].name"},
		{[]Pattern{{Name: "a", Pattern: `(`}}, "[0].pattern"},
		{[]Pattern{{Name: "a-b", Pattern: `x`}, {Name: "A_B", Pattern: `y`}}, "[1].name"},
	}
	for _, tt := range tests {
		got := strings.Join(Check(tt.patterns), "; ")
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("Check(%v) = %q, want %q", tt.patterns, got, tt.want)
		}
	}
	if _, err := New([]Pattern{{Name: "a", Pattern: `(`}}); err == nil {
		t.Error("New with a bad pattern: no error")
	}
}

func TestMaskerConcurrentUse(t *testing.T) {
	m := mustMasker(t, Pattern{Name: "order_no", Pattern: `SO\d{8}`})
	done := make(chan string)
	for range 4 {
		go func() {
			masked, mp := m.Mask([]string{"13812345678 SO12345678"})
			r := mp.NewRestorer()
			done <- masked[0] + "|" + r.Write(masked[0][:5]) + r.Write(masked[0][5:]) + r.Flush()
		}()
	}
	for range 4 {
		if got := <-done; got != "[PHONE_1] [ORDER_NO_1]|13812345678 SO12345678" {
			t.Errorf("got %q", got)
		}
	}
}
