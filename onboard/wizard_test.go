package onboard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"imbot/adapters/feishu/feishutest"
	"imbot/adapters/telegram/telegramtest"
	"imbot/envfile"
	"imbot/provider/openai/openaitest"
)

// fakes are the fake APIs a wizard test checks credentials against.
type fakes struct {
	cloud, local *openaitest.Server
	tg           *telegramtest.Server
	fs           *feishutest.Server
}

func newFakes(t *testing.T) fakes {
	f := fakes{
		cloud: openaitest.New(t, openaitest.WithAPIKey("sk-good-key"), openaitest.WithUnauthorized()),
		local: openaitest.New(t),
		tg:    telegramtest.New(),
		fs:    feishutest.New(t, "cli_test", "good-secret", "ou_bot"),
	}
	t.Cleanup(f.tg.Close)
	return f
}

// answers are piped answers, one a line.
func answers(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(lines, "\n") + "\n")
}

func TestWizardWritesConfigAndEnv(t *testing.T) {
	f := newFakes(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	in := answers(
		"2",                           // English
		"localhost", "127.0.0.1:8090", // listen: a bad answer, then a good one
		"",                                              // web chat: yes
		"y", "nope", "1:wrong", "y", telegramtest.Token, // Telegram: bad form, refused token, again
		"y", "app", "cli_test", "wrong-secret", "", "cli_test", "good-secret", // Feishu
		"2", f.cloud.URL(), "", "sk-bad-key", "y", f.cloud.URL(), "", "sk-good-key", // DeepSeek preset
		"y", "4", f.local.URL(), "", // another: Ollama preset, no key
		"n",
	)
	var out strings.Builder
	err := Run(context.Background(), Options{In: in, Out: &out, ConfigPath: cfgPath,
		TelegramAPIURL: f.tg.URL, FeishuBaseURL: f.fs.URL})
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	shown := out.String()
	for _, secret := range []string{"sk-good-key", "sk-bad-key", "good-secret", "wrong-secret", telegramtest.Token} {
		if strings.Contains(shown, secret) {
			t.Errorf("the wizard echoed secret %q", secret)
		}
	}
	for _, want := range []string{
		"✗ want host:port", "✗ a token looks like digits:letters", "✗ telegram: getMe: unauthorized",
		"✓ telegram: @imbot_test_bot", "✗ an app ID starts with cli_", "✗ feishu: tenant token: code 10014",
		"✓ feishu: app imbot", "✗ provider deepseek: status 401", "✓ provider deepseek: deepseek-chat at",
		"✓ provider ollama: qwen2.5:3b at", "Wrote " + cfgPath,
	} {
		if !strings.Contains(shown, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	checkWritten(t, cfgPath, f)
}

func checkWritten(t *testing.T, cfgPath string, f fakes) {
	t.Helper()
	envPath := filepath.Join(filepath.Dir(cfgPath), "env")
	for _, p := range []string{cfgPath, envPath} {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v, mode %v; want 0600", p, err, st.Mode().Perm())
		}
	}
	var got fileConfig
	if _, err := toml.DecodeFile(cfgPath, &got); err != nil {
		t.Fatal(err)
	}
	want := fileConfig{
		Server: fileServer{Listen: "127.0.0.1:8090"},
		Store:  fileStore{Path: filepath.Join(filepath.Dir(cfgPath), "data", "imbot.db")},
		Providers: []fileProvider{
			{Name: "deepseek", BaseURL: f.cloud.URL(), Model: "deepseek-chat", APIKeyEnv: "DEEPSEEK_API_KEY", ThirdParty: true},
			{Name: "ollama", BaseURL: f.local.URL(), Model: "qwen2.5:3b"},
		},
		Router: fileRouter{General: []string{"deepseek", "ollama"}},
		Adapters: fileAdapters{Web: fileWeb{Enabled: true},
			Telegram: &fileTelegram{Enabled: true, TokenEnv: "TELEGRAM_BOT_TOKEN", APIURL: f.tg.URL},
			Feishu:   &fileFeishu{Enabled: true, AppID: "cli_test", AppSecretEnv: "FEISHU_APP_SECRET", BaseURL: f.fs.URL}},
	}
	if !equalConfig(got, want) {
		t.Fatalf("config:\n got %+v\nwant %+v", got, want)
	}
	data, _ := os.ReadFile(envPath)
	vars, err := envfile.Parse(string(data))
	if err != nil || vars["DEEPSEEK_API_KEY"] != "sk-good-key" || vars["TELEGRAM_BOT_TOKEN"] != telegramtest.Token ||
		vars["FEISHU_APP_SECRET"] != "good-secret" || len(vars) != 3 {
		t.Fatalf("env file = %q, %v", vars, err)
	}
}

func equalConfig(a, b fileConfig) bool {
	ea, _ := a.encode()
	eb, _ := b.encode()
	return string(ea) == string(eb)
}

func TestWizardKeepsExistingConfig(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfgPath, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	zh := ZH
	var out strings.Builder
	err := Run(context.Background(), Options{In: answers("n"), Out: &out, ConfigPath: cfgPath, Lang: &zh})
	if !errors.Is(err, ErrKept) {
		t.Fatalf("err = %v, want ErrKept", err)
	}
	if data, _ := os.ReadFile(cfgPath); string(data) != "# mine\n" {
		t.Fatalf("config changed to %q", data)
	}
	if !strings.Contains(out.String(), "已存在。覆盖它吗？") || !strings.Contains(out.String(), "已保留原有配置") {
		t.Fatalf("output = %q, want the Chinese question and answer", out.String())
	}
}

func TestWizardStopsWhenAnswersEnd(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	en := EN
	err := Run(context.Background(), Options{In: answers("127.0.0.1:8080"), Out: new(strings.Builder), ConfigPath: cfgPath, Lang: &en})
	if err == nil || !strings.Contains(err.Error(), "input ended; nothing was written") {
		t.Fatalf("err = %v", err)
	}
	if _, serr := os.Stat(cfgPath); !errors.Is(serr, os.ErrNotExist) {
		t.Fatal("a config was written")
	}
}

func TestWizardMergesEnvFileAndAsksFeishuOrLark(t *testing.T) {
	dir := t.TempDir()
	envPath := filepath.Join(dir, "env")
	if err := os.WriteFile(envPath, []byte("IMBOT_ADMIN_TOKEN=keep-me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	en := EN
	err := Run(context.Background(), Options{Lang: &en, Offline: true, ConfigPath: filepath.Join(dir, "c.toml"), Out: new(strings.Builder),
		In: answers("", "n", "n", "y", "2", "cli_lark1", "lark-secret", "1", "", "", "sk-x", "n")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(envPath)
	if string(data) != "FEISHU_APP_SECRET=lark-secret\nIMBOT_ADMIN_TOKEN=keep-me\nOPENAI_API_KEY=sk-x\n" {
		t.Fatalf("env file = %q", data)
	}
	var cfg fileConfig
	if _, err := toml.DecodeFile(filepath.Join(dir, "c.toml"), &cfg); err != nil {
		t.Fatal(err)
	}
	if f := cfg.Adapters.Feishu; f == nil || f.BaseURL != larkBaseURL || f.AppID != "cli_lark1" {
		t.Fatalf("feishu section = %+v, want Lark's", f)
	}
}
