package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAuthenticator(t *testing.T) {
	a := newAuthenticator([]string{"alpha-token-0123456789", "beta-token-0123456789"})
	tests := []struct {
		name, target, header string
		want                 bool
	}{
		{"header", "/ws", "Bearer beta-token-0123456789", true},
		{"header, any case", "/ws", "BEARER alpha-token-0123456789", true},
		{"query", "/ws?token=alpha-token-0123456789", "", true},
		{"header wins over query", "/ws?token=alpha-token-0123456789", "Bearer wrong", false},
		{"prefix of a token", "/ws", "Bearer alpha-token", false},
		{"token plus extra", "/ws", "Bearer alpha-token-0123456789x", false},
		{"empty bearer", "/ws", "Bearer ", false},
		{"basic", "/ws", "Basic YWxwaGE=", false},
		{"nothing", "/ws", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if got := a.allowToken(presentedToken(r)); got != tt.want {
				t.Fatalf("allow = %v, want %v", got, tt.want)
			}
		})
	}
	if !newAuthenticator(nil).open() || a.open() {
		t.Fatal("open() does not tell whether tokens are configured")
	}
}

func TestOriginChecker(t *testing.T) {
	tests := []struct {
		name    string
		allowed []string
		origin  string
		want    bool
	}{
		{"no origin header", nil, "", true},
		{"same host", nil, "http://chat.local:8080", true},
		{"same host, other case", nil, "http://CHAT.local:8080", true},
		{"other port", nil, "http://chat.local:9090", false},
		{"other host", nil, "https://evil.example", false},
		{"garbage", nil, "::", false},
		{"allowed", []string{"https://app.example.com"}, "https://app.example.com", true},
		{"allowed, other scheme", []string{"https://app.example.com"}, "http://app.example.com", false},
		{"allowed with slash", []string{"https://app.example.com/"}, "https://app.example.com", true},
		{"wildcard", []string{"*"}, "https://anything.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://chat.local:8080/ws", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if got := newOriginChecker(tt.allowed).allow(r); got != tt.want {
				t.Fatalf("allow = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestOriginCheckerWithoutHost: a request without a Host header (HTTP/1.0)
// must not let an origin without a host ("null", "file://") pass as the
// daemon's own.
func TestOriginCheckerWithoutHost(t *testing.T) {
	for _, origin := range []string{"null", "file://", "http://"} {
		r := httptest.NewRequest(http.MethodGet, "/ws", nil)
		r.Host = ""
		r.Header.Set("Origin", origin)
		if newOriginChecker(nil).allow(r) {
			t.Errorf("origin %q allowed for a request without Host", origin)
		}
	}
}

func TestKeyAuth(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Tokens = []string{"alpha-token-0123456789"}
	auth := cfg.KeyAuth()
	user, ok := auth("alpha-token-0123456789")
	if !ok || !strings.HasPrefix(user, "key-") || strings.Contains(user, "alpha") {
		t.Fatalf("valid key: %q, %v", user, ok)
	}
	if again, _ := auth("alpha-token-0123456789"); again != user {
		t.Fatalf("the same key named %q, then %q", user, again)
	}
	for _, key := range []string{"", "alpha-token", "beta-token-0123456789"} {
		if _, ok := auth(key); ok {
			t.Fatalf("accepted %q", key)
		}
	}
	if _, ok := DefaultConfig().KeyAuth()("anything"); ok {
		t.Fatal("no tokens configured, yet a key passed")
	}
}
