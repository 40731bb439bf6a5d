package pii

import (
	"strings"
	"testing"
)

// benchText is a 2,000-character mixed message with a phone number, an ID
// number, a card number and an e-mail address in it.
func benchText() string {
	var b strings.Builder
	filler := "请帮我查一下订单的物流状态，the parcel was due on 2024-01-15 but has not arrived. "
	for b.Len() < 4000 {
		b.WriteString(filler)
	}
	values := " 联系13812345678 身份证11010519491231002X 卡号4111 1111 1111 1111 邮箱a.b@example.com "
	rs := []rune(b.String())
	return string(rs[:1000]) + values + string(rs[1000:2000-len([]rune(values))])
}

func BenchmarkMask2000(b *testing.B) {
	text := benchText()
	b.Run("builtin", func(b *testing.B) {
		m := mustMasker(b)
		for b.Loop() {
			m.Mask([]string{text})
		}
	})
	b.Run("builtin+2 patterns", func(b *testing.B) {
		m := mustMasker(b,
			Pattern{Name: "order_no", Pattern: `SO\d{8}`},
			Pattern{Name: "plate", Pattern: `[京沪粤][A-Z][A-Z0-9]{5}`},
		)
		for b.Loop() {
			m.Mask([]string{text})
		}
	})
}

func BenchmarkRestore(b *testing.B) {
	text := benchText()
	masked, mp := mustMasker(b).Mask([]string{text})
	b.Run("one-shot", func(b *testing.B) {
		for b.Loop() {
			mp.Restore(masked[0])
		}
	})
	b.Run("stream/64-byte chunks", func(b *testing.B) {
		r := mp.NewRestorer()
		s := masked[0]
		for b.Loop() {
			for i := 0; i < len(s); i += 64 {
				r.Write(s[i:min(i+64, len(s))])
			}
			r.Flush()
		}
	})
}
