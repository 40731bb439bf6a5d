package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"imbot/admin"
	"imbot/core"
	"imbot/core/chain"
	"imbot/core/experiment"
	"imbot/core/intercept"
	"imbot/core/safety"
)

// buildGuard puts the interceptors in front of the router and the safety
// guard in front of both (sensitive words in, interceptors and states, the
// router; sensitive words out on every answer), and returns the
// interceptors for their /cancel command.
func (d *daemon) buildGuard(cfg Config, log *slog.Logger) (*intercept.Interceptors, error) {
	matcher, err := loadWords(cfg.Safety.WordsFile)
	if err != nil {
		return nil, err
	}
	ic, err := intercept.New(cfg.Interceptors, intercept.Deps{States: d.store, Catalog: d.texts, Picker: d.picker,
		Logger: log.With("component", "intercept"), Metrics: d.metrics})
	if err != nil {
		return nil, err
	}
	d.guard, err = safety.NewGuard(ic.Wrap(d.router), cfg.Safety, matcher, safety.WithCatalog(d.texts), safety.WithPicker(d.picker),
		safety.WithLogger(log.With("component", "safety")), safety.WithMetrics(d.metrics))
	return ic, err
}

// armChains builds the general chain of every experiment arm that sets
// one, with build (the daemon's chain builder).
func armChains(arms []experiment.Config, build func(name string, providers []string) (*chain.Chain, error)) (map[string]core.Streamer, error) {
	out := map[string]core.Streamer{}
	for _, arm := range arms {
		if len(arm.General) == 0 {
			continue
		}
		ch, err := build("arm:"+arm.Name, arm.General)
		if err != nil {
			return nil, err
		}
		out[arm.Name] = ch
	}
	return out, nil
}

// runExperiments is `imbot experiments report [-config FILE] [-since T]`:
// per arm, turns, votes, 👍 rate, tokens, latency, degraded rate and the
// z-test of the 👍 rate against the control group.
func runExperiments(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "report" {
		return errors.New("experiments: usage: imbot experiments report [-config FILE] [-since T]")
	}
	c := newCommand("experiments report", stderr)
	sinceFlag := c.String("since", "", "only turns since this time: RFC 3339, a date (2006-01-02) or a duration back from now (168h)")
	cfg, err := c.loadReadOnly(args[1:])
	if err != nil {
		return err
	}
	since, err := admin.ParseSince(*sinceFlag, time.Now())
	if err != nil {
		return err
	}
	var lines bytes.Buffer
	if err := callStore(context.Background(), cfg, admin.Turns(since), &lines); err != nil {
		return err
	}
	turns, err := experimentTurns(&lines)
	if err != nil {
		return err
	}
	return experiment.WriteTable(stdout, experiment.Report(turns))
}

// experimentTurns decodes the turns call's JSON lines.
func experimentTurns(r io.Reader) ([]experiment.Turn, error) {
	var out []experiment.Turn
	dec := json.NewDecoder(r)
	for {
		var l admin.TurnLine
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("experiments: read turns: %w", err)
		}
		out = append(out, experiment.Turn{Arm: l.Arm, Vote: l.Vote, Tokens: l.Tokens, LatencyMS: l.LatencyMS,
			Degraded: l.Route == string(core.RouteDegraded)})
	}
}
