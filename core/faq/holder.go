package faq

import "sync/atomic"

// Holder holds the current Index so that a reload can replace it while
// searches run. Load and Swap may be called from any goroutine; a search
// keeps using the Index it loaded even if a Swap happens meanwhile. The zero
// value holds no index.
type Holder struct {
	p atomic.Pointer[Index]
}

// NewHolder returns a Holder holding ix.
func NewHolder(ix *Index) *Holder {
	h := &Holder{}
	h.p.Store(ix)
	return h
}

// Load returns the current index, or nil when none was stored.
func (h *Holder) Load() *Index { return h.p.Load() }

// Swap makes ix current and returns the previous index.
func (h *Holder) Swap(ix *Index) *Index { return h.p.Swap(ix) }
