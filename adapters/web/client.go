package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/kit"
)

// peer is what the handlers learn about a client once it is admitted: who
// it speaks for, where it comes from and the language it reads.
type peer struct {
	who  identity
	ip   netip.Addr // invalid when the address cannot be read
	lang catalog.Lang
	hint string // the language the client named or preferred (see langHint), for the dispatcher
}

// text returns the catalogue's text id in the peer's language.
func (p peer) text(id catalog.ID) string { return (*catalog.Catalog)(nil).Text(p.lang, id) }

// clientLimits caps new sessions and messages per client address, so that
// an open chat cannot be flooded from one place. Loopback clients are
// exempt; behind trusted proxies the client is read from X-Forwarded-For.
type clientLimits struct {
	sessions *kit.KeyedLimiter
	turns    *kit.KeyedLimiter
	proxies  []netip.Prefix
}

// newClientLimits returns the limits of cfg, which Validate has checked.
func newClientLimits(cfg Config) clientLimits {
	l := clientLimits{
		sessions: kit.NewKeyedLimiter(float64(cfg.SessionsPerMinute), max(cfg.SessionsPerMinute, 1)),
		turns:    kit.NewKeyedLimiter(float64(cfg.TurnsPerMinute), max(cfg.TurnsPerMinute, 1)),
	}
	for _, p := range cfg.TrustedProxies {
		if pre, err := netip.ParsePrefix(p); err == nil {
			l.proxies = append(l.proxies, pre.Masked())
		}
	}
	return l
}

// trusted reports whether ip is one of the trusted proxies.
func (l clientLimits) trusted(ip netip.Addr) bool {
	for _, p := range l.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP returns the address r comes from: its peer's, or, when the peer
// is a trusted proxy, the rightmost X-Forwarded-For address that is not a
// trusted proxy itself (the leftmost ones are the client's to forge).
func (l clientLimits) clientIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	ip = ip.Unmap()
	if !l.trusted(ip) {
		return ip
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return ip
		}
		if hop = hop.Unmap(); !l.trusted(hop) {
			return hop
		}
	}
	return ip
}

// allow takes a token for ip from lim; loopback clients always pass.
func allow(lim *kit.KeyedLimiter, ip netip.Addr, now time.Time) bool {
	return ip.IsLoopback() || lim.Allow(ip.String(), now)
}

// allowSession reports whether p may open another session now.
func (l clientLimits) allowSession(p peer, now time.Time) bool { return allow(l.sessions, p.ip, now) }

// allowTurn reports whether p may send another message now.
func (l clientLimits) allowTurn(p peer, now time.Time) bool { return allow(l.turns, p.ip, now) }

// rateLimited is the error a client over a per-address cap gets.
func rateLimited(p peer, replyTo string, id catalog.ID) *requestError {
	return &requestError{code: codeRateLimited, replyTo: replyTo, message: p.text(id)}
}

// owner returns the user a message of p in session belongs to: the
// identity token's subject, else the session itself.
func (p peer) owner(session core.ChatID) core.UserID {
	if p.who.user != "" {
		return p.who.user
	}
	return core.UserID(session)
}
