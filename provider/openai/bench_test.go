package openai

import (
	"strings"
	"testing"

	"imbot/core/chain"
	"imbot/provider/openai/openaitest"
)

// benchmarkStream measures one Client.Stream round trip against the
// zero-latency fake answering with chunks pieces of text.
func benchmarkStream(b *testing.B, chunks int) {
	answer := make([]string, chunks)
	for i := range answer {
		answer[i] = "word "
	}
	srv := newFake(b, openaitest.WithDefault(openaitest.Answer(answer...)))
	c := newTestClient(b, testConfig("bench", srv))
	ctx := testContext(b)
	req := userRequest("what are your opening hours?")
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Stream(ctx, req, nil)
		if err != nil || len(res.Text) != 5*chunks {
			b.Fatalf("Stream = %q, %v", res.Text, err)
		}
	}
}

func BenchmarkClientStream1Chunk(b *testing.B)   { benchmarkStream(b, 1) }
func BenchmarkClientStream50Chunks(b *testing.B) { benchmarkStream(b, 50) }

// BenchmarkChainStreamParallel measures a chain under concurrent callers.
func BenchmarkChainStreamParallel(b *testing.B) {
	srv := newFake(b, openaitest.WithDefault(openaitest.Echo()))
	cfg := testConfig("bench", srv)
	m, err := chain.NewMember(newTestClient(b, cfg), cfg.Policy())
	if err != nil {
		b.Fatal(err)
	}
	ch, err := chain.New("general", []*chain.Member{m})
	if err != nil {
		b.Fatal(err)
	}
	ctx := testContext(b)
	req := userRequest(strings.Repeat("echo ", 20))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ch.Stream(ctx, req, nil); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
