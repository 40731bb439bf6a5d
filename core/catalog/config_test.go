package catalog

import (
	"testing"

	"github.com/BurntSushi/toml"
)

func TestConfigDecodesFromTOML(t *testing.T) {
	const doc = `
[texts.zh]
busy = "人太多了，请稍后再试。"

[texts.en]
input_truncated = "I read the first {limit} characters only."
`
	var file struct {
		Texts Config `toml:"texts"`
	}
	md, err := toml.Decode(doc, &file)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("undecoded keys %v", u)
	}
	c, err := New(file.Texts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang Lang
		id   ID
		args []string
		want string
	}{
		{ZH, Busy, nil, "人太多了，请稍后再试。"},
		{EN, Busy, nil, "I'm handling a lot of messages right now. Please try again in a moment."},
		{EN, InputTruncated, []string{"limit", "4000"}, "I read the first 4000 characters only."},
	}
	for _, tt := range tests {
		if got := c.Text(tt.lang, tt.id, tt.args...); got != tt.want {
			t.Errorf("Text(%s, %s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}
