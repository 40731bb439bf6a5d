package main

import (
	"reflect"
	"slices"
	"strings"

	"imbot/adapters/feishu"
	"imbot/provider/openai"
)

// secretSwap is what a reload swaps into running parts: provider API keys
// and the Feishu webhook secrets. It is worked out before anything is
// applied.
type secretSwap struct {
	keys   []keyChange
	feishu *feishu.Config // nil: the webhook secrets stay
}

// secretChanges works out the secret swaps from next to the running parts.
func (d *daemon) secretChanges(next Config) secretSwap {
	s := secretSwap{keys: d.keyChanges(next.Providers)}
	if d.feishuSecretsChange(next.Adapters.Feishu) {
		s.feishu = &next.Adapters.Feishu
	}
	return s
}

// applySecrets applies s and logs which secrets it replaced (never their
// values).
func (d *daemon) applySecrets(s secretSwap) {
	if names := d.applyKeys(s.keys); len(names) > 0 {
		d.log.Info("reload: provider API keys replaced", "provider", strings.Join(names, ", "))
	}
	if s.feishu != nil {
		d.applyFeishuSecrets(*s.feishu)
		d.log.Info("reload: feishu webhook verification token and encrypt key replaced")
	}
}

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

// withoutWebhookSecrets returns c with the verification token and encrypt
// key blanked: the Feishu settings that only a restart applies.
func withoutWebhookSecrets(c feishu.Config) feishu.Config {
	c.VerificationToken, c.EncryptKey = "", ""
	return c
}

// feishuSecretsChange reports whether next changes the Feishu webhook's
// verification token or encrypt key, and nothing else of its section, for
// a running Feishu adapter.
func (d *daemon) feishuSecretsChange(next feishu.Config) bool {
	running := d.cfg.Adapters.Feishu
	if d.feishu == nil || (running.VerificationToken == next.VerificationToken && running.EncryptKey == next.EncryptKey) {
		return false
	}
	return reflect.DeepEqual(withoutWebhookSecrets(running), withoutWebhookSecrets(next))
}

// applyFeishuSecrets gives next's webhook secrets to the running adapter
// and records them as running.
func (d *daemon) applyFeishuSecrets(next feishu.Config) {
	d.feishu.SetWebhookSecrets(next.VerificationToken, next.EncryptKey)
	d.cfg.Adapters.Feishu.VerificationToken, d.cfg.Adapters.Feishu.EncryptKey = next.VerificationToken, next.EncryptKey
}
