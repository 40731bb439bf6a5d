package check

import (
	"reflect"
	"strings"
	"testing"
)

const sampleTOML = `# comment
[server]
listen = "127.0.0.1:8080" # trailing comment

[[providers]]
name = 'local'
prompt = """
not = a key
"""
breaker.threshold = 3

[[providers]]
name = "cloud"
models = [
  { name = "x" },
]
[providers.breaker]
cool_down = "30s"

[adapters."tele.gram"]
token_env = "A#B"
`

func TestLocate(t *testing.T) {
	want := []Entry{
		{Path: "server", Line: 2},
		{Path: "server.listen", Line: 3, Value: "127.0.0.1:8080"},
		{Path: "providers[0]", Line: 5},
		{Path: "providers[0].name", Line: 6, Value: "local"},
		{Path: "providers[0].prompt", Line: 7},
		{Path: "providers[0].breaker.threshold", Line: 10, Value: "3"},
		{Path: "providers[1]", Line: 12},
		{Path: "providers[1].name", Line: 13, Value: "cloud"},
		{Path: "providers[1].models", Line: 14, Value: "["},
		{Path: "providers[1].breaker", Line: 17},
		{Path: "providers[1].breaker.cool_down", Line: 18, Value: "30s"},
		{Path: "adapters.tele.gram", Line: 20},
		{Path: "adapters.tele.gram.token_env", Line: 21, Value: "A#B"},
	}
	if got := Locate(sampleTOML); !reflect.DeepEqual(got, want) {
		t.Fatalf("Locate:\n got %+v\nwant %+v", got, want)
	}
}

func TestLineOf(t *testing.T) {
	entries := Locate(sampleTOML)
	for key, want := range map[string]int{
		"providers[1].name":          13,
		"providers[1].breaker.x":     17,
		"providers[0].model":         5,
		"router.general":             0,
		"server.listen":              3,
		"providers[0].breaker.delay": 5,
	} {
		if got := lineOf(entries, key); got != want {
			t.Errorf("lineOf(%q) = %d, want %d", key, got, want)
		}
	}
}

func FuzzLocate(f *testing.F) {
	f.Add(sampleTOML)
	f.Add("[[a]]\n[[a.b]]\nx = 1\n[a.b.c]\n")
	f.Add("k = '''\n\"\"\"\n'''\n[t]\n")
	f.Add("a.\"b.c\" = [\n[\n]]\n")
	f.Fuzz(func(t *testing.T, doc string) {
		lines := strings.Count(doc, "\n") + 1
		last := 0
		for _, e := range Locate(doc) {
			if e.Line < last || e.Line < 1 || e.Line > lines {
				t.Fatalf("entry %+v out of order or outside 1..%d", e, lines)
			}
			if e.Path == "" {
				t.Fatalf("entry %+v without a path", e)
			}
			last = e.Line
		}
	})
}
