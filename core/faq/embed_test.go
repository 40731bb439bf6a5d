package faq

import (
	"context"
	"errors"
	"hash/fnv"
	"math"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEmbedder embeds a text as a bag of hashed words and records calls. It
// can fail, or block until its context ends.
type fakeEmbedder struct {
	mu    sync.Mutex
	calls int
	texts int
	fail  error
	hang  bool
}

func (f *fakeEmbedder) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	f.mu.Lock()
	f.calls++
	f.texts += len(texts)
	fail, hang := f.fail, f.hang
	f.mu.Unlock()
	if model != "test-embed" {
		return nil, errors.New("wrong model " + model)
	}
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if fail != nil {
		return nil, fail
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 64)
		for _, w := range strings.Fields(strings.ToLower(t)) {
			h := fnv.New32a()
			h.Write([]byte(w))
			v[h.Sum32()%64]++
		}
		v[63] += 0.01 // never a zero vector
		out[i] = v
	}
	return out, nil
}

func (f *fakeEmbedder) set(fail error, hang bool) {
	f.mu.Lock()
	f.fail, f.hang = fail, hang
	f.mu.Unlock()
}

// memCache is an in-memory VectorCache.
type memCache struct {
	mu sync.Mutex
	m  map[string][]float32
}

func (c *memCache) Vector(_ context.Context, key string) ([]float32, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return append([]float32(nil), v...), ok, nil
}

func (c *memCache) PutVector(_ context.Context, key string, v []float32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = append([]float32(nil), v...)
	return nil
}

func embedConfig() Config {
	c := DefaultConfig()
	c.Embeddings.Provider = "local"
	c.Embeddings.Model = "test-embed"
	c.Embeddings.Timeout = 50 * time.Millisecond
	c.Embeddings.BatchSize = 5
	return c
}

func TestEmbeddingsFusedAndCached(t *testing.T) {
	emb := &fakeEmbedder{}
	cache := &memCache{m: map[string][]float32{}}
	ix, err := Build(context.Background(), shopKB(), embedConfig(), WithEmbedder(emb, cache))
	if err != nil {
		t.Fatal(err)
	}
	if !ix.Embedded() {
		t.Fatal("index has no vectors")
	}
	docs := 6 * 7 // 6 questions and an answer per entry
	if emb.texts != docs || emb.calls != (docs+4)/5 {
		t.Fatalf("%d texts in %d calls, want %d in batches of 5", emb.texts, emb.calls, docs)
	}
	r := ix.Search(context.Background(), "How do I get a refund?")
	if best, _ := r.Best(); !r.Embedded || best.ID != "refund" {
		t.Fatalf("fused search: best %q embedded %v", best.ID, r.Embedded)
	}
	// A rebuild reads every vector from the cache.
	emb.set(errors.New("down"), false)
	ix2, err := Build(context.Background(), shopKB(), embedConfig(), WithEmbedder(emb, cache))
	if err != nil || !ix2.Embedded() {
		t.Fatalf("rebuild from cache: embedded %v, err %v", ix2 != nil && ix2.Embedded(), err)
	}
	if key := VectorKey("test-embed", "怎么申请退款"); !strings.HasPrefix(key, "faq:test-embed:") || key == VectorKey("other", "怎么申请退款") {
		t.Errorf("VectorKey %q does not separate models", key)
	}
}

func TestEmbeddingsFallBack(t *testing.T) {
	tests := []struct {
		name string
		fail error
		hang bool
	}{
		{name: "error", fail: errors.New("503 from embeddings")},
		{name: "slow", hang: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			emb := &fakeEmbedder{}
			ix, err := Build(context.Background(), shopKB(), embedConfig(), WithEmbedder(emb, nil))
			if err != nil {
				t.Fatal(err)
			}
			lexical := buildShop(t).Search(context.Background(), "怎么申请退款")
			emb.set(tc.fail, tc.hang)
			start := time.Now()
			r := ix.Search(context.Background(), "怎么申请退款")
			if el := time.Since(start); el > 5*time.Second {
				t.Fatalf("search took %v", el)
			}
			if r.Embedded {
				t.Fatal("result claims embeddings")
			}
			if best, _ := r.Best(); best.ID != "refund" || r.Confidence != lexical.Confidence {
				t.Fatalf("fallback: best %q confidence %v, lexical index gives %v", best.ID, r.Confidence, lexical.Confidence)
			}
		})
	}
}

func TestEmbeddingsUnavailableAtBuild(t *testing.T) {
	emb := &fakeEmbedder{fail: errors.New("connection refused")}
	ix, err := Build(context.Background(), shopKB(), embedConfig(), WithEmbedder(emb, nil))
	if err != nil {
		t.Fatal(err)
	}
	if ix.Embedded() {
		t.Fatal("index claims vectors")
	}
	if r := ix.Search(context.Background(), "怎么申请退款"); r.Embedded || len(r.Matches) == 0 {
		t.Fatalf("search on a lexical index: %+v", r)
	}
}

func TestNormaliseRejectsBadVectors(t *testing.T) {
	for _, v := range [][]float32{nil, {0, 0}, {float32(math.Inf(1)), 1}} {
		if normalise(v) == nil {
			t.Errorf("normalise(%v) accepted", v)
		}
	}
}

func TestUsesVectorNamesTheDocumentsVectorsOnly(t *testing.T) {
	cache := &memCache{m: map[string][]float32{}}
	ix, err := Build(context.Background(), shopKB(), embedConfig(), WithEmbedder(&fakeEmbedder{}, cache))
	if err != nil {
		t.Fatal(err)
	}
	ix.Search(context.Background(), "a question no document has") // caches the query's vector
	var docs, others int
	for key := range cache.m {
		if ix.UsesVector(key) {
			docs++
		} else {
			others++
		}
	}
	if docs != 6*7 || others != 1 {
		t.Fatalf("UsesVector: %d document vectors and %d others, want %d and 1", docs, others, 6*7)
	}
	lexical, err := Build(context.Background(), shopKB(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if lexical.UsesVector(VectorKey("test-embed", "How do I get a refund?")) {
		t.Fatal("a lexical index claims a vector")
	}
}
