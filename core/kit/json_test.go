package kit

import (
	"encoding/json"
	"testing"
)

var jsonStrings = []string{
	"", "plain text", `quote " and backslash \`, "tab\tnewline\nreturn\rbell\a",
	"\b\f\x00\x1f\x7f", "<script>&amp;</script>", "中文 and emoji 😀", "bad \xff\xfe utf-8",
	"cut \xe4\xb8", "line\u2028paragraph\u2029", "\u00e9\u0301",
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonStrings {
		checkJSONString(t, s)
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStrings {
		f.Add(s)
	}
	f.Fuzz(checkJSONString)
}

func checkJSONString(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
		t.Errorf("AppendJSONString(%q) = %s, want x%s", s, got, want)
	}
}
