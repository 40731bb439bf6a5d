package faq

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// snapshotMagic starts every snapshot; its last byte is the format's version.
const snapshotMagic = "imbot-faq-index\x01"

// Snapshot encodes a lexical index with its knowledge base, so that Restore
// can put it back without tokenising anything: the entries, the terms with
// their document frequencies, the postings and each entry's centroid scale.
// What follows from these (idf, offsets, the documents' layout) is computed
// again on restore. Vectors are not kept: a snapshot is for an index built
// without embeddings.
func (ix *Index) Snapshot() []byte {
	lx := ix.lx
	b := []byte(snapshotMagic)
	b = binary.AppendUvarint(b, uint64(len(ix.entries)))
	for _, e := range ix.entries {
		b = appendStrings(b, e.ID, e.Answer, e.AnswerZH, e.AnswerEN)
		b = binary.AppendUvarint(b, uint64(len(e.Questions)))
		b = appendStrings(b, e.Questions...)
	}
	b = binary.AppendUvarint(b, uint64(len(lx.terms)))
	for t, h := range lx.terms {
		b = binary.LittleEndian.AppendUint64(b, h)
		b = append(b, lx.termFam[t])
		b = binary.AppendUvarint(b, uint64(lx.off[t+1]-lx.off[t]))
	}
	for t := range lx.terms {
		prev := int32(0)
		for _, p := range lx.post[lx.off[t]:lx.off[t+1]] {
			b = binary.AppendUvarint(b, uint64(p.doc-prev))
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(p.w))
			prev = p.doc
		}
	}
	for _, c := range lx.centScale {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(c))
	}
	return b
}

// Restore returns the index a Snapshot encoded, the same as Build made from
// its knowledge base without embeddings, configured by cfg and opts as
// Build would be (embeddings, if cfg enables them, are not fetched).
func Restore(data []byte, cfg Config, opts ...Option) (*Index, error) {
	r := reader{b: data}
	if string(r.bytes(len(snapshotMagic))) != snapshotMagic {
		return nil, errors.New("faq: not an index snapshot of this version")
	}
	kb := KB{Entries: make([]Entry, r.count())}
	for i := range kb.Entries {
		e := &kb.Entries[i]
		e.ID, e.Answer, e.AnswerZH, e.AnswerEN = r.string(), r.string(), r.string(), r.string()
		e.Questions = make([]string, r.count())
		for q := range e.Questions {
			e.Questions[q] = r.string()
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("faq: snapshot: %w", r.err)
	}
	if err := kb.Validate(); err != nil {
		return nil, fmt.Errorf("faq: snapshot: %w", err)
	}
	_, docEntry, questions := documents(kb)
	lx := newLexicon(docEntry, len(kb.Entries), questions)
	r.terms(lx)
	r.postings(lx)
	lx.centScale = make([]float32, len(kb.Entries))
	for e := range lx.centScale {
		lx.centScale[e] = r.float32()
	}
	if r.err == nil && r.left() > 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return nil, fmt.Errorf("faq: snapshot: %w", r.err)
	}
	return newIndex(kb, lx, cfg, opts), nil
}

// appendStrings appends each of ss with its length before it.
func appendStrings(b []byte, ss ...string) []byte {
	for _, s := range ss {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// reader decodes a snapshot from b[pos:]; after the first error every read
// returns zero values and err keeps that error.
type reader struct {
	b   []byte
	pos int
	err error
}

// fail records err unless an error was recorded before.
func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.pos = len(r.b)
}

// left is the number of bytes not read yet.
func (r *reader) left() int { return len(r.b) - r.pos }

// bytes returns the next n bytes.
func (r *reader) bytes(n int) []byte {
	if n < 0 || n > r.left() {
		r.fail(errors.New("truncated"))
		return nil
	}
	r.pos += n
	return r.b[r.pos-n : r.pos]
}

// uvarint returns the next unsigned varint.
func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		r.fail(errors.New("bad number"))
		return 0
	}
	r.pos += n
	return v
}

// count returns the next varint as a length, refusing one that cannot fit
// in what is left (every counted item takes at least a byte).
func (r *reader) count() int {
	v := r.uvarint()
	if v > uint64(r.left()) {
		r.fail(errors.New("bad length"))
		return 0
	}
	return int(v)
}

func (r *reader) string() string { return string(r.bytes(r.count())) }

func (r *reader) float32() float32 {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return math.Float32frombits(binary.LittleEndian.Uint32(b))
}

// terms reads the terms, their families and document frequencies into lx.
func (r *reader) terms(lx *lexicon) {
	n := r.count()
	terms, fam, df := make([]uint64, n), make([]uint8, n), make([]int32, n)
	for t := range terms {
		b := r.bytes(9)
		if b == nil {
			return
		}
		terms[t], fam[t] = binary.LittleEndian.Uint64(b), b[8]
		if df[t] = int32(r.uvarint()); df[t] <= 0 || int(df[t]) > len(lx.docEntry) {
			r.fail(errors.New("bad document frequency"))
			return
		}
	}
	lx.setTerms(terms, df)
	copy(lx.termFam, fam)
}

// postings reads every term's postings into lx, whose terms are set.
func (r *reader) postings(lx *lexicon) {
	if r.err != nil {
		return
	}
	lx.post = make([]posting, lx.off[len(lx.off)-1])
	for t := range lx.terms {
		doc := int32(0)
		for i := lx.off[t]; i < lx.off[t+1]; i++ {
			doc += int32(r.uvarint())
			if doc < 0 || int(doc) >= len(lx.docEntry) {
				r.fail(errors.New("bad document"))
				return
			}
			lx.post[i] = posting{doc: doc, w: r.float32()}
		}
	}
}
