package safety

import (
	"context"

	"imbot/core/safety/pii"
)

// Embedder turns texts into vectors (faq.Embedder's shape).
type Embedder interface {
	Embed(ctx context.Context, model string, texts []string) ([][]float32, error)
}

// maskingEmbedder masks personal data before its embedder sees the texts.
type maskingEmbedder struct {
	next   Embedder
	masker *pii.Masker
}

// MaskEmbeddings returns an embedder that replaces personal data in each
// text with a placeholder before next embeds it, for an embeddings provider
// marked third-party: a question's vector then never needs its values.
func MaskEmbeddings(next Embedder, masker *pii.Masker) Embedder {
	return maskingEmbedder{next: next, masker: masker}
}

// Embed implements Embedder. Texts are masked one by one, so a text's
// placeholders do not depend on the others in the batch.
func (e maskingEmbedder) Embed(ctx context.Context, model string, texts []string) ([][]float32, error) {
	masked := make([]string, len(texts))
	for i, t := range texts {
		out, _ := e.masker.Mask([]string{t})
		masked[i] = out[0]
	}
	return e.next.Embed(ctx, model, masked)
}
