// Package logredact owns the one redaction layer of the process's logs: a
// slog.Handler that replaces the values of keys carrying secrets (always)
// and message text (unless the record is at debug level), removes known
// secret values wherever they appear, and masks what looks like personal
// data (phone, ID and card numbers, e-mail addresses) in every string.
package logredact

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"imbot/core/safety/pii"
)

// Redacted replaces a value that must not be logged.
const Redacted = "[redacted]"

// minSecretLen is the shortest secret value scrubbed from log text; shorter
// ones would match ordinary words.
const minSecretLen = 8

// secretKeys name attributes whose values are never logged.
func secretKeys() []string {
	return []string{"token", "secret", "api_key", "apikey", "authorization", "password", "cookie", "jwt", "admin_token"}
}

// secretSuffixes end the names of attributes whose values are never logged.
func secretSuffixes() []string {
	return []string{"_token", "_secret", "_password", "_api_key"}
}

// textKeys name attributes that carry what users wrote or were answered:
// logged only at debug level.
func textKeys() []string {
	return []string{"text", "question", "answer", "reply", "prompt", "content", "query", "body"}
}

// Handler redacts records before its next handler sees them. It is safe for
// concurrent use, like every slog.Handler.
type Handler struct {
	next    slog.Handler
	masker  *pii.Masker
	secrets *strings.Replacer // nil when there are no secret values
}

// New returns a handler that redacts for next. masker finds personal data
// (nil: the built-in detectors); secrets are values (API keys, tokens) to
// scrub wherever they appear, e.g. inside an error message.
func New(next slog.Handler, masker *pii.Masker, secrets ...string) (*Handler, error) {
	if masker == nil {
		m, err := pii.New(nil)
		if err != nil {
			return nil, err
		}
		masker = m
	}
	h := &Handler{next: next, masker: masker}
	var pairs []string
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			pairs = append(pairs, s, Redacted)
		}
	}
	if len(pairs) > 0 {
		h.secrets = strings.NewReplacer(pairs...)
	}
	return h, nil
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// Handle implements slog.Handler: it redacts the message and every
// attribute, then passes the record on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.scrub(r.Message), r.PC)
	debug := r.Level <= slog.LevelDebug
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a, debug))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler. Text keys given here are kept only
// when the next handler logs debug records at all.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	debug := h.next.Enabled(context.Background(), slog.LevelDebug)
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a, debug)
	}
	return &Handler{next: h.next.WithAttrs(red), masker: h.masker, secrets: h.secrets}
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), masker: h.masker, secrets: h.secrets}
}

// attr returns a redacted; debug says whether text keys may be kept.
func (h *Handler) attr(a slog.Attr, debug bool) slog.Attr {
	a.Value = a.Value.Resolve()
	key := strings.ToLower(a.Key)
	switch {
	case isSecretKey(key):
		return slog.String(a.Key, Redacted)
	case !debug && slices.Contains(textKeys(), key):
		return slog.String(a.Key, Redacted)
	}
	switch a.Value.Kind() {
	case slog.KindGroup:
		group := a.Value.Group()
		red := make([]any, len(group))
		for i, g := range group {
			red[i] = h.attr(g, debug)
		}
		return slog.Group(a.Key, red...)
	case slog.KindString:
		return slog.String(a.Key, h.scrub(a.Value.String()))
	case slog.KindAny:
		// Errors, Stringers, slices: what the next handler would print.
		printed := fmt.Sprint(a.Value.Any())
		if scrubbed := h.scrub(printed); scrubbed != printed {
			return slog.String(a.Key, scrubbed)
		}
	}
	return a
}

// isSecretKey reports whether key names a secret.
func isSecretKey(key string) bool {
	if slices.Contains(secretKeys(), key) {
		return true
	}
	for _, s := range secretSuffixes() {
		if strings.HasSuffix(key, s) {
			return true
		}
	}
	return false
}

// scrub removes secret values from s and masks its personal data.
func (h *Handler) scrub(s string) string {
	if h.secrets != nil {
		s = h.secrets.Replace(s)
	}
	masked, mp := h.masker.Mask([]string{s})
	if mp.Len() == 0 {
		return s
	}
	return masked[0]
}
