package faq

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"imbot/core"
	"imbot/core/metric"
)

// Index answers queries from one knowledge base. It is immutable once built:
// Search may be called from any number of goroutines at once. To reload a
// knowledge base, build a new Index and swap it in atomically.
type Index struct {
	entries  []Entry
	lx       *lexicon
	perEntry float64  // example questions per entry, on average
	vec      *vectors // nil when the index is lexical only
	vecKeys  map[string]struct{}
	pool     scratchPool
	emb      embedding
	log      *slog.Logger
	metered  bool
	searches metric.CounterVec
	latency  metric.HistogramVec
}

// Option configures Build.
type Option func(*options)

type options struct {
	log   *slog.Logger
	reg   metric.Meter
	emb   Embedder
	cache VectorCache
}

// WithLogger sets the logger (default: slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithMetrics reports the index's metrics to reg: imbot_faq_searches_total
// by mode (lexical, fused, fallback) and imbot_faq_search_seconds.
func WithMetrics(reg metric.Meter) Option { return func(o *options) { o.reg = reg } }

// WithEmbedder enables embeddings: document and query vectors come from e
// with the model of Config.Embeddings, and are cached in cache when it is not
// nil. Without it, or when Config.Embeddings.Model is empty, the index is
// lexical only.
func WithEmbedder(e Embedder, cache VectorCache) Option {
	return func(o *options) { o.emb, o.cache = e, cache }
}

// Build indexes kb. Every example question and every answer is a document of
// its entry. With an embedder, Build fetches the documents' vectors within
// cfg.Embeddings.IndexTimeout; when that fails the index is built lexical
// only and the failure is logged. Build fails only when kb is invalid.
func Build(ctx context.Context, kb KB, cfg Config, opts ...Option) (*Index, error) {
	if err := kb.Validate(); err != nil {
		return nil, err
	}
	docs, docEntry, questions := documents(kb)
	ix := newIndex(kb, buildLexicon(docs, docEntry, len(kb.Entries), questions), cfg, opts)
	if ix.emb.enabled() {
		ix.buildVectors(ctx, docs, docEntry, len(kb.Entries))
	}
	return ix, nil
}

