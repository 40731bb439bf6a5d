package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// Guard decides who may use the daemon's operator endpoints (/admin/*, and
// any debug endpoint mounted behind it). With a token configured a request
// must carry it as a bearer token. Without one, only requests that come
// straight from the local CLI pass: from a loopback address, for a loopback
// Host, and without the marks of a reverse proxy or a browser. A proxy on
// the same host (nginx on 127.0.0.1 relaying the internet) connects from
// loopback too, and a browser tricked by DNS rebinding connects to loopback
// under the attacker's host name; neither gets in without the token. A Guard
// is immutable and safe for concurrent use.
type Guard struct {
	cfg Config
}

// NewGuard returns the guard for cfg.
func NewGuard(cfg Config) Guard { return Guard{cfg: cfg} }

// Wrap returns next behind the guard: a request the guard refuses gets 401
// and never reaches next.
func (g Guard) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.Allowed(r) {
			http.Error(w, "admin access needs the admin token (or, when none is set, a direct request from this host)", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Allowed reports whether r carries the admin token or, when none is
// configured, comes straight from the local CLI.
func (g Guard) Allowed(r *http.Request) bool {
	if g.cfg.Token != "" {
		return validToken(r.Header.Get("Authorization"), g.cfg.Token)
	}
	return localCLIRequest(r, g.cfg.Listen)
}

// validToken reports whether the Authorization header carries the bearer
// token tok. Both are compared as SHA-256 digests in constant time, so the
// comparison does not reveal the token's length either.
func validToken(header, tok string) bool {
	const prefix = "bearer "
	if len(header) < len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return false
	}
	got, want := sha256.Sum256([]byte(header[len(prefix):])), sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

// proxyHeaders are added by reverse proxies (nginx, Caddy, Traefik, Apache,
// HAProxy, Envoy); the admin CLI never sends them.
func proxyHeaders() [6]string {
	return [...]string{"Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-Ip", "Via"}
}

// localCLIRequest reports whether r looks like the admin CLI on this host
// talking to the daemon directly, as Client does: a loopback peer, a Host
// that is a loopback address, "localhost" or the listen host, HTTP/1.1 or
// newer, no proxy headers and no cross-site browser request. nginx's
// proxy_pass speaks HTTP/1.0 unless told otherwise, which catches a proxy
// that adds no headers and rewrites Host to the upstream's address.
func localCLIRequest(r *http.Request, listen string) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return false
	}
	if !r.ProtoAtLeast(1, 1) || !localHost(r.Host, listen) {
		return false
	}
	for _, h := range proxyHeaders() {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return false
	}
	return true
}

// localHost reports whether the Host header names this machine's loopback
// interface: a loopback IP, localhost, or the host of the listen address
// (what Client dials when the daemon listens on a name).
func localHost(hostHeader, listen string) bool {
	h := hostHeader
	if hp, _, err := net.SplitHostPort(hostHeader); err == nil {
		h = hp
	}
	h = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
	if h == "" {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return ip.IsLoopback()
	}
	if strings.EqualFold(h, "localhost") {
		return true
	}
	lh, _, err := net.SplitHostPort(listen)
	return err == nil && lh != "" && strings.EqualFold(h, lh)
}
