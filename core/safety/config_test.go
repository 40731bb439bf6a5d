package safety

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"imbot/core/safety/pii"
)

func TestDecodeAndValidate(t *testing.T) {
	const doc = `
words_file = "/etc/imbot/words.txt"
max_input_chars = 2000

[[pii_patterns]]
name = "order_no"
pattern = 'SO\d{8}'
`
	c := DefaultConfig()
	md, err := toml.Decode(doc, &c)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("undecoded keys %v", u)
	}
	if !c.RestorePII || c.RefusalReply != "" || c.MaxInputChars != 2000 || len(c.PIIPatterns) != 1 {
		t.Fatalf("decoded %+v", c)
	}
	if ps := c.Validate(); len(ps) > 0 {
		t.Fatalf("Validate = %q", ps)
	}
}

func TestValidateProblems(t *testing.T) {
	c := Config{
		RefusalReply:  " ",
		MaxInputChars: -1,
		PIIPatterns:   []pii.Pattern{{Name: "email", Pattern: "x"}, {Name: "ok", Pattern: "("}},
	}
	got := strings.Join(c.Validate(), "\n")
	for _, want := range []string{"refusal_reply: is blank", "max_input_chars: -1", "pii_patterns[0].name", "pii_patterns[1].pattern"} {
		if !strings.Contains(got, want) {
			t.Errorf("Validate() lacks %q:\n%s", want, got)
		}
	}
}
