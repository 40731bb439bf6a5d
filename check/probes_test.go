package check

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"imbot/adapters/feishu"
	"imbot/adapters/feishu/feishutest"
	"imbot/adapters/telegram"
	"imbot/adapters/telegram/telegramtest"
	"imbot/provider/openai"
	"imbot/provider/openai/openaitest"
)

func providerConfig(url, key string) openai.Config {
	p := openai.DefaultConfig()
	p.Name, p.BaseURL, p.Model, p.APIKeyEnv, p.APIKey = "cloud", url, "m", "CLOUD_KEY", key
	return p
}

func TestProbes(t *testing.T) {
	model := openaitest.New(t, openaitest.WithAPIKey("sk-good"), openaitest.WithUnauthorized())
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	fs := feishutest.New(t, "cli_app", "good-secret", "ou_bot")
	tgCfg := telegram.DefaultConfig()
	tgCfg.Enabled, tgCfg.APIURL, tgCfg.Token = true, tg.URL, telegramtest.Token
	badTG := tgCfg
	badTG.Token = "1:bad"
	fsCfg := feishu.DefaultConfig()
	fsCfg.Enabled, fsCfg.BaseURL, fsCfg.AppID, fsCfg.AppSecret = true, fs.URL, "cli_app", "good-secret"
	badFS := fsCfg
	badFS.AppSecret = "bad-secret"

	probes := []Probe{
		Provider(providerConfig(model.URL(), "sk-good")),
		Provider(providerConfig(model.URL(), "sk-bad")),
		Telegram(tgCfg),
		Telegram(badTG),
		Feishu(fsCfg),
		Feishu(badFS),
		Store(filepath.Join(t.TempDir(), "none.db"), 50*time.Millisecond),
	}
	want := []string{
		"✓ provider cloud: m at " + model.URL() + " answers",
		"✗ provider cloud: status 401",
		"✓ telegram: @imbot_test_bot, 0 pending update(s)",
		"✗ telegram: getMe: unauthorized",
		"✓ feishu: app imbot, bot open_id ou_bot",
		"✗ feishu: tenant token: code 10014 (http 200): app secret invalid",
		"✓ store ",
	}
	results := Run(context.Background(), probes, 5*time.Second)
	for i, r := range results {
		if got := r.String(); !strings.HasPrefix(got, want[i]) {
			t.Errorf("result %d = %q, want it to start with %q", i, got, want[i])
		}
	}
	var b strings.Builder
	if Print(&b, results) {
		t.Fatal("Print reported all passed")
	}
	if n := strings.Count(b.String(), "\n"); n != len(probes) {
		t.Fatalf("Print wrote %d lines, want %d", n, len(probes))
	}
}

func TestProbeTimeout(t *testing.T) {
	slow := Probe{Name: "slow", Run: func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}}
	r := Run(context.Background(), []Probe{slow}, 20*time.Millisecond)
	if got := r[0].String(); got != "✗ slow: context deadline exceeded" {
		t.Fatalf("result = %q", got)
	}
}

func TestListen(t *testing.T) {
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	if d, err := Listen(addr).Run(ctx); err != nil || d != "free" {
		t.Fatalf("free address: %q, %v", d, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	daemon := httptest.NewServer(mux)
	defer daemon.Close()
	if d, err := Listen(daemon.Listener.Addr().String()).Run(ctx); err != nil || !strings.HasPrefix(d, "held by the running daemon") {
		t.Fatalf("daemon's address: %q, %v", d, err)
	}
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if _, err := Listen(other.Listener.Addr().String()).Run(ctx); err == nil || !strings.Contains(err.Error(), "in use by another program") {
		t.Fatalf("another program's address: err = %v", err)
	}
}
