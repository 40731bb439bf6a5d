package knowledge

import (
	"context"
	"fmt"
	"slices"

	"imbot/core/faq"
)

// Shared is where replicas keep the entries added with /faq add, so that
// replicas on different machines answer from the same knowledge base, and
// how they tell each other about a change (the PostgreSQL store's
// Cluster). Safe for concurrent use.
type Shared interface {
	// AddFAQEntry keeps e; faq.ErrDuplicateID when an added entry has its
	// id.
	AddFAQEntry(ctx context.Context, e faq.Entry) error
	// FAQEntries returns the entries added, oldest first.
	FAQEntries(ctx context.Context) ([]faq.Entry, error)
	// AnnounceKnowledge tells every other replica to reload.
	AnnounceKnowledge(ctx context.Context) error
}

// Share makes k merge the entries kept in s into every knowledge base it
// loads, /faq add keep new entries there (not in the file), and both /faq
// add and Announce tell the other replicas. It rebuilds the index at once;
// call it before k is in use.
func (k *Base) Share(ctx context.Context, s Shared) error {
	k.shared = s
	return k.rebuild(ctx)
}

// Refresh reloads the knowledge base with the settings in use, after
// another replica changed it.
func (k *Base) Refresh(ctx context.Context) error { return k.rebuild(ctx) }

// Announce tells the other replicas, when the knowledge base is shared,
// that it changed here; they reload theirs.
func (k *Base) Announce(ctx context.Context) error {
	if k.shared == nil {
		return nil
	}
	return k.shared.AnnounceKnowledge(ctx)
}

// withShared returns kb with the shared entries after its own; an entry
// whose id kb already has is skipped (the file wins).
func (k *Base) withShared(ctx context.Context, kb faq.KB) (faq.KB, error) {
	if k.shared == nil {
		return kb, nil
	}
	added, err := k.shared.FAQEntries(ctx)
	if err != nil {
		return kb, fmt.Errorf("knowledge base: shared entries: %w", err)
	}
	kb.Entries = slices.Clone(kb.Entries)
	for _, e := range added {
		if !slices.ContainsFunc(kb.Entries, func(have faq.Entry) bool { return have.ID == e.ID }) {
			kb.Entries = append(kb.Entries, e)
		}
	}
	return kb, nil
}

// addEntry keeps e: in the shared store when there is one (after checking
// it against the knowledge base in use), else appended to path.
func (k *Base) addEntry(ctx context.Context, path string, e faq.Entry) error {
	if k.shared == nil {
		return faq.AppendEntry(path, e)
	}
	kb := faq.KB{Entries: append(slices.Clone(k.state().kb.Entries), e)}
	if err := kb.Validate(); err != nil {
		return err
	}
	return k.shared.AddFAQEntry(ctx, e)
}
