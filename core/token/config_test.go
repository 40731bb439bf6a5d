package token

import (
	"slices"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestDefaultConfigIsValid(t *testing.T) {
	if p := DefaultConfig().Validate(); len(p) != 0 {
		t.Errorf("DefaultConfig().Validate() = %q", p)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string
	}{
		{"unknown encoding", func(c *Config) { c.Encoding = "p50k" },
			[]string{`encoding: unknown "p50k" (want conservative, o200k or cl100k)`}},
		{"smoothing zero", func(c *Config) { c.Smoothing = 0 }, []string{"smoothing: must be in (0, 1]"}},
		{"smoothing above one", func(c *Config) { c.Smoothing = 1.5 }, []string{"smoothing: must be in (0, 1]"}},
		{"scales inverted", func(c *Config) { c.MinScale, c.MaxScale = 2, 0.5 },
			[]string{"min_scale: must be in (0, 1]", "max_scale: must be in [1, 10]"}},
		{"negative headroom", func(c *Config) { c.Headroom = -0.1 }, []string{"headroom: must be in [0, 0.5]"}},
		{"min prompt zero", func(c *Config) { c.MinPromptTokens = 0 }, []string{"min_prompt_tokens: must be at least 1"}},
		{"zero value reports every numeric key", func(c *Config) { *c = Config{Encoding: "o200k"} }, []string{
			"smoothing: must be in (0, 1]", "min_scale: must be in (0, 1]", "max_scale: must be in [1, 10]",
			"min_prompt_tokens: must be at least 1",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.mutate(&cfg)
			if got := cfg.Validate(); !slices.Equal(got, tt.want) {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestConfigTOML decodes the documented section strictly: the tags are the
// key names docs/tokens.md and config.toml.example promise.
func TestConfigTOML(t *testing.T) {
	const doc = `
encoding = "o200k"
calibrate = false
smoothing = 0.5
min_scale = 0.6
max_scale = 1.5
headroom = 0.1
min_prompt_tokens = 20
`
	cfg := DefaultConfig()
	md, err := toml.Decode(doc, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	if u := md.Undecoded(); len(u) != 0 {
		t.Fatalf("undecoded keys %v", u)
	}
	want := Config{Encoding: "o200k", Calibrate: false, Smoothing: 0.5, MinScale: 0.6, MaxScale: 1.5,
		Headroom: 0.1, MinPromptTokens: 20}
	if cfg != want {
		t.Errorf("decoded %+v, want %+v", cfg, want)
	}
}
