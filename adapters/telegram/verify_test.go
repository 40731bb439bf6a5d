package telegram

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"

	"imbot/adapters/telegram/telegramtest"
)

func TestVerify(t *testing.T) {
	fake := newFake(t)
	id, err := Verify(context.Background(), testConfig(fake), nil)
	if err != nil {
		t.Fatal(err)
	}
	if id.Username != "imbot_test_bot" || id.WebhookURL != "" || id.PendingUpdates != 0 {
		t.Fatalf("identity = %+v", id)
	}
	if got, want := id.String(), "@imbot_test_bot, 0 pending update(s)"; got != want {
		t.Fatalf("String() = %q, want %q", got, want)
	}
	if n := len(fake.Calls("getWebhookInfo")); n != 1 {
		t.Fatalf("getWebhookInfo called %d times, want 1", n)
	}
}

func TestVerifyWrongToken(t *testing.T) {
	fake := newFake(t)
	cfg := testConfig(fake)
	cfg.Token = "999:wrong-token"
	_, err := Verify(context.Background(), cfg, nil)
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if strings.Contains(err.Error(), cfg.Token) {
		t.Fatalf("error %q shows the token", err)
	}
}

func TestVerifyTimesOut(t *testing.T) {
	fake := newFake(t)
	fake.Fail("getMe", telegramtest.Hang())
	cfg := testConfig(fake)
	cfg.RequestTimeout = 100 * time.Millisecond
	if _, err := Verify(context.Background(), cfg, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}
