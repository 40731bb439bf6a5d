package main

import (
	"fmt"
	"slices"
	"strings"

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
}

// all returns every problem, unknown keys first, as loadConfig reports them.
func (r configReport) all() []string {
	var all []string
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
		if generalSet, err = decodeFile(path, data, &cfg, &rep); err != nil {
			return Config{}, rep, err
		}
	}
	if !generalSet && len(cfg.Providers) > 0 {
		cfg.Router.General = []string{cfg.Providers[0].Name}
	}
	rep.notes = append(rep.notes, unusedProviderVars(cfg.Providers, rep.fileProviders, getenv)...)
	rep.problems = cfg.resolveSecrets(getenv)
	v := cfg
	if !needKeys {
		v.Providers, rep.missingKeys = withoutMissingKeys(cfg.Providers)
	}
	rep.problems = append(rep.problems, v.validate()...)
	cfg.Dispatcher.GroupTriggers = cfg.groupTriggers()
	return cfg, rep, nil
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
