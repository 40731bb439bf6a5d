package main

import (
	"slices"
	"testing"

	"imbot/adapters/feishu"
	"imbot/provider/openai"
)

// feishuWebhook returns an enabled Feishu section in webhook mode.
func feishuWebhook(token, key string) feishu.Config {
	c := feishu.DefaultConfig()
	c.Enabled, c.Mode, c.AppID, c.AppSecret = true, feishu.ModeWebhook, "cli_x", "secret"
	c.VerificationToken, c.EncryptKey = token, key
	return c
}

func TestSecretChangesFeishuWebhook(t *testing.T) {
	running := Config{Adapters: AdaptersConfig{Feishu: feishuWebhook("t1", "k1")}}
	a, err := feishu.New(running.Adapters.Feishu)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		next        feishu.Config
		adapter     *feishu.Adapter
		wantSwap    bool
		wantRestart []string
	}{
		{"same secrets", feishuWebhook("t1", "k1"), a, false, nil},
		{"new token and key", feishuWebhook("t2", "k2"), a, true, nil},
		{"new key and app id", func() feishu.Config { c := feishuWebhook("t1", "k2"); c.AppID = "cli_y"; return c }(), a,
			false, []string{"adapters.feishu"}},
		{"adapter not running", feishuWebhook("t2", "k2"), nil, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := &daemon{cfg: running, feishu: tc.adapter}
			next := Config{Adapters: AdaptersConfig{Feishu: tc.next}}
			if got := d.secretChanges(next).feishu != nil; got != tc.wantSwap {
				t.Errorf("swap = %t, want %t", got, tc.wantSwap)
			}
			if got := needsRestart(running, next); !slices.Equal(got, tc.wantRestart) {
				t.Errorf("needs restart = %v, want %v", got, tc.wantRestart)
			}
		})
	}
}

func TestKeyChangesKeepKeyWhenAddressChanges(t *testing.T) {
	p := openai.DefaultConfig()
	p.Name, p.BaseURL, p.Model, p.APIKeyEnv, p.APIKey = "a", "http://127.0.0.1:1/v1", "m", "A_KEY", "old"
	c, err := openai.NewClient(p)
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{cfg: Config{Providers: []openai.Config{p}}, clients: map[string]*openai.Client{"a": c}}
	moved := p
	moved.BaseURL, moved.APIKey = "http://127.0.0.2:1/v1", "new"
	if got := d.keyChanges([]openai.Config{moved}); len(got) != 0 {
		t.Fatalf("a key for a changed address was applied: %d changes", len(got))
	}
	rotated := p
	rotated.APIKey = "new"
	got := d.keyChanges([]openai.Config{rotated})
	if len(got) != 1 || got[0].provider != "a" || got[0].key != "new" {
		t.Fatalf("key changes = %+v, want provider a with the new key", got)
	}
	if names := d.applyKeys(got); !slices.Equal(names, []string{"a"}) || d.cfg.Providers[0].APIKey != "new" || p.APIKey != "old" {
		t.Fatalf("applied %v; running key %q", names, d.cfg.Providers[0].APIKey)
	}
}
