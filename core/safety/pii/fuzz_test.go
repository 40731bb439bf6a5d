package pii

import (
	"strings"
	"testing"
)

func FuzzMaskRestore(f *testing.F) {
	f.Add("电话 +86 138-1234-5678，身份证11010519491231002X", "[PHONE_1] a@example.com 4111 1111 1111 1111 SO12345678")
	f.Add("[PHONE_1", "13812345678]")
	m, err := New([]Pattern{{Name: "order", Pattern: `SO\d{8}`}, {Name: "bracket", Pattern: `\[[A-Z]+`}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		msgs := []string{a, b}
		masked, mp := m.Mask(msgs)
		for i := range msgs {
			if got := mp.Restore(masked[i]); got != msgs[i] {
				t.Fatalf("Restore(Mask(%q)) = %q (masked %q)", msgs[i], got, masked[i])
			}
		}
	})
}

func FuzzRestorer(f *testing.F) {
	f.Add("13812345678 a@example.com", "x[PHONE_1][EMAIL_1][PHONE_2[", []byte{1, 3})
	m, err := New(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw, answer string, cuts []byte) {
		_, mp := m.Mask([]string{raw})
		r := mp.NewRestorer()
		var b strings.Builder
		rest := answer
		for i := 0; len(rest) > 0; i++ {
			n := len(rest)
			if len(cuts) > 0 {
				n = min(n, 1+int(cuts[i%len(cuts)])%8)
			}
			b.WriteString(r.Write(rest[:n]))
			rest = rest[n:]
			if len(r.pending) >= max(mp.maxLen, 1) {
				t.Fatalf("holds %q", r.pending)
			}
		}
		b.WriteString(r.Flush())
		if want := mp.Restore(answer); b.String() != want {
			t.Fatalf("stream %q, Restore %q", b.String(), want)
		}
	})
}
