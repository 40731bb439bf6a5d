package knowledge

import (
	"context"
	"strings"
	"testing"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/faq"
)

// gateEmbedder holds every Embed call until release is closed, then fails
// it, so that an index build stays in progress as long as a test needs.
type gateEmbedder struct {
	called  chan struct{}
	release chan struct{}
}

func (g *gateEmbedder) Embed(ctx context.Context, _ string, _ []string) ([][]float32, error) {
	select {
	case g.called <- struct{}{}:
	default:
	}
	select {
	case <-g.release:
	case <-ctx.Done():
	}
	return nil, context.Canceled
}

func TestOpenAnswersOnceTheBackgroundIndexIsBuilt(t *testing.T) {
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, shopKB)
	k, err := Open(context.Background(), cfg, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if m := k.Lookup(context.Background(), "How do I get a refund?"); m.EntryID != "refund" || m.Tier != core.TierAnswer {
		t.Fatalf("first lookup: %+v", m)
	}
	if got := k.Examples(catalog.EN, 1); len(got) != 1 {
		t.Fatalf("Examples = %q", got)
	}
}

func TestOpenRefusesAnInvalidKnowledgeBase(t *testing.T) {
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, "[[entry]]\nid = \"x\"\nanswer = \"\"\n")
	if _, err := Open(context.Background(), cfg, quiet()); err == nil {
		t.Fatal("opened an invalid knowledge base")
	}
}

func TestReloadDuringTheBackgroundBuildWins(t *testing.T) {
	gate := &gateEmbedder{called: make(chan struct{}, 1), release: make(chan struct{})}
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, shopKB)
	cfg.Embeddings.Model = "embed-model"
	k, err := Open(context.Background(), cfg, quiet(), faq.WithEmbedder(gate, nil))
	if err != nil {
		t.Fatal(err)
	}
	<-gate.called // the first build is now waiting for its vectors
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if m := k.Lookup(cancelled, "How do I get a refund?"); m.Tier != core.TierGeneral || m.EntryID != "" {
		t.Fatalf("lookup before any index, ctx ended: %+v", m)
	}
	newer := faq.DefaultConfig()
	newer.FAQFile = writeKB(t, shopKB[:strings.Index(shopKB, "[[entry]]\nid = \"password\"")]+"\n[[entry]]\nid = \"hours\"\nanswer = \"9 to 5.\"\nquestions = [\"When are you open?\"]\n")
	if err := k.Reload(context.Background(), newer); err != nil {
		t.Fatal(err)
	}
	close(gate.release)
	k.Close() // the first build ends here and must not replace the reloaded index
	if m := k.Lookup(context.Background(), "When are you open?"); m.EntryID != "hours" {
		t.Fatalf("after the first build finished: %+v, want the reloaded entry", m)
	}
	if k.file() != newer.FAQFile {
		t.Fatalf("file in use %q, want %q", k.file(), newer.FAQFile)
	}
}
