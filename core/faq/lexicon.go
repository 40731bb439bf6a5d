package faq

import (
	"math"
	"slices"
)

// unseenBoost scales the idf a query term gets when no document has it,
// relative to a term in one document: words the knowledge base never uses
// are strong evidence that it does not cover the query.
const unseenBoost = 1.5

// famWeights is the share of each feature family in a similarity: the
// similarity of two texts is Σ famWeights[f]·cos_f, with Σ famWeights = 1.
func famWeights() [famCount]float32 {
	return [famCount]float32{famWord: 0.6, famChar: 0.4}
}

// lexicon is the lexical index: integer term ids, compact postings of
// (document, weight), the document → entry map and the norm of each entry's
// centroid. It is immutable once built and safe for concurrent readers.
type lexicon struct {
	terms    []uint64  // sorted feature hashes; a term's id is its position
	termFam  []uint8   // family of each term
	idf      []float32 // inverse document frequency of each term
	unseen   float32   // idf given to a query term absent from the index
	off      []int32   // postings of term t are [off[t], off[t+1])
	post     []posting // postings of every term, term after term
	docEntry []int32   // entry of each document
	// entryStart: the documents of entry e are [entryStart[e], entryStart[e+1]).
	entryStart []int32
	// questionEnd: the example questions of entry e are [entryStart[e], questionEnd[e]);
	// its answers follow.
	questionEnd []int32
	// centScale turns the sum of an entry's document similarities into the
	// cosine with the entry's centroid: 1/(n_e·|c_e|).
	centScale []float32
	weight    [famCount]float32
	conceptW  float32 // term-frequency factor of concept features
}

// posting is one document containing a term, with the term's weight in it.
type posting struct {
	doc int32
	w   float32
}

// docTerms is the distinct features of one text with their weights.
type docTerms struct {
	hash []uint64
	fam  []uint8
	w    []float32
}

// reset fills dt with the distinct features of fs, each weighted by its
// sublinear term frequency 1+ln(count), damped for function characters and
// scaled by conceptW for concepts. It reorders fs.
func (dt *docTerms) reset(fs []feature, conceptW float32) {
	slices.SortFunc(fs, func(a, b feature) int {
		switch {
		case a.hash < b.hash:
			return -1
		case a.hash > b.hash:
			return 1
		}
		return 0
	})
	dt.hash, dt.fam, dt.w = dt.hash[:0], dt.fam[:0], dt.w[:0]
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && fs[j].hash == fs[i].hash {
			j++
		}
		dt.hash = append(dt.hash, fs[i].hash)
		dt.fam = append(dt.fam, fs[i].fam)
		w := 1 + float32(math.Log(float64(j-i)))
		switch {
		case fs[i].stop:
			w *= stopWeight
		case fs[i].concept:
			w *= conceptW
		}
		dt.w = append(dt.w, w)
		i = j
	}
}

// buildLexicon indexes docs; docEntry[i] is the entry of docs[i]. Entries
// number from 0 to nEntries-1, each has at least one document, and the
// documents of one entry are contiguous, in entry order. questions lists
// the documents that are example questions; each entry's come before its
// answers.
func buildLexicon(docs []string, docEntry []int32, nEntries int, questions []int32) *lexicon {
	lx := newLexicon(docEntry, nEntries, questions)
	var tk tokenizer
	all := make([]docTerms, len(docs))
	counts := make(map[uint64]int32, 1<<14)
	for i, d := range docs {
		all[i].reset(tk.features(d), lx.conceptW)
		for _, h := range all[i].hash {
			counts[h]++
		}
	}
	terms := make([]uint64, 0, len(counts))
	for h := range counts {
		terms = append(terms, h)
	}
	slices.Sort(terms)
	df := make([]int32, len(terms))
	for t, h := range terms {
		df[t] = counts[h]
	}
	lx.setTerms(terms, df)
	ids := make([][]int32, len(docs))
	for d := range all {
		ids[d] = lx.weigh(&all[d])
	}
	lx.fillPostings(all, ids)
	lx.centroids(all, ids)
	return lx
}

// newLexicon returns a lexicon without terms, with what follows from the
// documents' layout alone (see buildLexicon for the arguments).
func newLexicon(docEntry []int32, nEntries int, questions []int32) *lexicon {
	cw := conceptWeight(float64(len(questions)) / float64(nEntries))
	lx := &lexicon{docEntry: docEntry, weight: famWeights(), conceptW: cw}
	lx.unseen = unseenBoost * float32(math.Log(float64(len(docEntry))+1)+1)
	lx.entryStart = make([]int32, nEntries+1)
	for _, e := range docEntry {
		lx.entryStart[e+1]++
	}
	for e := range nEntries {
		lx.entryStart[e+1] += lx.entryStart[e]
	}
	lx.questionEnd = make([]int32, nEntries)
	for _, d := range questions {
		lx.questionEnd[docEntry[d]] = d + 1
	}
	return lx
}

