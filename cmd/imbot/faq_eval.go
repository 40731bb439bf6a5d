package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"text/tabwriter"

	"imbot/core"
	"imbot/core/faq"
)

const faqEvalUsage = `usage: imbot faq eval -kb KB.toml -set TEST.jsonl [-tune VAL.jsonl] [flags]
       imbot faq eval -clinc data_full.json [flags]

Each line of a set is {"q":"…","want":"<entry id>"}; "want":"" marks a query
the knowledge base should not answer. Thresholds come from -tune (chosen on
VAL for -target-precision), else from -answer-threshold/-business-threshold,
else from [router] in -config, else the defaults. With -clinc the knowledge
base is built from train and thresholds are tuned on val + oos_val unless a
threshold is given; test + oos_test are reported.

With -embed-url and -embed-model, embedding similarity from that server is
fused with the lexical one, as [router.embeddings] does in the daemon.

The last line is: coverage=… precision=… oos_accept=… n=… threshold=…

flags:
`

// runFAQEval measures the FAQ tier on a labelled set.
func runFAQEval(args []string, stdout, stderr io.Writer) error {
	f, err := parseEvalFlags(args, stderr)
	if err != nil {
		return err
	}
	kb, test, val, err := f.load()
	if err != nil {
		return err
	}
	th, err := f.thresholds()
	if err != nil {
		return err
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg, opts, err := f.embeddings()
	if err != nil {
		return err
	}
	ix, err := faq.Build(ctx, kb, cfg, append(opts, faq.WithLogger(quiet))...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "knowledge base: %d entries, embeddings %v; test: %d queries\n", ix.Len(), ix.Embedded(), len(test))
	source := "given"
	if val != nil {
		if th.Answer, err = tuneOn(ctx, ix, val, f.target, stdout); err != nil {
			return err
		}
		source = fmt.Sprintf("tuned on %d validation queries for precision %.2f", len(val), f.target)
	}
	outs := faq.Run(ctx, ix, test)
	return report(stdout, outs, th, source)
}

// tuneOn chooses the answer threshold on val and prints what it saw there.
func tuneOn(ctx context.Context, ix *faq.Index, val []faq.Sample, target float64, w io.Writer) (float64, error) {
	outs := faq.Run(ctx, ix, val)
	tu, err := faq.Tune(outs, target)
	if err != nil {
		return 0, fmt.Errorf("faq eval: tune: %w", err)
	}
	m := faq.Measure(outs, tu.Threshold)
	fmt.Fprintf(w, "validation: threshold=%.4f coverage=%.4f precision=%.4f oos_accept=%.4f n=%d bound=%q\n",
		tu.Threshold, m.Coverage, m.Precision, m.OOSAccept, m.N, tu.Bound)
	return tu.Threshold, nil
}

// sweepPoints returns the answer thresholds of the sweep table with used
// among them, ascending.
func sweepPoints(used float64) []float64 {
	ps := []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995}
	if !slices.Contains(ps, used) {
		ps = append(ps, used)
		slices.Sort(ps)
	}
	return ps
}

// report prints the sweep table, the tier split and the final summary line.
func report(w io.Writer, outs []faq.Outcome, th faq.Thresholds, source string) error {
	points := sweepPoints(th.Answer)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "threshold\tcoverage\tprecision\toos_accept\tanswered\ttop1\t")
	for _, p := range points {
		m := faq.Measure(outs, p)
		mark := ""
		if p == th.Answer {
			mark = " <"
		}
		fmt.Fprintf(tw, "%.3f\t%.4f\t%.4f\t%.4f\t%d\t%.4f\t%s\n", p, m.Coverage, m.Precision, m.OOSAccept, m.Answered, m.Top1, mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	printTiers(w, outs, th)
	m := faq.Measure(outs, th.Answer)
	fmt.Fprintf(w, "threshold: %s\n", source)
	_, err := fmt.Fprintf(w, "coverage=%.4f precision=%.4f oos_accept=%.4f n=%d threshold=%.4f\n",
		m.Coverage, m.Precision, m.OOSAccept, m.N, th.Answer)
	return err
}

// printTiers prints how the queries split between the tiers.
func printTiers(w io.Writer, outs []faq.Outcome, th faq.Thresholds) {
	var n [core.TierAnswer + 1]int
	for _, o := range outs {
		n[o.Decide(th)]++
	}
	total := max(len(outs), 1)
	fmt.Fprintf(w, "tiers (answer>=%.4f, business>=%.4f): answer=%.4f business=%.4f general=%.4f\n",
		th.Answer, th.Business, float64(n[core.TierAnswer])/float64(total),
		float64(n[core.TierBusiness])/float64(total), float64(n[core.TierGeneral])/float64(total))
}
