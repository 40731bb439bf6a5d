package faq

import (
	"math"
	"sort"
)

// entryMatch describes how one entry's documents match the query whose
// terms are in a scratch (see lexicon.similarities).
type entryMatch struct {
	cover  [famCount]float32 // per family: share of the query's weight that some document has
	coverQ float32           // share of the query's word weight that some example question has
	maxIDF float32           // largest idf of a word-family query term found, over the index's largest
	best   float32           // lexical similarity of the nearest document
	cent   float32           // lexical cosine with the entry's centroid
}

// match scans the postings of the query's terms for entry e's documents. It
// uses s.sims[lo:hi] of e's documents as working memory and clears it.
func (lx *lexicon) match(s *scratch, e int32) entryMatch {
	var m entryMatch
	lo, hi := lx.entryStart[e], lx.entryStart[e+1]
	var found [famCount]float32
	var foundQ float32
	qEnd := lx.questionEnd[e]
	for j, t := range s.qTerm {
		f := lx.termFam[t]
		post := lx.post[lx.off[t]:lx.off[t+1]]
		k := sort.Search(len(post), func(i int) bool { return post[i].doc >= lo })
		if k == len(post) || post[k].doc >= hi {
			continue
		}
		if f == famWord && post[k].doc < qEnd {
			foundQ += s.qW[j]
		}
		w := s.qW[j] * s.qScale[f]
		for ; k < len(post) && post[k].doc < hi; k++ {
			s.sims[post[k].doc] += w * post[k].w
		}
		found[f] += s.qW[j]
		if f == famWord {
			m.maxIDF = max(m.maxIDF, lx.idf[t])
		}
	}
	for f := range found {
		if s.qSum[f] > 0 {
			m.cover[f] = found[f] / s.qSum[f]
		}
	}
	if s.qSum[famWord] > 0 {
		m.coverQ = foundQ / s.qSum[famWord]
	}
	m.maxIDF /= lx.maxIDF()
	var sum float32
	for d := lo; d < hi; d++ {
		sum += s.sims[d]
		m.best = max(m.best, s.sims[d])
		s.sims[d] = 0
	}
	m.cent = sum * lx.centScale[e]
	return m
}

// maxIDF is the idf a term in no document would have (before unseenBoost):
// a bound on every indexed term's idf.
func (lx *lexicon) maxIDF() float32 { return lx.unseen / unseenBoost }

// Signal indices: the features of a ranking that the confidence model
// weighs (see confidenceModel). Each is independent of the knowledge base's
// size and vocabulary, so one model serves every knowledge base.
const (
	sigBias      = iota // constant 1
	sigTop              // the best entry's score
	sigRatio            // runner-up's score over the best's
	sigCoverWord        // share of the query's word weight the best entry has
	sigCoverChar        // share of the query's character n-gram weight the best entry has
	sigCover2           // share of the query's word weight the runner-up has
	sigWords            // ln(1 + the query's distinct words)
	sigRare             // largest idf of a matched word, over the largest possible
	sigPerEntry         // ln(example questions per entry)
	sigNearest          // best entry: nearest document's similarity minus the centroid cosine
	sigTopK             // sigTop·sigPerEntry
	sigRatioK           // sigRatio·sigPerEntry
	sigCoverQ           // share of the query's word weight the best entry's example questions have
	sigCount
)

// signals are the features of one ranking.
type signals [sigCount]float64

// signals computes the features of the ranking left in s by rank.
func (ix *Index) signals(s *scratch) signals {
	var x signals
	x[sigBias] = 1
	x[sigPerEntry] = math.Log(ix.perEntry)
	x[sigWords] = math.Log1p(float64(s.qWords))
	if len(s.top) == 0 {
		return x
	}
	m := ix.lx.match(s, s.top[0].entry)
	x[sigTop] = float64(s.top[0].score)
	x[sigCoverWord] = float64(m.cover[famWord])
	x[sigCoverChar] = float64(m.cover[famChar])
	x[sigCoverQ] = float64(m.coverQ)
	x[sigRare] = float64(m.maxIDF)
	x[sigNearest] = float64(m.best - m.cent)
	if len(s.top) > 1 {
		x[sigRatio] = float64(s.top[1].score / s.top[0].score)
		x[sigCover2] = float64(ix.lx.match(s, s.top[1].entry).cover[famWord])
	}
	x[sigTopK] = x[sigTop] * x[sigPerEntry]
	x[sigRatioK] = x[sigRatio] * x[sigPerEntry]
	return x
}
