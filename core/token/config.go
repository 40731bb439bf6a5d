package token

import "fmt"

// Config is the [tokens] section: which estimate to start from and how the
// Calibrator learns each provider's correction from reported usage.
type Config struct {
	// Encoding is the tokenizer family estimates are fitted to:
	// "conservative" (covers o200k and cl100k), "o200k" or "cl100k".
	Encoding string `toml:"encoding"`
	// Calibrate turns on learning a per-provider scale from the prompt
	// tokens providers report; off, every scale stays 1.
	Calibrate bool `toml:"calibrate"`
	// Smoothing is the weight of the newest observation in the moving
	// average of reported/estimated, in (0, 1].
	Smoothing float64 `toml:"smoothing"`
	// MinScale and MaxScale clamp every observation and every scale.
	MinScale float64 `toml:"min_scale"`
	MaxScale float64 `toml:"max_scale"`
	// Headroom is added on top of the learned ratio (0.03 = 3%) so that
	// calibrated counts still err on the high side.
	Headroom float64 `toml:"headroom"`
	// MinPromptTokens ignores usage from prompts estimated smaller than
	// this: their ratio is mostly rounding noise.
	MinPromptTokens int `toml:"min_prompt_tokens"`
}

// DefaultConfig returns the defaults: the conservative encoding, calibration
// on, smoothing 0.2, scales within 0.5–2.0, 3% headroom, and prompts of at
// least 50 tokens observed.
func DefaultConfig() Config {
	return Config{
		Encoding:        Conservative.String(),
		Calibrate:       true,
		Smoothing:       0.2,
		MinScale:        0.5,
		MaxScale:        2.0,
		Headroom:        0.03,
		MinPromptTokens: 50,
	}
}

// Validate returns every problem with c as "key: problem".
func (c Config) Validate() []string {
	var p []string
	if _, err := ParseEncoding(c.Encoding); err != nil {
		p = append(p, fmt.Sprintf("encoding: unknown %q (want conservative, o200k or cl100k)", c.Encoding))
	}
	if !(c.Smoothing > 0 && c.Smoothing <= 1) {
		p = append(p, "smoothing: must be in (0, 1]")
	}
	if !(c.MinScale > 0 && c.MinScale <= 1) {
		p = append(p, "min_scale: must be in (0, 1]")
	}
	if !(c.MaxScale >= 1 && c.MaxScale <= 10) {
		p = append(p, "max_scale: must be in [1, 10]")
	}
	if !(c.Headroom >= 0 && c.Headroom <= 0.5) {
		p = append(p, "headroom: must be in [0, 0.5]")
	}
	if c.MinPromptTokens < 1 {
		p = append(p, "min_prompt_tokens: must be at least 1")
	}
	return p
}
