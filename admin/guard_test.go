package admin

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

func TestGuardAllowedWithoutToken(t *testing.T) {
	g := NewGuard(Config{Listen: "127.0.0.1:8080"})
	tests := []struct {
		name   string
		remote string
		host   string
		proto  string
		header map[string]string
		want   bool
	}{
		{"local CLI", "127.0.0.1:50000", "127.0.0.1:8080", "", nil, true},
		{"local CLI over IPv6", "[::1]:50000", "[::1]:8080", "", nil, true},
		{"localhost", "127.0.0.1:50000", "localhost:8080", "", nil, true},
		{"user's own browser", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"Sec-Fetch-Site": "none"}, true},
		{"remote peer", "203.0.113.7:50000", "127.0.0.1:8080", "", nil, false},
		{"proxy: X-Forwarded-For", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"X-Forwarded-For": "203.0.113.7"}, false},
		{"proxy: X-Real-IP", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"X-Real-IP": "203.0.113.7"}, false},
		{"proxy: Forwarded", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"Forwarded": "for=203.0.113.7"}, false},
		{"proxy: X-Forwarded-Host", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"X-Forwarded-Host": "bot.example.com"}, false},
		{"proxy: Via", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"Via": "1.1 proxy"}, false},
		{"proxy: empty X-Forwarded-For", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"X-Forwarded-For": ""}, false},
		{"proxy passing the public Host", "127.0.0.1:50000", "bot.example.com", "", nil, false},
		{"bare nginx proxy_pass (HTTP/1.0)", "127.0.0.1:50000", "127.0.0.1:8080", "HTTP/1.0", nil, false},
		{"DNS rebinding", "127.0.0.1:50000", "rebind.attacker.example:8080", "", nil, false},
		{"no Host", "127.0.0.1:50000", "", "", nil, false},
		{"cross-site browser request", "127.0.0.1:50000", "127.0.0.1:8080", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/admin/export", nil)
			r.RemoteAddr, r.Host = tt.remote, tt.host
			if tt.proto == "HTTP/1.0" {
				r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.0", 1, 0
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if got := g.Allowed(r); got != tt.want {
				t.Fatalf("Allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGuardAllowedListenHost(t *testing.T) {
	g := NewGuard(Config{Listen: "imbot-host:8080"})
	r := httptest.NewRequest(http.MethodGet, "/admin/export", nil)
	r.RemoteAddr, r.Host = "127.0.1.1:50000", "IMBOT-HOST:8080"
	if !g.Allowed(r) {
		t.Fatal("the CLI dialling the listen host name was refused")
	}
}

func TestGuardAllowedWithToken(t *testing.T) {
	const tok = "admin-token-0123456789"
	g := NewGuard(Config{Listen: "127.0.0.1:8080", Token: tok})
	tests := []struct {
		name, remote, auth string
		forwarded          bool
		want               bool
	}{
		{"token", "203.0.113.7:50000", "Bearer " + tok, false, true},
		{"token, any case", "203.0.113.7:50000", "bearer " + tok, false, true},
		{"token through a proxy", "127.0.0.1:50000", "Bearer " + tok, true, true},
		{"loopback without token", "127.0.0.1:50000", "", false, false},
		{"wrong token", "127.0.0.1:50000", "Bearer guess", false, false},
		{"token prefix", "127.0.0.1:50000", "Bearer " + tok[:8], false, false},
		{"token plus extra", "127.0.0.1:50000", "Bearer " + tok + "x", false, false},
		{"basic", "127.0.0.1:50000", "Basic " + tok, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/admin/export", nil)
			r.RemoteAddr, r.Host = tt.remote, "127.0.0.1:8080"
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if tt.forwarded {
				r.Header.Set("X-Forwarded-For", "203.0.113.7")
			}
			if got := g.Allowed(r); got != tt.want {
				t.Fatalf("Allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestGuardOverLoopback runs the guard on a real loopback listener:
// the CLI's own request passes, the same request relayed by a proxy or sent
// under another host name does not reach the handler.
func TestGuardOverLoopback(t *testing.T) {
	srv := httptest.NewServer(nil)
	defer srv.Close()
	cfg := Config{Listen: srv.Listener.Addr().String()}
	var calls atomic.Int32
	srv.Config.Handler = NewGuard(cfg).Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		calls.Add(1)
		_, _ = w.Write([]byte("store"))
	}))

	var out bytes.Buffer
	if err := NewClient(cfg).Do(context.Background(), Export(), &out); err != nil || out.String() != "store" {
		t.Fatalf("CLI request: %q, %v", out.String(), err)
	}
	for name, edit := range map[string]func(*http.Request){
		"proxied":  func(r *http.Request) { r.Header.Set("X-Forwarded-For", "203.0.113.7") },
		"rebinded": func(r *http.Request) { r.Host = "rebind.attacker.example" },
	} {
		req, err := http.NewRequest(http.MethodGet, srv.URL+"/admin/export", nil)
		if err != nil {
			t.Fatal(err)
		}
		edit(req)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, resp.StatusCode)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("handler ran %d times, want once (the CLI's request)", n)
	}
}
