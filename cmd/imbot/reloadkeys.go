package main

import (
	"reflect"
	"slices"

	"imbot/provider/openai"
)

// keyChange is a provider API key that a reload gives to a running client.
type keyChange struct {
	provider string
	client   *openai.Client
	key      string
}

// withoutKeys returns ps with the API keys blanked: the provider settings
// that only a restart applies.
func withoutKeys(ps []openai.Config) []openai.Config {
	out := slices.Clone(ps)
	for i := range out {
		out[i].APIKey = ""
	}
	return out
}

// keyChanges returns the providers whose API key differs in next while the
// rest of their section is unchanged. A provider whose other settings
// changed too keeps its running key, so that a new key never goes to an old
// address; the change is reported as needing a restart.
func (d *daemon) keyChanges(next []openai.Config) []keyChange {
	var out []keyChange
	for _, n := range next {
		i := slices.IndexFunc(d.cfg.Providers, func(r openai.Config) bool { return r.Name == n.Name })
		c := d.clients[n.Name]
		if i < 0 || c == nil || n.APIKey == d.cfg.Providers[i].APIKey {
			continue
		}
		running, changed := d.cfg.Providers[i], n
		running.APIKey, changed.APIKey = "", ""
		if reflect.DeepEqual(running, changed) {
			out = append(out, keyChange{provider: n.Name, client: c, key: n.APIKey})
		}
	}
	return out
}

// applyKeys gives each changed key to its running client and records it as
// running, so that the next reload compares against it. Calls in flight
// finish with the key they started with; connections stay open.
func (d *daemon) applyKeys(changes []keyChange) []string {
	if len(changes) == 0 {
		return nil
	}
	running := slices.Clone(d.cfg.Providers)
	names := make([]string, 0, len(changes))
	for _, ch := range changes {
		ch.client.SetAPIKey(ch.key)
		i := slices.IndexFunc(running, func(r openai.Config) bool { return r.Name == ch.provider })
		running[i].APIKey = ch.key
		names = append(names, ch.provider)
	}
	d.cfg.Providers = running
	return names
}
