package check

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Probe is one live check of something the configuration names.
type Probe struct {
	// Name starts the probe's result line, e.g. "provider openai".
	Name string
	// Run checks within ctx and returns a short description of what it
	// found. It must not print or log secrets.
	Run func(ctx context.Context) (string, error)
}

// Result is the outcome of one probe.
type Result struct {
	Name    string
	Detail  string
	Err     error
	Latency time.Duration
}

// OK reports whether the probe passed.
func (r Result) OK() bool { return r.Err == nil }

// String formats the result as one line: "✓ name: detail (12 ms)" or
// "✗ name: reason".
func (r Result) String() string {
	if r.Err != nil {
		return fmt.Sprintf("✗ %s: %s", r.Name, strings.TrimPrefix(r.Err.Error(), r.Name+": "))
	}
	return fmt.Sprintf("✓ %s: %s (%d ms)", r.Name, r.Detail, r.Latency.Milliseconds())
}

// Run runs every probe at once, each bounded by timeout, and returns the
// results in the probes' order.
func Run(ctx context.Context, probes []Probe, timeout time.Duration) []Result {
	results := make([]Result, len(probes))
	var wg sync.WaitGroup
	for i, p := range probes {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			detail, err := p.Run(pctx)
			results[i] = Result{Name: p.Name, Detail: detail, Err: err, Latency: time.Since(start)}
		})
	}
	wg.Wait()
	return results
}

// Print writes one line per result and reports whether all passed.
func Print(w io.Writer, results []Result) bool {
	ok := true
	for _, r := range results {
		fmt.Fprintln(w, r)
		ok = ok && r.OK()
	}
	return ok
}
