package feishu

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/core"
)

func TestWebhookChallenge(t *testing.T) {
	h := newHarness(t, nil)
	h.serve()
	tests := []struct {
		name       string
		token      string
		wantStatus int
	}{
		{"right token", testToken, http.StatusOK},
		{"wrong token", "guess", http.StatusUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Feishu sends the challenge encrypted and without signature headers.
			body := feishutest.EncryptedBody(testEncryptKey, feishutest.Challenge(tc.token, "ch-123"))
			resp, err := http.Post(h.url, "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantStatus)
			}
			if tc.wantStatus != http.StatusOK {
				return
			}
			var got struct{ Challenge string }
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got.Challenge != "ch-123" {
				t.Fatalf("answer %+v (%v), want challenge ch-123", got, err)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
}

func TestWebhookRejectsUnverifiedRequests(t *testing.T) {
	h := newHarness(t, nil)
	h.serve()
	now := h.clock.Now()
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"bad signature", func() *http.Request {
			r := feishutest.WebhookRequest(context.Background(), h.url, testEncryptKey, h.event("1", "hi").JSON(), now)
			r.Header.Set("X-Lark-Signature", strings.Repeat("0", 64))
			return r
		}},
		{"signed with another key", func() *http.Request {
			return feishutest.WebhookRequest(context.Background(), h.url, "other-key", h.event("2", "hi").JSON(), now)
		}},
		{"stale timestamp", func() *http.Request {
			return feishutest.WebhookRequest(context.Background(), h.url, testEncryptKey, h.event("3", "hi").JSON(), now.Add(-6*time.Minute))
		}},
		{"future timestamp", func() *http.Request {
			return feishutest.WebhookRequest(context.Background(), h.url, testEncryptKey, h.event("4", "hi").JSON(), now.Add(6*time.Minute))
		}},
		{"wrong verification token", func() *http.Request {
			e := h.event("5", "hi")
			e.Token = "not-the-token"
			return feishutest.WebhookRequest(context.Background(), h.url, testEncryptKey, e.JSON(), now)
		}},
		{"unencrypted body", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(h.event("6", "hi").JSON()))
			return r
		}},
		{"encrypted but unsigned event", func() *http.Request {
			body := feishutest.EncryptedBody(testEncryptKey, h.event("7", "hi").JSON())
			r, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
			return r
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.do(tc.req()); got != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", got)
			}
			h.noDelivery()
		})
	}
	if n := len(h.fake.Messages()); n != 0 {
		t.Fatalf("%d messages posted, want none", n)
	}
}

func TestWebhookLimitsBodySize(t *testing.T) {
	h := newHarness(t, nil)
	h.serve()
	body := bytes.Repeat([]byte("a"), maxBodyBytes+1)
	r, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
	if got := h.do(r); got != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", got)
	}
	r, _ = http.NewRequest(http.MethodGet, h.url, nil)
	if got := h.do(r); got != http.StatusMethodNotAllowed {
		t.Fatalf("GET: status %d, want 405", got)
	}
}

func TestWebhookAcksOnlyAcceptedMessages(t *testing.T) {
	h := newHarness(t, nil)
	fail := errors.New("store unavailable")
	var calls int
	h.deliver = func(_ context.Context, env core.Envelope) error {
		calls++
		if calls == 1 {
			return fail
		}
		h.delivered <- env
		return nil
	}
	h.serve()
	e := h.event("1", "hello")
	if got := h.post(e.JSON()); got != http.StatusInternalServerError {
		t.Fatalf("deliver failed: status %d, want 500 so Feishu retries", got)
	}
	if got := h.post(e.JSON()); got != http.StatusOK {
		t.Fatalf("retry: status %d, want 200", got)
	}
	env := <-h.delivered
	if env.Text != "hello" || env.MessageID != "om_1" || env.EventID != "ev_1" {
		t.Fatalf("delivered %+v", env)
	}
}

func TestWebhookIgnoresOtherEventTypes(t *testing.T) {
	h := newHarness(t, nil)
	h.serve()
	plain := bytes.Replace(h.event("1", "hi").JSON(), []byte("im.message.receive_v1"), []byte("im.chat.member.bot.added_v1"), 1)
	if got := h.post(plain); got != http.StatusOK {
		t.Fatalf("status %d, want 200", got)
	}
	h.noDelivery()
}

