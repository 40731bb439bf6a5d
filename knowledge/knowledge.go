// Package knowledge owns the FAQ tier as the running daemon sees it: the
// knowledge base file (or the built-in one) indexed with core/faq, swapped
// whole on reload so lookups never see half an index, and the /faq add
// command that appends an entry to the file and reloads it.
package knowledge

import (
	"context"
	_ "embed"
	"encoding/base64"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/faq"
)

// builtinFAQ is the knowledge base used when [router] faq_file is empty: how
// to set up and use imbot itself, in English and Chinese.
//
//go:embed faq.toml
var builtinFAQ []byte

// builtinIndex is the snapshot (faq.Index.Snapshot) of builtinFAQ's index
// as faq.Build makes it without embeddings, in base64: restoring it at start
// takes a fraction of the time building it does. go generate writes it; a
// test fails when it no longer matches faq.toml and the index code.
//
//go:generate go run ./internal/genindex faq.toml builtin_index.b64
//go:embed builtin_index.b64
var builtinIndex string

// Base is the FAQ tier as the router sees it. A reload builds a whole new
// index and swaps it in; lookups in flight finish on the old one. Its
// methods may be called from any goroutine.
type Base struct {
	current atomic.Pointer[knowledgeState]
	version atomic.Uint64 // bumped on every reload
	opts    []faq.Option
	log     *slog.Logger
	shared  Shared // nil: /faq add writes the file; see Share
	// ready is closed once an index is in use; until then every method
	// waits for it (Open builds the first one in the background).
	ready     chan struct{}
	readyOnce sync.Once
	stop      context.CancelFunc // ends Open's build; nil after Load
	building  sync.WaitGroup
}

// knowledgeState is one loaded knowledge base with its settings.
type knowledgeState struct {
	index *faq.Index
	cfg   faq.Config
	kb    faq.KB
}

var (
	_ core.Knowledge          = (*Base)(nil)
	_ core.KnowledgeVersioner = (*Base)(nil)
)

// Version implements core.KnowledgeVersioner: it changes on every reload.
func (k *Base) Version() uint64 { return k.version.Load() }

// Load builds the index of the configured (or built-in) knowledge
// base. With an embedder among opts, building may call it under ctx.
func Load(ctx context.Context, cfg faq.Config, log *slog.Logger, opts ...faq.Option) (*Base, error) {
	k := newBase(log, opts)
	if err := k.Reload(ctx, cfg); err != nil {
		return nil, err
	}
	return k, nil
}

// Open reads and validates the configured (or built-in) knowledge base,
// failing as Load does on a bad file, and builds its index in the
// background: a daemon can listen and accept messages meanwhile, and only
// the first lookup waits for the index. With an embedder among opts,
// building may call it under ctx. Close ends the build and waits for it.
// The built-in knowledge base without embeddings is restored from its
// snapshot at once instead.
func Open(ctx context.Context, cfg faq.Config, log *slog.Logger, opts ...faq.Option) (*Base, error) {
	if p, ok := restoreBuiltin(cfg, opts); ok {
		k := newBase(log, opts)
		k.Install(p)
		return k, nil
	}
	start := time.Now()
	kb, err := Read(cfg.FAQFile)
	if err != nil {
		return nil, err
	}
	if err := kb.Validate(); err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	k := newBase(log, opts)
	ctx, k.stop = context.WithCancel(ctx)
	k.building.Go(func() {
		p, err := k.index(ctx, kb, cfg, start)
		if err != nil {
			// Validation is the only way Build fails, and kb passed it.
			panic(err)
		}
		k.installFirst(p)
	})
	return k, nil
}

// restoreBuiltin returns the built-in knowledge base's index restored from
// builtinIndex when cfg asks for the built-in knowledge base without
// embeddings (no embeddings model: Build would fetch no vectors).
func restoreBuiltin(cfg faq.Config, opts []faq.Option) (*Prepared, bool) {
	if cfg.FAQFile != "" || cfg.Embeddings.Model != "" {
		return nil, false
	}
	start := time.Now()
	data, err := base64.StdEncoding.DecodeString(builtinIndex)
	if err != nil {
		return nil, false
	}
	ix, err := faq.Restore(data, cfg, opts...)
	if err != nil {
		return nil, false // TestBuiltinIndexIsCurrent keeps this from happening
	}
	return &Prepared{st: &knowledgeState{index: ix, cfg: cfg, kb: ix.KB()}, latency: time.Since(start)}, true
}

// newBase returns a Base with no index yet.
func newBase(log *slog.Logger, opts []faq.Option) *Base {
	return &Base{opts: opts, log: log, ready: make(chan struct{})}
}

// Close ends a background build that Open started (its embeddings fetch)
// and waits for it; the index stays usable.
func (k *Base) Close() {
	if k.stop != nil {
		k.stop()
	}
	k.building.Wait()
}

