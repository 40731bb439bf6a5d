package experiment

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestAssignmentStableAndProportional(t *testing.T) {
	cfgs := []Config{{Name: "short", Share: 0.2}, {Name: "qwen", Share: 0.3}}
	first, again := NewAssigner(cfgs), NewAssigner(cfgs) // a restart builds a new Assigner
	const users = 10_000
	counts := map[string]int{}
	for i := range users {
		sender := fmt.Sprintf("telegram:%d", 100_000+i)
		arm, _ := first.Assign(sender)
		if other, _ := again.Assign(sender); other.Name != arm.Name {
			t.Fatalf("%s: arm %q, then %q after a restart", sender, arm.Name, other.Name)
		}
		counts[arm.Name]++
	}
	for name, share := range map[string]float64{"short": 0.2, "qwen": 0.3, "": 0.5} {
		got := float64(counts[name]) / users
		if math.Abs(got-share) > 0.02 {
			t.Errorf("arm %q has %.3f of the users, want %.2f ± 0.02", name, got, share)
		}
	}
}

func TestValidate(t *testing.T) {
	known := func(p string) bool { return p == "local" }
	half := 0.5
	p := strings.Join(Validate([]Config{{Name: "a", Share: 0.7, General: []string{"cloud"}}, {Name: "a", Share: 0.5, AnswerThreshold: &half},
		{Share: 0}}, known), "\n")
	for _, want := range []string{"experiments[0].general[0]: no provider named \"cloud\"", "experiments[1].name: a is used twice", "experiments[1].answer_threshold: set answer_threshold and business_threshold together",
		"experiments[2].name: must be set", "experiments[2].share", "shares add up to 1.200"} {
		if !strings.Contains(p, want) {
			t.Errorf("problems %q lack %q", p, want)
		}
	}
}

func TestTwoProportionZ(t *testing.T) {
	// 60/100 against 45/100: pooled 0.525, se 0.07062, z 2.124, p 0.0337.
	z, p := TwoProportionZ(60, 100, 45, 100)
	if math.Abs(z-2.124) > 0.001 || math.Abs(p-0.0337) > 0.0005 {
		t.Errorf("z, p = %.4f, %.4f; want 2.124, 0.0337", z, p)
	}
	if z, _ := TwoProportionZ(1, 0, 1, 2); !math.IsNaN(z) {
		t.Errorf("empty sample gave z %v", z)
	}
}

func TestReport(t *testing.T) {
	var turns []Turn
	for i := range 100 {
		turns = append(turns, Turn{Arm: "", Vote: vote(i < 45), Tokens: 10, LatencyMS: int64(i + 1)},
			Turn{Arm: "b", Vote: vote(i < 60), Tokens: 20, LatencyMS: int64(2 * (i + 1)), Degraded: i < 5})
	}
	s := Report(turns)
	if len(s) != 2 || s[0].Arm != "" || s[1].Arm != "b" {
		t.Fatalf("arms = %+v", s)
	}
	b := s[1]
	if b.Turns != 100 || b.Up != 60 || b.Down != 40 || b.Tokens != 2000 || b.P50MS != 100 || b.P99MS != 198 ||
		math.Abs(b.DegradedRate-0.05) > 1e-9 || math.Abs(b.Z-2.124) > 0.001 {
		t.Errorf("arm b = %+v", b)
	}
	if !math.IsNaN(s[0].Z) {
		t.Errorf("control z = %v, want none", s[0].Z)
	}
	var out bytes.Buffer
	if err := WriteTable(&out, s); err != nil || !strings.Contains(out.String(), "(control)") || !strings.Contains(out.String(), "60.0%") {
		t.Errorf("table = %q, %v", out.String(), err)
	}
}

func vote(up bool) int {
	if up {
		return 1
	}
	return -1
}
