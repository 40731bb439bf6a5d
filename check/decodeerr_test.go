package check

import (
	"errors"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestDecodeProblem(t *testing.T) {
	var cfg struct {
		Server struct {
			Listen  string `toml:"listen"`
			Timeout int8   `toml:"timeout"`
		} `toml:"server"`
	}
	for _, tc := range []struct {
		doc  string
		want Problem
	}{
		{"[server]\nlisten = 5\n", Problem{Key: "server.listen", Line: 2,
			Msg: "incompatible types: TOML value has type int64; destination has type string"}},
		{"[server]\n\ntimeout = 300\n", Problem{Key: "server.timeout", Line: 3, Msg: "300 is out of range for int8"}},
		{"[server]\nlisten = \"open\n", Problem{Key: "server.listen", Line: 2}},
	} {
		_, err := toml.Decode(tc.doc, &cfg)
		got, ok := DecodeProblem(err)
		if !ok || got.Key != tc.want.Key || got.Line != tc.want.Line || (tc.want.Msg != "" && got.Msg != tc.want.Msg) {
			t.Errorf("DecodeProblem(%q) = %+v, %v; want %+v", err, got, ok, tc.want)
		}
	}
	if _, ok := DecodeProblem(errors.New("toml: something else")); ok {
		t.Error("placed an error without a line")
	}
}

func FuzzDecodeProblem(f *testing.F) {
	f.Add(`toml: line 2 (last key "server.listen"): incompatible types`)
	f.Add(`toml: line 0 (last key "a\"b"): x`)
	f.Fuzz(func(t *testing.T, msg string) {
		p, ok := DecodeProblem(errors.New(msg))
		if ok && (p.Line < 1 || p.Msg == "") {
			t.Fatalf("placed %q as %+v", msg, p)
		}
	})
}
