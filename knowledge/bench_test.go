package knowledge

import (
	"context"
	"testing"

	"imbot/core/faq"
)

// BenchmarkBuiltinIndex reads and indexes the built-in knowledge base, as
// every daemon without a faq_file does at start.
func BenchmarkBuiltinIndex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		kb, err := Read("")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := faq.Build(context.Background(), kb, faq.DefaultConfig()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuiltinRestore restores the built-in knowledge base's index from
// its snapshot, as a daemon without a faq_file or embeddings does at start.
func BenchmarkBuiltinRestore(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := restoreBuiltin(faq.DefaultConfig(), nil); !ok {
			b.Fatal("no snapshot restored")
		}
	}
}
