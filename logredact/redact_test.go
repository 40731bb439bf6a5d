package logredact

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// newTest returns a logger through the redacting handler at level, and
// the buffer it writes JSON lines to.
func newTest(t *testing.T, level slog.Level, secrets ...string) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	h, err := New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level}), nil, secrets...)
	if err != nil {
		t.Fatal(err)
	}
	return slog.New(h), &buf
}

func TestRedactsSecretsTextAndPersonalData(t *testing.T) {
	const apiKey = "sk-live-0123456789abcdef"
	log, buf := newTest(t, slog.LevelInfo, apiKey)
	log.Info("user 13812345678 asked", "text", "my card is 4111 1111 1111 1111",
		"api_key", "anything", "webhook_secret", "s3cr3t-value", "Authorization", "Bearer abc",
		"err", errors.New("POST https://api.example.com: 401 for key "+apiKey),
		"who", "mail me at li.lei@example.com",
		slog.Group("req", "question", "hello", "id", "110101199003074514"))
	log.With("token", "tok-0123456789").Warn("with attrs", "n", 3)
	out := buf.String()
	for _, leak := range []string{"13812345678", "4111 1111", apiKey, "anything", "s3cr3t-value", "Bearer abc",
		"li.lei@example.com", "hello", "110101199003074514", "tok-0123456789"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	for _, kept := range []string{"[PHONE_1]", "[EMAIL_1]", "[IDCARD_1]", `"n":3`, "401 for key [redacted]"} {
		if !strings.Contains(out, kept) {
			t.Errorf("log lacks %q:\n%s", kept, out)
		}
	}
}

func TestTextKeysOnlyAtDebug(t *testing.T) {
	log, buf := newTest(t, slog.LevelDebug)
	log.Debug("turn", "text", "what is the refund policy", "token", "tok-0123456789")
	log.Info("turn", "text", "shown only at debug")
	out := buf.String()
	if !strings.Contains(out, "what is the refund policy") || strings.Contains(out, "shown only at debug") {
		t.Fatalf("text keys: want them at debug only:\n%s", out)
	}
	if strings.Contains(out, "tok-0123456789") {
		t.Fatalf("a secret was logged at debug:\n%s", out)
	}
}
