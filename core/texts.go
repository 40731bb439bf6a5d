package core

import (
	"fmt"
	"slices"
	"strings"

	"imbot/core/catalog"
)

// setBoth sets each id's text of texts in both languages of cat, leaving
// the ids whose text is blank; the text is trimmed.
func setBoth(cat *catalog.Catalog, texts map[catalog.ID]string) error {
	ids := make([]catalog.ID, 0, len(texts))
	for id := range texts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		text := strings.TrimSpace(texts[id])
		if text == "" {
			continue
		}
		if err := cat.SetBoth(id, text); err != nil {
			return fmt.Errorf("core: %w", err)
		}
	}
	return nil
}
