package knowledge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"imbot/core"
	"imbot/core/faq"
)

// memShared is an in-memory Shared; announcements are counted.
type memShared struct {
	mu        sync.Mutex
	entries   []faq.Entry
	announced int
}

func (m *memShared) AddFAQEntry(_ context.Context, e faq.Entry) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if slices.ContainsFunc(m.entries, func(have faq.Entry) bool { return have.ID == e.ID }) {
		return fmt.Errorf("%w: %q", faq.ErrDuplicateID, e.ID)
	}
	m.entries = append(m.entries, e)
	return nil
}

func (m *memShared) FAQEntries(context.Context) ([]faq.Entry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.entries), nil
}

func (m *memShared) AnnounceKnowledge(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.announced++
	return nil
}

func TestSharedFAQAddReachesTheOtherReplica(t *testing.T) {
	ctx := context.Background()
	shared := &memShared{}
	cfg := faq.DefaultConfig()
	cfg.FAQFile = writeKB(t, shopKB)
	replicas := make([]*Base, 2)
	for i := range replicas {
		k, err := Load(ctx, cfg, quiet())
		if err != nil {
			t.Fatal(err)
		}
		if err := k.Share(ctx, shared); err != nil {
			t.Fatal(err)
		}
		replicas[i] = k
	}
	cmd := Command(func() []string { return []string{"telegram:42"} }, replicas[0], &fixedHistory{})
	add := func(args string) string {
		out, err := cmd.Run(ctx, core.CommandRequest{Envelope: core.Envelope{Platform: "telegram", UserID: "42", ChatID: "c"}, Args: args})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := add("add mars We ship to Mars on Tuesdays.\n? Do you ship to Mars?"); !strings.Contains(out, `Added "mars"`) {
		t.Fatalf("add: %q", out)
	}
	if out := add("add refund dup\n? refund?"); !strings.Contains(out, "Not added") {
		t.Fatalf("an id the file has: %q", out)
	}
	if shared.announced != 1 {
		t.Fatalf("%d announcements, want 1", shared.announced)
	}
	if kb, err := faq.Load(cfg.FAQFile); err != nil || len(kb.Entries) != 3 {
		t.Fatalf("the file changed: %d entries, %v", len(kb.Entries), err)
	}
	if err := replicas[1].Refresh(ctx); err != nil { // what the announcement makes it do
		t.Fatal(err)
	}
	for i, k := range replicas {
		if m := k.Lookup(ctx, "Do you ship to Mars?"); m.EntryID != "mars" {
			t.Fatalf("replica %d: the added entry is not found: %+v", i, m)
		}
	}
}