func TestDecryptRoundTrip(t *testing.T) {
	for _, n := range []int{2, 15, 16, 17, 1000} {
		plain := []byte(`{"k":"` + strings.Repeat("x", n) + `"}`)
		got, err := decrypt(feishutest.Encrypt("key", plain), "key")
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("n=%d: got %q, %v", n, got, err)
		}
		if _, err := decrypt(feishutest.Encrypt("key", plain), "other"); err == nil {
			// A wrong key yields noise that rarely holds a JSON object; when it
			// does, the signature check (done first) has already failed.
			t.Logf("n=%d: wrong key decrypted to something brace-shaped", n)
		}
	}
}

// FuzzOpenCallback feeds arbitrary bodies and headers through verification,
// decryption and event parsing: nothing may panic.
func FuzzOpenCallback(f *testing.F) {
	event := feishutest.Event{EventID: "ev", Token: testToken, MessageID: "om", ChatID: "oc", ChatType: "group",
		MsgType: "post", Content: `{"zh_cn":{"title":"t","content":[[{"tag":"at","user_id":"@_user_1"},{"tag":"text","text":"hi"}]]}}`,
		Mentions: []feishutest.Mention{{Key: "@_user_1", OpenID: testBot}}, Created: time.Unix(1700000000, 0)}
	f.Add(feishutest.EncryptedBody(testEncryptKey, event.JSON()), "", "")
	f.Add(feishutest.EncryptedBody(testEncryptKey, feishutest.Challenge(testToken, "c")), "1700000000", "n")
	f.Add([]byte(`{"encrypt":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`), "x", "")
	f.Add([]byte(`{"encrypt":"`+feishutest.Encrypt(testEncryptKey, []byte("}{"))+`"}`), "", "")
	f.Add(event.JSON(), "", "")
	cfg := DefaultConfig()
	cfg.Enabled, cfg.Mode, cfg.AppID, cfg.AppSecret = true, ModeWebhook, testAppID, testSecret
	cfg.VerificationToken, cfg.EncryptKey = testToken, testEncryptKey
	a, err := New(cfg, WithLogger(discard()))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, ts, sig string) {
		h := http.Header{}
		if ts != "" {
			h.Set(headerTime, ts)
			h.Set(headerSig, sig)
		}
		e, _, err := a.openCallback(h, body)
		if err != nil {
			return
		}
		a.in.envelope(e, testBot, time.Unix(1700000000, 0))
		messageText(e.Event.Message.MessageType, e.Event.Message.Content)
	})
}

// FuzzParseEvent fuzzes the plaintext event and message content parsers.
func FuzzParseEvent(f *testing.F) {
	f.Add([]byte(`{"schema":"2.0","header":{"event_id":"e","event_type":"im.message.receive_v1"},"event":{"message":{"message_id":"m","chat_id":"c","chat_type":"group","message_type":"text","content":"{\"text\":\"@_user_1 @_user_10 hi @_all\"}","mentions":[{"key":"@_user_1","id":{"open_id":"ou_bot"}},{"key":"@_user_10","name":"Bob"}]}}}`))
	f.Add([]byte(`{"event":{"message":{"message_type":"post","content":"{\"title\":\"x\",\"content\":[[{\"tag\":\"a\",\"href\":\"h\"}]]}"}}}`))
	f.Add([]byte(`[]`))
	in := inbound{inThread: true, stale: time.Hour}
	f.Fuzz(func(t *testing.T, plain []byte) {
		e, err := parseEvent(plain)
		if err != nil {
			return
		}
		env, v := in.envelope(e, testBot, time.Unix(1700000000, 0))
		if v == verdictDeliver && (env.MessageID == "" || env.ChatID == "" || env.Text == "") {
			t.Fatalf("delivering an incomplete envelope %+v", env)
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// TestWebhookSlowBody: a client that sends its headers but not its body is
// answered 408 once the body timeout passes, instead of holding the
// connection for as long as it likes.
func TestWebhookSlowBody(t *testing.T) {
	h := newHarness(t, nil)
	WithBodyTimeout(50 * time.Millisecond)(h.a)
	h.serve()
	u, err := url.Parse(h.url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second)) // the test's own bound
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"encrypt\":", u.Path, u.Host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to a stalled body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout {
		t.Fatalf("status %d, want 408", resp.StatusCode)
	}
	h.noDelivery()
}
