package main

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"imbot/check"
	"imbot/provider/openai"
)

// configReport is what inspectConfig found in a configuration file.
type configReport struct {
	text      string   // the file's content; "" for the built-in defaults
	undecoded []string // unknown keys, dotted, without array indexes
	problems  []string // secret and validation problems, "key: problem"
	// missingKeys are providers' unset keys, left out of problems when
	// they were not required.
	missingKeys []string
	// fileProviders says the file defines [[providers]].
	fileProviders bool
	// notes are what the operator should know but does not stop the daemon.
	notes []string
	// badValues are the values the decoder refused, with their lines.
	badValues []check.Problem
}

// all returns every problem, unknown keys first, as loadConfig reports them.
func (r configReport) all() []string {
	var all []string
	for _, p := range r.badValues {
		all = append(all, p.String())
	}
	if len(r.undecoded) > 0 {
		all = append(all, "unknown key(s): "+strings.Join(r.undecoded, ", "))
	}
	return append(all, r.problems...)
}

// inspectConfig is loadConfig collecting every problem instead of failing:
// only an unreadable or unparsable file is an error. Unless needKeys, a
// provider's unset API key is a note in missingKeys, not a problem, so that
// read-only commands run without provider secrets.
func inspectConfig(path string, getenv func(string) string, needKeys bool) (Config, configReport, error) {
	getenv, notes := withEnvFile(path, getenv)
	cfg := defaultConfig(getenv)
	rep := configReport{notes: notes}
	generalSet := false
	if path != "" {
		data, err := readLimited(path, maxConfigBytes)
		if err != nil {
			return Config{}, rep, fmt.Errorf("config: %w", err)
		}
		rep.text = string(data)
		if cfg, generalSet, err = decodeEach(data, getenv, &rep); err != nil {
			return Config{}, rep, decodeError(path, err)
		}
	}
	if !generalSet && len(cfg.Providers) > 0 {
		cfg.Router.General = []string{cfg.Providers[0].Name}
	}
	rep.notes = append(rep.notes, unusedProviderVars(cfg.Providers, rep.fileProviders, getenv)...)
	problems, unset := cfg.resolveSecrets(getenv)
	v := cfg
	if !needKeys {
		v.Providers, rep.missingKeys = withoutMissingKeys(cfg.Providers)
	}
	for _, p := range append(problems, v.validate()...) {
		if needKeys || !aboutKey(p, unset) {
			rep.problems = append(rep.problems, p)
		}
	}
	cfg.Dispatcher.GroupPolicies = cfg.groupPolicies()
	return cfg, rep, nil
}

// maxBadValues bounds how many refused values one load reports.
const maxBadValues = 20

// decodeEach decodes data over the defaults. When the decoder refuses a
// value on a line, it records the problem in rep.badValues, blanks that line
// and decodes again, so that every bad value is reported at once; it gives
// up with the decoder's error on one it cannot place.
func decodeEach(data []byte, getenv func(string) string, rep *configReport) (Config, bool, error) {
	for {
		cfg := defaultConfig(getenv)
		generalSet, err := decodeFile(data, &cfg, rep)
		p, placed := check.DecodeProblem(err)
		if !placed || len(rep.badValues) >= maxBadValues {
			return cfg, generalSet, err
		}
		blanked, ok := blankLine(data, p.Line)
		if !ok {
			return cfg, generalSet, err
		}
		rep.badValues = append(rep.badValues, p)
		data = blanked
	}
}

// blankLine returns data with line n (from 1) emptied, and false when that
// line is already empty or does not exist.
func blankLine(data []byte, n int) ([]byte, bool) {
	lines := bytes.Split(data, []byte("\n"))
	if n > len(lines) || len(bytes.TrimSpace(lines[n-1])) == 0 {
		return data, false
	}
	lines[n-1] = nil
	return bytes.Join(lines, []byte("\n")), true
}

// decodeError formats the decoder's error with the file's name and, for a
// parse error, the lines around it.
func decodeError(path string, err error) error {
	var perr toml.ParseError
	if errors.As(err, &perr) {
		return fmt.Errorf("config %s: %s", path, perr.ErrorWithPosition())
	}
	return fmt.Errorf("config %s: %w", path, err)
}

// withoutMissingKeys returns a copy of ps in which a provider whose key is
// unset asks for none, and a note for each such provider.
func withoutMissingKeys(ps []openai.Config) ([]openai.Config, []string) {
	ps = slices.Clone(ps)
	var notes []string
	for i := range ps {
		if ps[i].APIKeyEnv != "" && ps[i].APIKey == "" {
			notes = append(notes, fmt.Sprintf("providers[%d].api_key_env: $%s is unset; serve and the live checks need it", i, ps[i].APIKeyEnv))
			ps[i].APIKeyEnv = ""
		}
	}
	return ps, notes
}
