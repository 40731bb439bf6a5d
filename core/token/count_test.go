package token

import (
	"strings"
	"testing"
)

// TestCountSmallTexts checks short texts against the counts o200k_base and
// cl100k_base give them (from tools/tokencal): within one token or 25%.
func TestCountSmallTexts(t *testing.T) {
	tests := []struct {
		name          string
		text          string
		o200k, cl100k int
	}{
		{"empty", "", 0, 0},
		{"one word", "hello", 1, 1},
		{"short sentence", "How are you today?", 5, 5},
		{"newline only", "\n", 1, 1},
		{"digits in groups of three", "1234567", 3, 3},
		{"chinese greeting", "你好，世界！", 4, 7},
		{"chinese question", "请问你们的营业时间是几点到几点？", 12, 18},
		{"emoji", "👍", 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, c := range []struct {
				enc  Encoding
				want int
			}{{O200K, tt.o200k}, {CL100K, tt.cl100k}, {Conservative, tt.cl100k}} {
				got := c.enc.Count(tt.text)
				slack := max(1, c.want/4)
				if tt.text == "" {
					slack = 0
				}
				if got < c.want-slack || got > c.want+slack {
					t.Errorf("%v.Count(%q) = %d, want %d±%d", c.enc, tt.text, got, c.want, slack)
				}
			}
		})
	}
}

func TestCountIsConservative(t *testing.T) {
	long := strings.Repeat("数据库连接超时，请检查网络配置。", 20)
	if c, o := Count(long), O200K.Count(long); c <= o {
		t.Errorf("Count = %d, O200K = %d: the default must count Chinese at least as high as o200k", c, o)
	}
	if Count(long) != Conservative.Count(long) {
		t.Error("Count must be Conservative.Count")
	}
	if Encoding(200).Count(long) != Conservative.Count(long) {
		t.Error("an unknown encoding must count as Conservative")
	}
}

func TestCountGrowsWithText(t *testing.T) {
	for _, unit := range []string{"The quick brown fox jumps over the lazy dog. ", "敏捷的棕色狐狸跳过了懒狗。", "x := f(a[i], 42)\n"} {
		one, ten := Count(unit), Count(strings.Repeat(unit, 10))
		if ten < 9*one || ten > 11*one {
			t.Errorf("Count(10 x %q) = %d, want about 10 x %d", unit, ten, one)
		}
	}
}

func TestCountMessages(t *testing.T) {
	msgs := []string{"You are a helpful assistant.", "退款多久到账？", ""}
	want := PerMessage
	for _, m := range msgs {
		want += Count(m) + PerMessage
	}
	if got := Conservative.CountMessages(msgs); got != want {
		t.Errorf("CountMessages = %d, want %d", got, want)
	}
	if got := Conservative.CountMessages(nil); got != 0 {
		t.Errorf("CountMessages(nil) = %d, want 0", got)
	}
}

func TestCountDoesNotAllocate(t *testing.T) {
	text := strings.Repeat("Hello, 世界! 123 ", 50)
	if n := testing.AllocsPerRun(100, func() { Count(text) }); n != 0 {
		t.Errorf("Count allocates %v times per call, want 0", n)
	}
}

func TestParseEncoding(t *testing.T) {
	tests := []struct {
		in      string
		want    Encoding
		wantErr bool
	}{
		{"conservative", Conservative, false},
		{"o200k", O200K, false},
		{"cl100k", CL100K, false},
		{"", Conservative, true},
		{"O200K", Conservative, true},
		{"p50k", Conservative, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEncoding(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseEncoding(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil && got.String() != tt.in {
				t.Errorf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
	if s := Encoding(9).String(); s != "Encoding(9)" {
		t.Errorf("Encoding(9).String() = %q", s)
	}
}

func TestScanTally(t *testing.T) {
	tests := []struct {
		text string
		want map[feature]int
	}{
		{"ab cdefg", map[feature]int{fWord2: 1, fWord6: 1}},
		{"x 12345", map[feature]int{fWord2: 1, fLoneSpace: 1, fDigitGroup: 2}},
		{"数据库。", map[feature]int{fHan: 3, fHanRun: 1, fWidePunct: 1}},
		{"a,\n\nb", map[feature]int{fWord2: 2, fPunct: 1, fPunctRun: 1, fNewlineRun: 1}},
		{"    x", map[feature]int{fSpaceRun: 1, fWord2: 1}},
		{"internationalization", map[feature]int{fWordLong: 1, fLongLetter: 8}},
		{"café", map[feature]int{fWord4: 1, fWideLetter: 1}},
		{"ひらがな 한국", map[feature]int{fKana: 4, fHangul: 2}},
		{"🙂\xff", map[feature]int{fOtherByte: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var want tally
			for f, n := range tt.want {
				want[f] = n
			}
			if got := scan(tt.text); got != want {
				t.Errorf("scan(%q) = %v, want %v", tt.text, got, want)
			}
		})
	}
}
