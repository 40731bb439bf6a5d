package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"imbot/check"
	"imbot/store"
)

// Exit codes of `imbot check`.
const (
	checkOK          = 0
	checkInvalid     = 1
	checkLiveFailure = 2
)

// runCheck is `imbot check [-config FILE] [-offline]`: every problem of the
// configuration with its line, then one line per live check. It returns
// the exit code: 0 all good, 1 config invalid, 2 a live check failed.
func runCheck(args []string, stdout, stderr io.Writer) int {
	c := newCommand("check", stderr)
	offline := c.Bool("offline", false, "check the file only: no network, no provider keys needed")
	timeout := c.Duration("timeout", 10*time.Second, "bound of each live check")
	if err := c.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return checkOK
		}
		return checkInvalid
	}
	path := *c.configPath
	cfg, rep, err := inspectConfig(path, envLookup, false)
	if err != nil {
		fmt.Fprintln(stdout, "✗", err)
		return checkInvalid
	}
	problems := check.Analyze(check.Input{Text: rep.text, Type: reflect.TypeFor[Config](),
		Undecoded: rep.undecoded, Validation: rep.problems, Placed: rep.badValues})
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "✗ config %s: %d problem(s)\n", displayPath(path), len(problems))
		for _, p := range problems {
			fmt.Fprintln(stdout, "  "+p.String())
		}
		return checkInvalid
	}
	printSummary(stdout, path, cfg)
	for _, n := range rep.notes {
		fmt.Fprintln(stdout, "! "+n)
	}
	if *offline {
		for _, n := range rep.missingKeys {
			fmt.Fprintln(stdout, "! "+n)
		}
		return checkOK
	}
	if !check.Print(stdout, check.Run(context.Background(), probes(cfg), *timeout)) {
		return checkLiveFailure
	}
	return checkOK
}

// probes are the live checks of what cfg names.
func probes(cfg Config) []check.Probe {
	var ps []check.Probe
	for _, p := range cfg.Providers {
		ps = append(ps, check.Provider(p))
	}
	if cfg.Adapters.Telegram.Enabled {
		ps = append(ps, check.Telegram(cfg.Adapters.Telegram))
	}
	if cfg.Adapters.Feishu.Enabled {
		ps = append(ps, check.Feishu(cfg.Adapters.Feishu))
	}
	st := check.Store(cfg.Store.Path, cfg.Store.LockTimeout)
	if cfg.Store.Backend == store.BackendPostgres {
		st = check.Database(cfg.Store.DSN, cfg.Store.DSNEnv)
	}
	return append(ps, st, check.Listen(cfg.Server.Listen))
}

// printSummary says what the configuration would run.
func printSummary(stdout io.Writer, path string, cfg Config) {
	fmt.Fprintf(stdout, "✓ config %s is valid\n", displayPath(path))
	where := cfg.Store.Path
	if cfg.Store.Backend == store.BackendPostgres {
		where = "postgres, connection string from $" + cfg.Store.DSNEnv
	}
	fmt.Fprintf(stdout, "  listen     %s\n  store      %s\n", cfg.Server.Listen, where)
	for _, p := range cfg.Providers {
		fmt.Fprintf(stdout, "  provider   %s: %s at %s (third_party=%v)\n", p.Name, p.Model, p.BaseURL, p.ThirdParty)
	}
	fmt.Fprintf(stdout, "  general    %s\n", strings.Join(cfg.Router.General, " → "))
	if len(cfg.Router.Business) > 0 {
		fmt.Fprintf(stdout, "  business   %s\n", strings.Join(cfg.Router.Business, " → "))
	}
	a := cfg.Adapters
	fmt.Fprintf(stdout, "  adapters   web=%v telegram=%v feishu=%v\n", a.Web.Enabled, a.Telegram.Enabled, a.Feishu.Enabled)
	fmt.Fprintf(stdout, "  safety     %s\n", safetySummary(cfg))
	if c := cfg.Cluster; c.Replicas > 1 {
		fmt.Fprintf(stdout, "  cluster    replica %s of %d, lease %s\n", c.ReplicaID, c.Replicas, c.Lease)
	}
}

// safetySummary says which words file applies and which providers get
// masked personal data.
func safetySummary(cfg Config) string {
	words := "no sensitive words"
	if cfg.Safety.WordsFile != "" {
		words = "sensitive words from " + cfg.Safety.WordsFile
	}
	var masked []string
	for _, p := range cfg.Providers {
		if p.ThirdParty {
			masked = append(masked, p.Name)
		}
	}
	if len(masked) == 0 {
		return words + "; every provider is local (raw text)"
	}
	return fmt.Sprintf("%s; personal data masked for %s (restore_pii=%v)", words, strings.Join(masked, ", "), cfg.Safety.RestorePII)
}
