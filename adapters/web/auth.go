package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// authenticator checks bearer tokens. It keeps only digests, so comparisons
// take the same time whatever the length of the token presented.
type authenticator struct {
	digests [][sha256.Size]byte
}

func newAuthenticator(tokens []string) authenticator {
	a := authenticator{digests: make([][sha256.Size]byte, 0, len(tokens))}
	for _, t := range tokens {
		a.digests = append(a.digests, sha256.Sum256([]byte(t)))
	}
	return a
}

// open reports whether no token is configured.
func (a authenticator) open() bool { return len(a.digests) == 0 }

// allowToken reports whether presented is one of the configured tokens.
func (a authenticator) allowToken(presented string) bool {
	if presented == "" {
		return false
	}
	d := sha256.Sum256([]byte(presented))
	match := 0
	for i := range a.digests {
		match |= subtle.ConstantTimeCompare(d[:], a.digests[i][:])
	}
	return match == 1
}

func bearer(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// originChecker decides whether a browser request may use the chat: requests
// without an Origin header (non-browser clients) and requests from the
// daemon's own host always may; others only from an allowed origin.
type originChecker struct {
	any     bool
	allowed map[string]bool
}

func newOriginChecker(origins []string) originChecker {
	c := originChecker{allowed: make(map[string]bool, len(origins))}
	for _, o := range origins {
		n, err := normalizeOrigin(o)
		if err != nil {
			continue // New rejects such a config before this runs
		}
		if n == "*" {
			c.any = true
		}
		c.allowed[n] = true
	}
	return c
}

func (c originChecker) allow(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || c.any {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" (sandboxed frames, file: pages) and garbage
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return c.allowed[strings.ToLower(u.Scheme+"://"+u.Host)]
}

// hostChecker decides which Host headers an open chat (no tokens) answers
// to: loopback names and the configured hosts. A chat with tokens, or with
// "*" configured, answers to every host.
type hostChecker struct {
	any     bool
	allowed map[string]bool
}

func newHostChecker(hosts []string, open bool) hostChecker {
	c := hostChecker{any: !open, allowed: make(map[string]bool, len(hosts))}
	for _, h := range hosts {
		c.any = c.any || h == "*"
		c.allowed[strings.ToLower(h)] = true
	}
	return c
}

func (c hostChecker) allow(r *http.Request) bool {
	if c.any {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || c.allowed[host] {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// KeyAuth returns a check of API keys against the chat's static tokens,
// for other HTTP surfaces that take the same tokens (the OpenAI-compatible
// API): it reports whether key is one of them and names its user by the
// first 8 bytes of its SHA-256 digest, so logs and limits never see the key.
// With no tokens configured it accepts nothing.
func (c Config) KeyAuth() func(key string) (user string, ok bool) {
	a := newAuthenticator(c.allTokens())
	return func(key string) (string, bool) {
		if a.open() || !a.allowToken(key) {
			return "", false
		}
		d := sha256.Sum256([]byte(key))
		return "key-" + hex.EncodeToString(d[:8]), true
	}
}
