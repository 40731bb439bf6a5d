package envfile

import (
	"maps"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	got, err := Parse("# secrets\n\nA=1\nexport B = two words \nC=\"say \\\"hi\\\" \\\\ there\"\nD='x\"y'\nA=3\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "3", "B": "two words", "C": `say "hi" \ there`, "D": `x"y`}
	if !maps.Equal(got, want) {
		t.Fatalf("Parse = %q, want %q", got, want)
	}
	for _, bad := range []string{"novalue\n", "1A=x\n", "A=\"open\n", "A=\"a\"b\"\n"} {
		if _, err := Parse(bad); err == nil || !strings.HasPrefix(err.Error(), "line 1") {
			t.Errorf("Parse(%q) err = %v, want a line 1 error", bad, err)
		}
	}
}

func TestFormatRoundTrips(t *testing.T) {
	vars := map[string]string{"TOKEN": "123:ab-C_d", "KEY": "sk-x/y+z=", "SPACED": `a "b" \c`, "EMPTY": ""}
	text, err := Format(vars)
	if err != nil {
		t.Fatal(err)
	}
	if want := "EMPTY=\nKEY=sk-x/y+z=\nSPACED=\"a \\\"b\\\" \\\\c\"\nTOKEN=123:ab-C_d\n"; text != want {
		t.Fatalf("Format = %q, want %q", text, want)
	}
	back, err := Parse(text)
	if err != nil || !maps.Equal(back, vars) {
		t.Fatalf("Parse(Format) = %q, %v", back, err)
	}
	if _, err := Format(map[string]string{"A": "x\ny"}); err == nil {
		t.Fatal("Format accepted a value with a line break")
	}
	if _, err := Format(map[string]string{"A-B": "x"}); err == nil {
		t.Fatal("Format accepted a bad name")
	}
}

func FuzzParse(f *testing.F) {
	f.Add("A=1\nB=\"x\\\"y\"\n# c\n")
	f.Add("export K='v'\n")
	f.Fuzz(func(t *testing.T, text string) {
		vars, err := Parse(text)
		if err != nil {
			return
		}
		out, err := Format(vars)
		if err != nil {
			for _, v := range vars {
				if strings.ContainsAny(v, "\r\n") {
					return
				}
			}
			t.Fatalf("Format of parsed %q: %v", vars, err)
		}
		back, err := Parse(out)
		if err != nil || !maps.Equal(back, vars) {
			t.Fatalf("round trip of %q: got %q, %v", vars, back, err)
		}
	})
}
