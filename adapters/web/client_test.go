package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	l := newClientLimits(Config{TrustedProxies: []string{"10.0.0.0/8", "::1/128"}})
	for _, tc := range []struct {
		name, remote, xff, want string
	}{
		{"direct", "203.0.113.7:5000", "", "203.0.113.7"},
		{"direct client forging the header", "203.0.113.7:5000", "198.51.100.1", "203.0.113.7"},
		{"through a trusted proxy", "10.1.2.3:443", "198.51.100.1", "198.51.100.1"},
		{"rightmost untrusted hop wins", "10.1.2.3:443", "1.1.1.1, 198.51.100.1, 10.9.9.9", "198.51.100.1"},
		{"proxy without header", "10.1.2.3:443", "", "10.1.2.3"},
		{"garbage hop", "10.1.2.3:443", "nonsense", "10.1.2.3"},
		{"ipv6 proxy", "[::1]:443", "2001:db8::5", "2001:db8::5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/ws", nil)
			r.RemoteAddr = tc.remote
			if tc.xff != "" {
				r.Header.Set("X-Forwarded-For", tc.xff)
			}
			if got := l.clientIP(r).String(); got != tc.want {
				t.Fatalf("clientIP = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPerClientLimits(t *testing.T) {
	cfg := testConfig()
	cfg.SessionsPerMinute, cfg.TurnsPerMinute = 2, 1
	cfg.TrustedProxies = []string{"127.0.0.0/8", "::1/128"}
	e := newTestEnv(t, cfg, true)
	from := func(ip string) http.Header {
		return http.Header{"X-Forwarded-For": {ip}, "Accept-Language": {"zh-CN,zh;q=0.9"}}
	}
	e.dial(t, nil, from("203.0.113.7"))
	c := e.dial(t, nil, from("203.0.113.7"))
	status, body := e.dialStatus(t, nil, from("203.0.113.7"))
	if status != http.StatusTooManyRequests || body.Error.Code != codeRateLimited || body.Error.Message != "连接太多，请稍后再试。" {
		t.Fatalf("third session: %d %+v, want 429 in Chinese", status, body)
	}
	e.dial(t, nil, from("198.51.100.1")) // another client is not limited
	e.dial(t, nil, nil)                  // nor is loopback

	expect(t, c, "ready")
	send(t, c, message("m1", "hi"))
	e.d.next(t)
	send(t, c, message("m2", "again"))
	if f := expect(t, c, "error"); f.Code != codeRateLimited || f.ReplyTo == nil || *f.ReplyTo != "m2" {
		t.Fatalf("second turn got %+v, want a rate_limited error frame", f)
	}
	var out errorBody
	if s := e.post(t, `{"text":"hi"}`, from("203.0.113.7"), &out); s != http.StatusTooManyRequests {
		t.Fatalf("POST over the turn cap: status %d %+v", s, out)
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.1.2.3:443", "1.1.1.1, 198.51.100.1, 10.9.9.9")
	f.Add("[::1]:443", "2001:db8::5")
	f.Add("garbage", ",,,")
	l := newClientLimits(Config{TrustedProxies: []string{"10.0.0.0/8", "::1/128"}})
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest(http.MethodGet, "/ws", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		ip := l.clientIP(r)
		if ip.IsValid() && l.trusted(ip) && !strings.Contains(remote, ip.String()) && !strings.Contains(remote, ip.Unmap().String()) {
			t.Fatalf("clientIP(%q, %q) = %s: a trusted proxy named by the header", remote, xff, ip)
		}
	})
}
