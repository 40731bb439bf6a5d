package feishu

import (
	"context"
	"strings"
	"testing"

	"imbot/adapters/feishu/feishutest"
)

func TestVerify(t *testing.T) {
	fake := feishutest.New(t, testAppID, testSecret, testBot)
	info, err := Verify(context.Background(), testConfig(fake), fakeClient(fake))
	if err != nil {
		t.Fatal(err)
	}
	if info.OpenID != testBot || info.AppName != "imbot" {
		t.Fatalf("info = %+v", info)
	}
	if fake.Count(feishutest.OpToken) != 1 || fake.Count(feishutest.OpBotInfo) != 1 {
		t.Fatalf("token calls %d, bot info calls %d, want 1 each", fake.Count(feishutest.OpToken), fake.Count(feishutest.OpBotInfo))
	}
}

func TestVerifyWrongSecret(t *testing.T) {
	fake := feishutest.New(t, testAppID, testSecret, testBot)
	cfg := testConfig(fake)
	cfg.AppSecret = "wrong-secret"
	_, err := Verify(context.Background(), cfg, fakeClient(fake))
	if err == nil || !strings.Contains(err.Error(), "app secret invalid") {
		t.Fatalf("err = %v, want the app secret refused", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("error %q shows the secret", err)
	}
}

func TestVerifyBotInfoFails(t *testing.T) {
	fake := feishutest.New(t, testAppID, testSecret, testBot)
	fake.Fail(feishutest.OpBotInfo, 99991672, 1)
	_, err := Verify(context.Background(), testConfig(fake), fakeClient(fake))
	if err == nil || !strings.Contains(err.Error(), "99991672") {
		t.Fatalf("err = %v, want the bot info failure", err)
	}
}