// newIndex returns the index of kb over its lexicon lx, without vectors.
func newIndex(kb KB, lx *lexicon, cfg Config, opts []Option) *Index {
	o := options{log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	nDocs := len(lx.docEntry)
	ix := &Index{
		entries:  kb.Entries,
		lx:       lx,
		log:      o.log,
		pool:     scratchPool{nDocs: nDocs, nEntries: len(kb.Entries)},
		perEntry: float64(kb.questions()) / float64(len(kb.Entries)),
	}
	ix.emb = embedding{emb: o.emb, cache: o.cache, cfg: cfg.Embeddings, now: time.Now}
	if o.reg != nil {
		ix.metered = true
		ix.searches = o.reg.Counter("imbot_faq_searches_total", "FAQ searches by mode (lexical, fused, fallback).", "mode")
		ix.latency = o.reg.Histogram("imbot_faq_search_seconds", "FAQ search latency.", metric.LatencyBuckets())
	}
	return ix
}

// documents lists the texts indexed for kb: each entry's questions, then its
// answers. It returns the texts, their entries and the positions of questions.
func documents(kb KB) (docs []string, docEntry, questions []int32) {
	for e, en := range kb.Entries {
		for _, q := range en.Questions {
			questions = append(questions, int32(len(docs)))
			docs = append(docs, q)
			docEntry = append(docEntry, int32(e))
		}
		for _, a := range en.answers() {
			docs = append(docs, a)
			docEntry = append(docEntry, int32(e))
		}
	}
	return docs, docEntry, questions
}

// buildVectors fetches the documents' vectors; on failure it logs and leaves
// the index lexical only.
func (ix *Index) buildVectors(ctx context.Context, docs []string, docEntry []int32, nEntries int) {
	ix.vecKeys = make(map[string]struct{}, len(docs))
	for _, d := range docs {
		ix.vecKeys[VectorKey(ix.emb.cfg.Model, d)] = struct{}{}
	}
	ctx, cancel := context.WithTimeout(ctx, ix.emb.cfg.IndexTimeout)
	defer cancel()
	vs, err := ix.emb.vectors(ctx, docs)
	if err != nil {
		ix.log.Warn("faq: embeddings unavailable, index is lexical only", "err", err)
		return
	}
	ix.vec = newVectors(vs, docEntry, nEntries)
}

// KB returns the knowledge base the index was built from; its entries are
// shared with the index and must not be modified.
func (ix *Index) KB() KB { return KB{Entries: ix.entries} }

// Len returns the number of entries.
func (ix *Index) Len() int { return len(ix.entries) }

// UsesVector reports whether key is the cache key (VectorKey) of one of the
// index's documents under its embeddings model: a cached vector the index
// needs again when it is rebuilt.
func (ix *Index) UsesVector(key string) bool {
	_, ok := ix.vecKeys[key]
	return ok
}

// Embedded reports whether the index holds embedding vectors.
func (ix *Index) Embedded() bool { return ix.vec != nil }

// rank scores text (and, when qv is not nil, its vector) against every entry
// and leaves the best entries in s.top and the query's terms in s.
func (ix *Index) rank(s *scratch, text string, qv []float32) {
	ix.lx.similarities(s, text)
	w := float32(1)
	if qv != nil {
		w = lexicalShare
	}
	s.fold(ix.lx.entryStart, ix.lx.centScale, w)
	if qv != nil {
		ix.vec.similarities(s, qv)
		s.fold(ix.lx.entryStart, ix.vec.centScale, 1-lexicalShare)
	}
	s.rankTop()
}

// Search ranks the entries for query. It never fails: when embeddings are
// enabled but the query's vector cannot be had within the configured
// timeout, the search is lexical only (Result.Embedded is false).
func (ix *Index) Search(ctx context.Context, query string) Result {
	start := ix.emb.now()
	mode := "lexical"
	var qv []float32
	if ix.vec != nil {
		var err error
		if qv, err = ix.emb.query(ctx, query, ix.vec.dim); err != nil {
			mode = "fallback"
			ix.log.Warn("faq: query embedding failed, searching lexically", "err", err)
		} else {
			mode = "fused"
		}
	}
	s := ix.pool.get()
	defer ix.pool.put(s)
	ix.rank(s, query, qv)
	res := Result{Confidence: confidence(ix.signals(s)), Embedded: qv != nil, Short: contentUnits(query) < MinContent,
		Matches: make([]Match, len(s.top))}
	for i, r := range s.top {
		e := ix.entries[r.entry]
		res.Matches[i] = Match{ID: e.ID, Answer: e.AnswerFor(query), Score: float64(r.score)}
	}
	if ix.metered {
		ix.searches.With(mode).Inc()
		ix.latency.With().Observe(ix.emb.now().Sub(start).Seconds())
	}
	return res
}

// Result is the outcome of one search.
type Result struct {
	// Matches are the best entries, best first (at most MaxMatches); empty
	// when the query shares nothing with the knowledge base.
	Matches []Match
	// Confidence in [0,1] is the estimated probability that the best match
	// is the right answer: a fitted model of what a right best match looks
	// like (its score, its lead over the runner-up, how much of the query it
	// covers, …) whatever the knowledge base's size, so thresholds on it
	// transfer.
	Confidence float64
	// Embedded is set when embedding similarity took part.
	Embedded bool
	// Short is set when the query has fewer than MinContent content units
	// (Latin words and CJK characters): such a query ("data", "hi", "嗯")
	// is never answered directly, whatever its confidence.
	Short bool
}

// Match is one ranked entry.
type Match struct {
	ID string
	// Answer is the entry's answer in the language of the query (see
	// Entry.AnswerFor).
	Answer string
	// Score is the entry's similarity to the query (comparable only within
	// one Result).
	Score float64
}

// Best returns the top match, if any.
func (r Result) Best() (Match, bool) {
	if len(r.Matches) == 0 {
		return Match{}, false
	}
	return r.Matches[0], true
}

// Passages returns the answers of the n best matches, for a model prompt.
func (r Result) Passages(n int) []string {
	n = min(n, len(r.Matches))
	out := make([]string, n)
	for i := range n {
		out[i] = strings.TrimSpace(r.Matches[i].Answer)
	}
	return out
}

// Decide returns the tier for r under t: TierAnswer when the confidence
// reaches t.Answer, TierBusiness when it reaches t.Business, else
// TierGeneral. A result without matches is always TierGeneral, and a short
// one is never TierAnswer.
func (r Result) Decide(t Thresholds) core.Tier {
	return decide(len(r.Matches) > 0, r.Short, r.Confidence, t)
}