// setTerms sets the sorted feature hashes of the index and the number of
// documents each is in (df), and from them each term's idf and the offsets
// of its postings.
func (lx *lexicon) setTerms(terms []uint64, df []int32) {
	n := float64(len(lx.docEntry))
	lx.terms = terms
	lx.idf = make([]float32, len(terms))
	lx.termFam = make([]uint8, len(terms))
	lx.off = make([]int32, len(terms)+1)
	for t, c := range df {
		lx.idf[t] = float32(math.Log((n+1)/(float64(c)+1)) + 1)
		lx.off[t+1] = lx.off[t] + c
	}
}

// weigh turns dt's term frequencies into normalised, family-weighted TF-IDF
// weights and returns the term ids of its features.
func (lx *lexicon) weigh(dt *docTerms) []int32 {
	ids := make([]int32, len(dt.hash))
	var norm [famCount]float32
	for j, h := range dt.hash {
		t, _ := slices.BinarySearch(lx.terms, h)
		ids[j] = int32(t)
		lx.termFam[t] = dt.fam[j]
		dt.w[j] *= lx.idf[t]
		norm[dt.fam[j]] += dt.w[j] * dt.w[j]
	}
	scale := lx.famScale(norm)
	for j := range dt.w {
		dt.w[j] *= scale[dt.fam[j]]
	}
	return ids
}

// fillPostings writes every document's weights into the postings.
func (lx *lexicon) fillPostings(all []docTerms, ids [][]int32) {
	total := lx.off[len(lx.off)-1]
	lx.post = make([]posting, total)
	next := slices.Clone(lx.off[:len(lx.off)-1])
	for d, dt := range all {
		for j, t := range ids[d] {
			lx.post[next[t]] = posting{doc: int32(d), w: dt.w[j]}
			next[t]++
		}
	}
}

// centroids computes centScale: each entry's document count and the norm of
// the sum of its documents' vectors.
func (lx *lexicon) centroids(all []docTerms, ids [][]int32) {
	nEntries := len(lx.entryStart) - 1
	sum := make([]float32, len(lx.terms))
	var used []int32
	lx.centScale = make([]float32, nEntries)
	for e := range nEntries {
		for d := lx.entryStart[e]; d < lx.entryStart[e+1]; d++ {
			for j, t := range ids[d] {
				if sum[t] == 0 {
					used = append(used, t)
				}
				sum[t] += all[d].w[j]
			}
		}
		var sq float64
		for _, t := range used {
			sq += float64(sum[t]) * float64(sum[t])
			sum[t] = 0
		}
		used = used[:0]
		if sq > 0 {
			lx.centScale[e] = float32(1 / math.Sqrt(sq))
		}
	}
}

// famScale turns per-family squared norms into the factors that normalise
// each family and apply its weight; an empty family gets 0.
func (lx *lexicon) famScale(norm [famCount]float32) [famCount]float32 {
	var s [famCount]float32
	for f, n := range norm {
		if n > 0 {
			s[f] = float32(math.Sqrt(float64(lx.weight[f]) / float64(n)))
		}
	}
	return s
}

// similarities adds to s.sims the cosine of the query to every document. Query terms absent from the index
// still count in the query's norm, so unknown words lower the similarity. It leaves the query's indexed
// terms, their weights and per-family scales, weight sums and word count in s (see scratch).
func (lx *lexicon) similarities(s *scratch, query string) {
	s.query.reset(s.tk.features(query), lx.conceptW)
	var norm [famCount]float32
	s.qTerm, s.qW = s.qTerm[:0], s.qW[:0]
	s.qSum, s.qWords = [famCount]float32{}, 0
	for j, h := range s.query.hash {
		t, ok := slices.BinarySearch(lx.terms, h)
		idf := lx.unseen
		if ok {
			idf = lx.idf[t]
		}
		f := s.query.fam[j]
		w := s.query.w[j] * idf
		norm[f] += w * w
		s.qSum[f] += w
		if f == famWord {
			s.qWords++
		}
		if ok {
			s.qTerm = append(s.qTerm, int32(t))
			s.qW = append(s.qW, w)
		}
	}
	scale := lx.famScale(norm)
	s.qScale = scale
	for j, t := range s.qTerm {
		w := s.qW[j] * scale[lx.termFam[t]]
		lo, hi := lx.off[t], lx.off[t+1]
		acc := s.sims
		for _, p := range lx.post[lo:hi] {
			acc[p.doc] += w * p.w
		}
	}
}
