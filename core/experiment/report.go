package experiment

import (
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
)

// Turn is what Report needs of one answered turn.
type Turn struct {
	Arm       string // "" for the control group
	Vote      int    // 1 👍, -1 👎, 0 none
	Tokens    int    // question and answer
	LatencyMS int64
	Degraded  bool
}

// ArmStats compares one arm with the control group.
type ArmStats struct {
	Arm          string // "" is the control group
	Turns        int
	Up, Down     int
	UpRate       float64 // Up / (Up + Down); NaN without votes
	Tokens       int
	P50MS, P99MS int64
	DegradedRate float64
	// Z and P are the two-proportion z-test of the arm's 👍 rate against
	// the control group's; NaN for the control group itself.
	Z, P float64
}

// Report summarises turns per arm, the control group first, then the arms
// by name.
func Report(turns []Turn) []ArmStats {
	by := map[string][]Turn{}
	for _, t := range turns {
		by[t.Arm] = append(by[t.Arm], t)
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	slices.Sort(names) // "" (control) sorts first
	control := stats("", by[""])
	out := make([]ArmStats, 0, len(names))
	for _, n := range names {
		s := stats(n, by[n])
		s.Z, s.P = math.NaN(), math.NaN()
		if n != "" {
			s.Z, s.P = TwoProportionZ(s.Up, s.Up+s.Down, control.Up, control.Up+control.Down)
		}
		out = append(out, s)
	}
	return out
}

// stats summarises one arm's turns.
func stats(arm string, turns []Turn) ArmStats {
	s := ArmStats{Arm: arm, Turns: len(turns), UpRate: math.NaN()}
	lat := make([]int64, 0, len(turns))
	degraded := 0
	for _, t := range turns {
		switch t.Vote {
		case 1:
			s.Up++
		case -1:
			s.Down++
		}
		s.Tokens += t.Tokens
		lat = append(lat, t.LatencyMS)
		if t.Degraded {
			degraded++
		}
	}
	if s.Up+s.Down > 0 {
		s.UpRate = float64(s.Up) / float64(s.Up+s.Down)
	}
	if len(turns) > 0 {
		slices.Sort(lat)
		s.P50MS, s.P99MS = quantile(lat, 0.50), quantile(lat, 0.99)
		s.DegradedRate = float64(degraded) / float64(len(turns))
	}
	return s
}

// quantile is the nearest-rank q-quantile of sorted values.
func quantile(sorted []int64, q float64) int64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// WriteTable writes stats as an aligned text table.
func WriteTable(w io.Writer, stats []ArmStats) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "arm\tturns\t👍\t👎\t👍 rate\ttokens\tp50 ms\tp99 ms\tdegraded\tz\tp\t")
	for _, s := range stats {
		arm := s.Arm
		if arm == "" {
			arm = "(control)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%d\t%d\t%d\t%.1f%%\t%s\t%s\t\n", arm, s.Turns, s.Up, s.Down,
			percent(s.UpRate), s.Tokens, s.P50MS, s.P99MS, 100*s.DegradedRate, number(s.Z, "%.2f"), number(s.P, "%.3f"))
	}
	return tw.Flush()
}

func percent(x float64) string { return number(100*x, "%.1f%%") }

func number(x float64, format string) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf(format, x)
}
