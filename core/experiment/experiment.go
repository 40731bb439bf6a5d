// Package experiment runs A/B experiments on answers ([[experiments]]): each
// user is assigned, by a stable hash of platform and user id, to at most
// one experiment arm, whose overrides (system prompt, general chain) the
// router applies; every turn records its arm, and Report compares the arms.
package experiment

import (
	"fmt"
	"hash/fnv"
	"math"
)

// Config is one [[experiments]] table: an arm and the share of users in it.
// Users in no arm form the control group.
type Config struct {
	// Name identifies the arm in turn records and reports.
	Name string `toml:"name"`
	// Share is the fraction of users in the arm, (0, 1]; the shares of all
	// arms add up to at most 1.
	Share float64 `toml:"share"`
	// SystemPrompt, when set, replaces [router] system_prompt.
	SystemPrompt string `toml:"system_prompt"`
	// General, when set, replaces [router] general: provider names in order.
	General []string `toml:"general"`
	// AnswerThreshold and BusinessThreshold, when set (both or neither),
	// replace the FAQ tier's thresholds of the same names for the arm's
	// users.
	AnswerThreshold   *float64 `toml:"answer_threshold"`
	BusinessThreshold *float64 `toml:"business_threshold"`
}

// Validate reports every problem as "experiments[i].key: problem"; known
// names the providers a general chain may use.
func Validate(cfgs []Config, known func(provider string) bool) []string {
	var p []string
	seen, total := map[string]bool{}, 0.0
	for i, c := range cfgs {
		key := fmt.Sprintf("experiments[%d].", i)
		switch {
		case c.Name == "":
			p = append(p, key+"name: must be set")
		case seen[c.Name]:
			p = append(p, key+"name: "+c.Name+" is used twice")
		}
		seen[c.Name] = true
		if !(c.Share > 0 && c.Share <= 1) {
			p = append(p, key+"share: must be in (0, 1]")
		}
		total += c.Share
		if t := c.AnswerThreshold; t != nil && !(*t > 0 && *t <= 1) {
			p = append(p, key+"answer_threshold: must be in (0, 1]")
		}
		if t := c.BusinessThreshold; t != nil && !(*t >= 0 && *t <= 1) {
			p = append(p, key+"business_threshold: must be in [0, 1]")
		}
		if (c.AnswerThreshold == nil) != (c.BusinessThreshold == nil) {
			p = append(p, key+"answer_threshold: set answer_threshold and business_threshold together")
		}
		for j, g := range c.General {
			if !known(g) {
				p = append(p, fmt.Sprintf("%sgeneral[%d]: no provider named %q", key, j, g))
			}
		}
	}
	if total > 1+1e-9 {
		p = append(p, fmt.Sprintf("experiments: shares add up to %.3f, more than 1", total))
	}
	return p
}

// Assigner puts users in arms. It holds no state but the configuration, so
// a user's arm is the same in every process with the same experiments.
type Assigner struct {
	arms []Config
}

// NewAssigner returns an Assigner over cfgs (validated by the caller). A
// user's arm depends on the order of cfgs: add new experiments at the end,
// and changing a share moves only the users at the edge of that arm.
func NewAssigner(cfgs []Config) *Assigner { return &Assigner{arms: cfgs} }

// Assign returns the arm of the user who sends as sender (platform and user
// id, core.Envelope.Sender), or false for the control group.
func (a *Assigner) Assign(sender string) (Config, bool) {
	if a == nil || len(a.arms) == 0 {
		return Config{}, false
	}
	x := position(sender)
	edge := 0.0
	for _, arm := range a.arms {
		edge += arm.Share
		if x < edge {
			return arm, true
		}
	}
	return Config{}, false
}

// position maps sender uniformly onto [0, 1).
func position(sender string) float64 {
	h := fnv.New64a()
	h.Write([]byte("imbot-experiment\x00" + sender))
	return float64(mix(h.Sum64())>>11) / (1 << 53)
}

// mix is the SplitMix64 finaliser: FNV's high bits alone are not uniform
// enough for short, similar ids.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// TwoProportionZ compares the success rates up1/n1 and up2/n2 with a pooled
// two-proportion z-test and returns z and its two-sided p-value; both are
// NaN when either sample is empty or nothing varies.
func TwoProportionZ(up1, n1, up2, n2 int) (z, p float64) {
	if n1 == 0 || n2 == 0 {
		return math.NaN(), math.NaN()
	}
	p1, p2 := float64(up1)/float64(n1), float64(up2)/float64(n2)
	pool := float64(up1+up2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return math.NaN(), math.NaN()
	}
	z = (p1 - p2) / se
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}
