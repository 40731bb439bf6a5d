package safety

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/metric"
	"imbot/core/safety/words"
)

// Guard puts the sensitive-word filter and the input limit around an
// answerer (the router): a question with a sensitive word is refused
// before anything else answers it, a question over the limit is cut, and
// every answer — streamed or final, from a model or the knowledge base — is
// masked before the adapter sees it. It implements core.Answerer and is
// safe for concurrent use.
type Guard struct {
	next     core.Answerer
	words    atomic.Pointer[words.Matcher]
	maxInput int
	texts    *catalog.Catalog
	picker   *catalog.Picker
	log      *slog.Logger
	hits     metric.CounterVec
}

var _ core.Answerer = (*Guard)(nil)

// GuardOption configures a Guard.
type GuardOption func(*Guard)

// WithCatalog sets the catalogue the refusal and the truncation notice come
// from; the default is the built-in one.
func WithCatalog(c *catalog.Catalog) GuardOption { return func(g *Guard) { g.texts = c } }

// WithPicker sets how a user's language is picked; the default picks from
// the text and the user's last message, else English.
func WithPicker(p *catalog.Picker) GuardOption { return func(g *Guard) { g.picker = p } }

// WithLogger sets the guard's logger. It never logs message text or the
// word that matched, only the list's name.
func WithLogger(l *slog.Logger) GuardOption { return func(g *Guard) { g.log = l } }

// WithMetrics counts sensitive-word hits in reg.
func WithMetrics(reg metric.Meter) GuardOption {
	return func(g *Guard) {
		g.hits = reg.Counter("imbot_sensitive_words_total",
			"Sensitive-word hits: questions refused (in) and answers masked (out), by list.", "direction", "list")
	}
}

// NewGuard returns a guard answering with next under cfg (its input limit)
// and matcher (nil: no word checks). The refusal text is the catalogue's
// sensitive_refused, which cfg.RefusalReply overrides when set.
func NewGuard(next core.Answerer, cfg Config, matcher *words.Matcher, opts ...GuardOption) (*Guard, error) {
	g := &Guard{next: next, maxInput: cfg.MaxInputChars, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(g)
	}
	if g.hits == nil {
		WithMetrics(metric.Discard())(g)
	}
	if g.picker == nil {
		g.picker = catalog.NewPicker(catalog.EN)
	}
	if g.texts == nil {
		texts, err := catalog.New(catalog.Config{})
		if err != nil {
			return nil, err
		}
		g.texts = texts
	}
	if err := cfg.ApplyTexts(g.texts); err != nil {
		return nil, err
	}
	g.SetWords(matcher)
	return g, nil
}

// SetWords replaces the sensitive words for turns that start later (on
// SIGHUP); nil turns the checks off.
func (g *Guard) SetWords(m *words.Matcher) { g.words.Store(m) }

// Answer implements core.Answerer.
func (g *Guard) Answer(ctx context.Context, env core.Envelope, w core.ReplyWriter) core.Answer {
	lang := env.Lang // picked once, when the message arrived
	if lang == "" {
		lang = g.picker.Pick(env.Sender(), env.Text, env.LangHint)
	}
	m := g.words.Load()
	if m != nil {
		if hit, ok := m.Contains(env.Text); ok {
			g.hits.With("in", hit.List).Inc()
			g.log.Info("question refused: sensitive word", "platform", env.Platform, "msg_id", env.MessageID, "list", hit.List)
			return core.Answer{Reply: core.Reply{Text: g.texts.Text(lang, catalog.SensitiveRefused),
				Route: core.RouteCommand, Refusal: core.RefusalSensitive}}
		}
	}
	var cut bool
	env.Text, cut = truncate(env.Text, g.maxInput)
	if m != nil {
		w = &maskingWriter{ReplyWriter: w, stream: m.NewStream()}
	}
	ans := g.next.Answer(ctx, env, w)
	if m != nil {
		if hit, ok := m.Contains(ans.Reply.Text); ok {
			g.hits.With("out", hit.List).Inc()
			g.log.Info("answer masked: sensitive word", "platform", env.Platform, "msg_id", env.MessageID, "list", hit.List)
			ans.Reply.Text = m.Mask(ans.Reply.Text)
		}
	}
	if cut {
		ans.Reply.Text += "\n\n" + g.texts.Text(lang, catalog.InputTruncated, "limit", strconv.Itoa(g.maxInput))
	}
	return ans
}

// truncate cuts text to its first limit characters (runes); limit 0 keeps
// it whole. It reports whether it cut.
func truncate(text string, limit int) (string, bool) {
	if limit <= 0 || len(text) <= limit {
		return text, false
	}
	n := 0
	for i := range text {
		if n == limit {
			return text[:i], true
		}
		n++
	}
	return text, false
}

// maskingWriter masks sensitive words in a reply as it streams: the adapter
// sees only text the streaming masker has released, so a word split across
// two updates is still masked.
type maskingWriter struct {
	core.ReplyWriter
	stream *words.Stream
	seen   int             // bytes of the raw text fed to the stream
	masked strings.Builder // masked text released so far
}

// Update feeds the new part of textSoFar to the masker and forwards the
// masked text so far when it grew.
func (w *maskingWriter) Update(ctx context.Context, textSoFar string) error {
	if len(textSoFar) <= w.seen {
		return nil
	}
	out := w.stream.Write(textSoFar[w.seen:])
	w.seen = len(textSoFar)
	if out == "" {
		return nil
	}
	w.masked.WriteString(out)
	return w.ReplyWriter.Update(ctx, w.masked.String())
}
