package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-3", 0},
		{"1.5", 0},
		{"soon", 0},
		{"99999999999999999999", 0},
		{"999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
		{strings.Repeat("1", 100), 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, seed := range []string{"", "5", "-1", "Wed, 21 Oct 2015 07:28:00 GMT", "1e9", "  7  "} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d := parseRetryAfter(v, now)
		if d < 0 || d > maxRetryAfterSeconds*time.Second {
			t.Errorf("parseRetryAfter(%q) = %s out of range", v, d)
		}
	})
}

// bodyTransport answers every request with a 200 event stream holding body.
type bodyTransport struct{ body []byte }

func (b bodyTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK",
		Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body:   io.NopCloser(bytes.NewReader(b.body))}, nil
}

type doerFunc func(*http.Request) (*http.Response, error)

func (f doerFunc) Do(r *http.Request) (*http.Response, error) { return f(r) }

func TestDoerRecordsRetryAfterAndLimitsBody(t *testing.T) {
	d := doer{now: time.Now, maxBytes: 4, next: doerFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"9"}},
			Body: io.NopCloser(strings.NewReader("0123456789"))}, nil
	})}
	ctx, holder := withRetryAfterHolder(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://127.0.0.1/v1/chat/completions", nil)
	resp, err := d.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if holder.get() != 9*time.Second {
		t.Errorf("holder = %s, want 9s", holder.get())
	}
	got, err := io.ReadAll(resp.Body)
	if string(got) != "0123" || !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("read %q, %v; want 4 bytes then ErrResponseTooLarge", got, err)
	}
}

// FuzzStream feeds arbitrary bytes to Client.Stream as the provider's event
// stream: it must never panic, and whatever reached onDelta must be exactly
// the returned text.
func FuzzStream(f *testing.F) {
	for _, seed := range []string{
		"data: {\"choices\":[{\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
		"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\ndata: [DONE]\n",
		": keep-alive\n\ndata: {\"choices\":[{\"delta\":{\"reasoning_content\":\"r\"}}]}\n",
		"data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n",
		"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {not json\n\n",
		"data: {\"choices\":[{\"index\":7,\"delta\":{\"content\":null}}]}\n",
		"{\"id\":\"x\",\"object\":\"chat.completion\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cfg := DefaultConfig()
		cfg.Name, cfg.BaseURL, cfg.Model = "fuzz", "http://127.0.0.1:1/v1", "m"
		c, err := NewClient(cfg, WithHTTPClient(&http.Client{Transport: bodyTransport{body}}))
		if err != nil {
			t.Fatal(err)
		}
		var streamed strings.Builder
		res, err := c.Stream(context.Background(), userRequest("hi"), func(s string) { streamed.WriteString(s) })
		if res.Text != streamed.String() {
			t.Errorf("text %q != streamed %q", res.Text, streamed.String())
		}
		if err == nil && res.Text == "" {
			t.Error("success without text")
		}
		if err != nil && res.Interrupted != (res.Text != "") {
			t.Errorf("interrupted = %t with text %q", res.Interrupted, res.Text)
		}
	})
}
