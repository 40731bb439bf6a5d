package faq

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"
)

// Embedder turns texts into embedding vectors, one per text, in order (an
// OpenAI-compatible /v1/embeddings client). It must be safe for concurrent
// use and honour ctx.
type Embedder interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// VectorCache stores embedding vectors by key. It must be safe for
// concurrent use. A cache error is logged and treated as a miss.
type VectorCache interface {
	Vector(ctx context.Context, key string) ([]float32, bool, error)
	PutVector(ctx context.Context, key string, v []float32) error
}

// VectorKey is the cache key of text's vector under model: the model name
// and the SHA-256 of the text, so a changed model or text never hits.
func VectorKey(model, text string) string {
	sum := sha256.Sum256([]byte(text))
	return "faq:" + model + ":" + hex.EncodeToString(sum[:])
}

// embedding fetches vectors through an Embedder and a VectorCache.
type embedding struct {
	emb   Embedder
	cache VectorCache
	cfg   EmbeddingsConfig
	now   func() time.Time
}

func (em embedding) enabled() bool { return em.emb != nil && em.cfg.Model != "" }

// query returns the normalised vector of one query, of dimension dim,
// within cfg.Timeout.
func (em embedding) query(ctx context.Context, text string, dim int) ([]float32, error) {
	ctx, cancel := context.WithTimeout(ctx, em.cfg.Timeout)
	defer cancel()
	vs, err := em.vectors(ctx, []string{text})
	if err != nil {
		return nil, err
	}
	if len(vs[0]) != dim {
		return nil, fmt.Errorf("faq: embed: query vector has dimension %d, index has %d", len(vs[0]), dim)
	}
	return vs[0], nil
}

// vectors returns the normalised vectors of texts, from the cache where it
// has them and from the embedder in batches otherwise; new vectors are put
// into the cache. All vectors have the same, non-zero dimension.
func (em embedding) vectors(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	var missing []int
	for i, t := range texts {
		if v, ok := em.cached(ctx, t); ok {
			out[i] = v
		} else {
			missing = append(missing, i)
		}
	}
	batch := max(em.cfg.BatchSize, 1)
	for lo := 0; lo < len(missing); lo += batch {
		idx := missing[lo:min(lo+batch, len(missing))]
		if err := em.fetch(ctx, texts, idx, out); err != nil {
			return nil, err
		}
	}
	return out, checkDims(out)
}

// cached looks text up in the cache; errors and malformed vectors are misses.
func (em embedding) cached(ctx context.Context, text string) ([]float32, bool) {
	if em.cache == nil {
		return nil, false
	}
	v, ok, err := em.cache.Vector(ctx, VectorKey(em.cfg.Model, text))
	if err != nil || !ok || normalise(v) != nil {
		return nil, false
	}
	return v, true
}

// fetch embeds texts[idx] into out[idx] and caches the results.
func (em embedding) fetch(ctx context.Context, texts []string, idx []int, out [][]float32) error {
	in := make([]string, len(idx))
	for j, i := range idx {
		in[j] = texts[i]
	}
	vs, err := em.emb.Embed(ctx, em.cfg.Model, in)
	if err != nil {
		return fmt.Errorf("faq: embed: %w", err)
	}
	if len(vs) != len(in) {
		return fmt.Errorf("faq: embed: %d vectors for %d texts", len(vs), len(in))
	}
	for j, i := range idx {
		v := vs[j]
		if err := normalise(v); err != nil {
			return fmt.Errorf("faq: embed: text %d: %w", i, err)
		}
		out[i] = v
		if em.cache != nil {
			// A failed put only costs a later re-embed.
			_ = em.cache.PutVector(ctx, VectorKey(em.cfg.Model, texts[i]), v)
		}
	}
	return nil
}

// normalise scales v to unit length in place; it fails on an empty, zero or
// non-finite vector.
func normalise(v []float32) error {
	var sq float64
	for _, x := range v {
		sq += float64(x) * float64(x)
	}
	if len(v) == 0 || sq == 0 || math.IsNaN(sq) || math.IsInf(sq, 0) {
		return errors.New("empty, zero or non-finite vector")
	}
	inv := float32(1 / math.Sqrt(sq))
	for i := range v {
		v[i] *= inv
	}
	return nil
}

func checkDims(vs [][]float32) error {
	for i, v := range vs {
		if len(v) != len(vs[0]) {
			return fmt.Errorf("faq: embed: vector %d has dimension %d, want %d", i, len(v), len(vs[0]))
		}
	}
	return nil
}

// vectors holds the unit-length vector of every document, document-major.
type vectors struct {
	dim       int
	data      []float32
	centScale []float32 // per entry: 1/|sum of its documents' vectors|
}

// newVectors packs vs (one per document, same dimension) and computes each
// entry's centroid norm.
func newVectors(vs [][]float32, docEntry []int32, nEntries int) *vectors {
	dim := len(vs[0])
	v := &vectors{dim: dim, data: make([]float32, 0, dim*len(vs)), centScale: make([]float32, nEntries)}
	sums := make([]float64, dim*nEntries)
	for d, x := range vs {
		v.data = append(v.data, x...)
		s := sums[int(docEntry[d])*dim:][:dim]
		for i, f := range x {
			s[i] += float64(f)
		}
	}
	for e := range nEntries {
		var sq float64
		for _, f := range sums[e*dim:][:dim] {
			sq += f * f
		}
		if sq > 0 {
			v.centScale[e] = float32(1 / math.Sqrt(sq))
		}
	}
	return v
}

// similarities sets s.sims to the cosine of q with every document
// (negative cosines count as none).
func (v *vectors) similarities(s *scratch, q []float32) {
	for d := range s.sims {
		var dot float32
		for i, x := range v.data[d*v.dim:][:v.dim] {
			dot += x * q[i]
		}
		s.sims[d] = max(dot, 0)
	}
}
