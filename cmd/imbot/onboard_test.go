package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"imbot/adapters/feishu/feishutest"
	"imbot/adapters/telegram/telegramtest"
	"imbot/onboard"
	"imbot/provider/openai/openaitest"
)

// runArgs runs the binary's run with args and returns its exit code and
// standard output.
func runArgs(args ...string) (int, string) {
	var out, errs strings.Builder
	code := run(args, &out, &errs)
	return code, out.String() + errs.String()
}

func TestOnboardWritesAConfigThatChecksAndStarts(t *testing.T) {
	model := openaitest.New(t, openaitest.WithAPIKey("sk-good"))
	tg := telegramtest.New()
	t.Cleanup(tg.Close)
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	en := onboard.EN
	answers := strings.Join([]string{
		freeAddr(t), "y", // listen, web chat
		"y", telegramtest.Token, // Telegram
		"n",                                       // Feishu
		"5", model.URL(), "fake-model", "sk-good", // any OpenAI-compatible URL
		"n",
	}, "\n") + "\n"
	var out strings.Builder
	err := onboard.Run(context.Background(), onboard.Options{In: strings.NewReader(answers), Out: &out,
		Lang: &en, ConfigPath: cfgPath, TelegramAPIURL: tg.URL})
	if err != nil {
		t.Fatalf("onboard: %v\n%s", err, out.String())
	}
	if code, got := runArgs("check", "-offline", "-config", cfgPath); code != checkOK {
		t.Fatalf("check -offline: exit %d\n%s", code, got)
	}
	code, got := runArgs("check", "-config", cfgPath)
	if code != checkOK || !strings.Contains(got, "✓ provider custom: fake-model") || !strings.Contains(got, "✓ telegram: @imbot_test_bot") {
		t.Fatalf("check: exit %d\n%s", code, got)
	}
	inst := startServe(t, cfgPath)
	if err := tg.Wait(context.Background(), func() bool { return len(tg.Calls("setMyCommands")) > 0 }); err != nil {
		t.Fatal(err)
	}
	inst.stop()
}

func TestOnboardCommandKeepsAnExistingConfig(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(cfgPath, []byte("[server]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := runOnboard([]string{"-config", cfgPath}, strings.NewReader("2\nn\n"), &out, &out); err != nil {
		t.Fatalf("onboard: %v", err)
	}
	if !strings.Contains(out.String(), "Kept the existing config") {
		t.Fatalf("output = %q", out.String())
	}
}

func TestLocale(t *testing.T) {
	env := map[string]string{"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}
	if got := locale(func(k string) string { return env[k] }); got != "zh_CN.UTF-8" {
		t.Fatalf("locale = %q", got)
	}
}

// feishuFake is a fake Feishu app "cli_app" with secret "good-secret".
func feishuFake(t *testing.T) *feishutest.Server {
	return feishutest.New(t, "cli_app", "good-secret", "ou_bot")
}
