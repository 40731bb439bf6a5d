package telegram

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
)

const testSecret = "s3cret_token-1"

func webhookConfig(fake *telegramtest.Server) Config {
	cfg := testConfig(fake)
	cfg.Mode = ModeWebhook
	cfg.WebhookURL = "https://bot.example.com/telegram/webhook"
	cfg.WebhookSecret = testSecret
	return cfg
}

func postUpdate(t *testing.T, url, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// webhookServer serves a webhook-mode adapter for fake on a test server.
func webhookServer(t *testing.T, fake *telegramtest.Server, opts ...Option) (Config, *Adapter, *httptest.Server) {
	t.Helper()
	cfg := webhookConfig(fake)
	a := newAdapter(t, cfg, nil, opts...)
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return cfg, a, srv
}

func TestWebhook(t *testing.T) {
	fake := newFake(t)
	cfg, a, srv := webhookServer(t, fake)
	url := srv.URL + cfg.WebhookPath
	ann := telegramtest.User(42, "Ann")
	update := func(text string) []byte {
		raw, err := json.Marshal(models.Update{ID: 5001, Message: fake.NewMessage(telegramtest.PrivateChat(ann), ann, text)})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	in := newInbox()

	if code := postUpdate(t, url, testSecret, update("too early")); code != http.StatusServiceUnavailable {
		t.Errorf("before Run: %d, want 503 so that Telegram retries", code)
	}
	start(t, a, in.deliver)
	waitReady(t, a)
	if u, s := fake.Webhook(); u != cfg.WebhookURL || s != testSecret {
		t.Fatalf("setWebhook(%q, %q)", u, s)
	}
	waitReady(t, a)

	tests := []struct {
		name, secret string
		body         []byte
		want         int
	}{
		{"missing secret", "", update("intruder"), http.StatusUnauthorized},
		{"wrong secret", "guess", update("intruder"), http.StatusUnauthorized},
		{"secret prefix", testSecret[:4], update("intruder"), http.StatusUnauthorized},
		{"secret plus extra", testSecret + "x", update("intruder"), http.StatusUnauthorized},
		{"secret in other case", strings.ToUpper(testSecret), update("intruder"), http.StatusUnauthorized},
		{"not JSON", testSecret, []byte("{"), http.StatusBadRequest},
		{"too large", testSecret, bytes.Repeat([]byte(" "), maxWebhookBody+1), http.StatusRequestEntityTooLarge},
		{"unknown shape skipped", testSecret, []byte(`{"update_id":5000,"message":{"chat":"x"}}`), http.StatusOK},
		{"delivered", testSecret, update("hello"), http.StatusOK},
		{"redelivery", testSecret, update("hello"), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := postUpdate(t, url, tt.secret, tt.body); code != tt.want {
				t.Errorf("status %d, want %d", code, tt.want)
			}
		})
	}
	envs := in.all()
	if len(envs) != 1 || envs[0].Text != "hello" || envs[0].EventID != "5001" {
		t.Fatalf("delivered %+v, want only the update with the right secret, once", envs)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", resp.StatusCode)
	}
}

func TestValidSecret(t *testing.T) {
	tests := []struct {
		got, want string
		ok        bool
	}{
		{testSecret, testSecret, true},
		{"", testSecret, false},
		{testSecret[:len(testSecret)-1], testSecret, false},
		{testSecret + testSecret, testSecret, false},
		// No configured secret must not mean "no secret needed".
		{"", "", false},
		{"anything", "", false},
	}
	for _, tt := range tests {
		if got := validSecret(tt.got, tt.want); got != tt.ok {
			t.Errorf("validSecret(%q, %q) = %v, want %v", tt.got, tt.want, got, tt.ok)
		}
	}
}

func TestWebhookDeliveryFailureAsksForRetry(t *testing.T) {
	fake := newFake(t)
	cfg, a, srv := webhookServer(t, fake)
	in := newInbox()
	in.failNext("1", 1)
	start(t, a, in.deliver)
	waitReady(t, a)
	ann := telegramtest.User(42, "Ann")
	raw, _ := json.Marshal(models.Update{ID: 7001, Message: fake.NewMessage(telegramtest.PrivateChat(ann), ann, "hi")})
	if code := postUpdate(t, srv.URL+cfg.WebhookPath, testSecret, raw); code != http.StatusServiceUnavailable {
		t.Errorf("failed delivery answered %d, want 503", code)
	}
	if code := postUpdate(t, srv.URL+cfg.WebhookPath, testSecret, raw); code != http.StatusOK {
		t.Errorf("redelivery answered %d, want 200", code)
	}
	if envs := in.all(); len(envs) != 1 {
		t.Errorf("delivered %d times, want once", len(envs))
	}
}

// TestWebhookSlowBody: a client that sends its headers but not its body is
// answered once the body timeout passes, with or without the right secret,
// instead of holding the connection for as long as it likes.
func TestWebhookSlowBody(t *testing.T) {
	fake := newFake(t)
	cfg, a, srv := webhookServer(t, fake, WithBodyTimeout(50*time.Millisecond))
	in := newInbox()
	start(t, a, in.deliver)
	waitReady(t, a)
	for _, tt := range []struct {
		name, secret string
		want         int
	}{
		{"right secret", testSecret, http.StatusRequestTimeout},
		{"wrong secret", "guess", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // the test's own bound
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\n%s: %s\r\nContent-Length: 1000\r\n\r\n{\"update_id\":",
				cfg.WebhookPath, srv.Listener.Addr(), secretHeader, tt.secret)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer to a stalled body: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	if envs := in.all(); len(envs) != 0 {
		t.Fatalf("delivered %+v", envs)
	}
}

func TestPollingMountsNothing(t *testing.T) {
	fake := newFake(t)
	a := newAdapter(t, testConfig(fake), &memCursors{})
	mux := http.NewServeMux()
	a.Mount(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, DefaultConfig().WebhookPath, strings.NewReader("{}")))
	if rec.Code != http.StatusNotFound {
		t.Errorf("webhook path answered %d in polling mode", rec.Code)
	}
}