// Reload rebuilds the index from cfg and swaps it in; on error the running
// index stays.
func (k *Base) Reload(ctx context.Context, cfg faq.Config) error {
	p, err := k.Prepare(ctx, cfg)
	if err != nil {
		return err
	}
	k.Install(p)
	return nil
}

// Prepared is a knowledge base read, validated and indexed, not yet in use.
type Prepared struct {
	st      *knowledgeState
	latency time.Duration
}

// Prepare reads and indexes the knowledge base cfg names without touching
// the one in use, so that a reload can check everything before it applies
// anything.
func (k *Base) Prepare(ctx context.Context, cfg faq.Config) (*Prepared, error) {
	start := time.Now()
	kb, err := Read(cfg.FAQFile)
	if err != nil {
		return nil, err
	}
	if kb, err = k.withShared(ctx, kb); err != nil {
		return nil, err
	}
	return k.index(ctx, kb, cfg, start)
}

// index builds the index of kb, read at start.
func (k *Base) index(ctx context.Context, kb faq.KB, cfg faq.Config, start time.Time) (*Prepared, error) {
	ix, err := faq.Build(ctx, kb, cfg, k.opts...)
	if err != nil {
		return nil, fmt.Errorf("knowledge base: %w", err)
	}
	return &Prepared{st: &knowledgeState{index: ix, cfg: cfg, kb: kb}, latency: time.Since(start)}, nil
}

// Install swaps p in; lookups in flight finish on the old index.
func (k *Base) Install(p *Prepared) {
	k.current.Store(p.st)
	k.installed(p)
}

// installFirst puts Open's index in use unless a reload installed a newer
// one while it was being built.
func (k *Base) installFirst(p *Prepared) {
	if k.current.CompareAndSwap(nil, p.st) {
		k.installed(p)
	}
}

// installed records that p is now in use.
func (k *Base) installed(p *Prepared) {
	k.version.Add(1)
	k.readyOnce.Do(func() { close(k.ready) })
	k.log.Info("knowledge base loaded", "file", displayFAQ(p.st.cfg.FAQFile), "entries", p.st.index.Len(),
		"embeddings", p.st.index.Embedded(), "latency_ms", p.latency.Milliseconds())
}

// state returns the knowledge base in use, waiting for the first index.
func (k *Base) state() *knowledgeState {
	<-k.ready
	return k.current.Load()
}

// Read reads the knowledge base file at path, or the built-in one for "".
func Read(path string) (faq.KB, error) {
	if path == "" {
		return faq.Parse(builtinFAQ)
	}
	return faq.Load(path)
}

// displayFAQ names a knowledge base file for logs.
func displayFAQ(path string) string {
	if path == "" {
		return "(built-in)"
	}
	return path
}

// rebuild reloads the knowledge base file in use with the settings in use,
// after the file changed.
func (k *Base) rebuild(ctx context.Context) error {
	return k.Reload(ctx, k.state().cfg)
}

// file returns the knowledge base file in use; "" for the built-in one.
func (k *Base) file() string { return k.state().cfg.FAQFile }

// UsesVector reports whether the cached embedding under key belongs to the
// knowledge base in use, which the store's sweep must keep however long
// ago it was last read.
func (k *Base) UsesVector(key string) bool { return k.state().index.UsesVector(key) }

// Lookup implements core.Knowledge. While the first index is still being
// built it waits for it, or answers TierGeneral when ctx ends first.
func (k *Base) Lookup(ctx context.Context, question string) core.KnowledgeMatch {
	select {
	case <-k.ready:
	case <-ctx.Done():
		return core.KnowledgeMatch{Tier: core.TierGeneral}
	}
	st := k.current.Load()
	res := st.index.Search(ctx, question)
	m := core.KnowledgeMatch{Confidence: res.Confidence, Tier: res.Decide(st.cfg.Thresholds()), Short: res.Short}
	if len(res.Matches) == 0 {
		return m
	}
	m.EntryID, m.Answer = res.Matches[0].ID, res.Matches[0].Answer
	m.Candidates = make([]core.Candidate, len(res.Matches))
	for i, c := range res.Matches {
		m.Candidates[i] = core.Candidate{ID: c.ID, Score: c.Score}
	}
	m.Passages = res.Passages(st.cfg.KnowledgePassages)
	return m
}

// Examples returns up to n example questions in lang, the first such
// question of each entry in file order, for a chat to suggest.
func (k *Base) Examples(lang catalog.Lang, n int) []string {
	var out []string
	for _, e := range k.state().kb.Entries {
		if len(out) >= n {
			break
		}
		for _, q := range e.Questions {
			if l, ok := catalog.Detect(q); ok && l == lang {
				out = append(out, q)
				break
			}
		}
	}
	return out
}
