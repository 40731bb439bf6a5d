package check

import (
	"reflect"
	"testing"
)

type testBreaker struct {
	Threshold int `toml:"threshold"`
}

type testProvider struct {
	Name      string      `toml:"name"`
	APIKeyEnv string      `toml:"api_key_env"`
	APIKey    string      `toml:"-"`
	Breaker   testBreaker `toml:"breaker"`
}

type testRouter struct {
	General []string `toml:"general"`
}

type testConfig struct {
	Server struct {
		Listen string `toml:"listen"`
	} `toml:"server"`
	Providers []testProvider `toml:"providers"`
	Router    struct {
		testRouter
		Texts map[string]string `toml:"texts"`
	} `toml:"router"`
}

const badTOML = `[server]
listne = "127.0.0.1:8080"

[[providers]]
name = "a"
api_key = "sk-0123456789abcdefghij"

[[providers]]
name = "b"
api_key_env = "sk-0123456789abcdefghij"
breaker.treshold = 3

[router]
general = ["a"]
colour = "blue"
`

func TestAnalyze(t *testing.T) {
	got := Analyze(Input{
		Text:      badTOML,
		Type:      reflect.TypeFor[testConfig](),
		Undecoded: []string{"server.listne", "providers.api_key", "providers.breaker.treshold", "router.colour"},
		Validation: []string{"providers[1].name: is used twice", "tokens.budget: must be positive",
			"providers[1].api_key_env: is not an environment variable name",
			"providers[1].name: must not be empty"},
		Placed: []Problem{{Key: "providers.name", Line: 9, Msg: "incompatible types"}},
	})
	want := []Problem{
		{Key: "server.listne", Line: 2, Msg: "unknown key; did you mean listen?"},
		{Key: "providers[0].api_key", Line: 6, Msg: "a secret written in the file: put the value in an environment variable (or the env file) and name that variable in api_key_env"},
		{Key: "providers[1].name", Line: 9, Msg: "incompatible types"},
		{Key: "providers[1].api_key_env", Line: 10, Msg: "holds what looks like a secret, not the name of an environment variable: put the value in the environment (or the env file) and write the variable's name here"},
		{Key: "providers[1].breaker.treshold", Line: 11, Msg: "unknown key; did you mean threshold?"},
		{Key: "router.colour", Line: 15, Msg: "unknown key"},
		{Key: "tokens.budget", Msg: "must be positive"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Analyze:\n got %q\nwant %q", got, want)
	}
	if s := got[0].String(); s != "line 2: server.listne: unknown key; did you mean listen?" {
		t.Fatalf("String() = %q", s)
	}
}

func TestKnownKeys(t *testing.T) {
	typ := reflect.TypeFor[testConfig]()
	for _, tc := range []struct {
		path []string
		want int
		ok   bool
	}{
		{nil, 3, true},
		{[]string{"providers"}, 3, true},
		{[]string{"providers", "breaker"}, 1, true},
		{[]string{"router"}, 2, true},
		{[]string{"router", "texts"}, 0, false},
		{[]string{"nope"}, 0, false},
	} {
		keys, ok := knownKeys(typ, tc.path)
		if len(keys) != tc.want || ok != tc.ok {
			t.Errorf("knownKeys(%v) = %v, %v; want %d keys, %v", tc.path, keys, ok, tc.want, tc.ok)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"", "abc", 3}, {"listne", "listen", 2}, {"model", "model", 0}, {"kitten", "sitting", 3}} {
		if got := distance(tc.a, tc.b); got != tc.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
