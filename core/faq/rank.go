package faq

import "sync"

// Ranking constants. An entry's score blends the cosine with its centroid
// (what its examples share) and with its nearest example (a close paraphrase).
const (
	centroidShare = 0.7 // weight of the centroid cosine in an entry's score
	lexicalShare  = 0.5 // weight of the lexical score when embeddings are fused
	// MaxMatches is the most entries a Result lists.
	MaxMatches = 10
)

// scratch is the per-search working memory, pooled so that a search does not
// allocate in the steady state. One scratch serves one search at a time.
type scratch struct {
	tk     tokenizer
	query  docTerms
	qTerm  []int32           // the query's terms found in the index
	qW     []float32         // their TF-IDF weights, before normalisation
	qScale [famCount]float32 // per family: the factor that normalises qW
	qSum   [famCount]float32 // per family: sum of the weights of all query terms, unseen ones included
	qWords int               // the query's distinct word-family terms, unseen ones included
	sims   []float32         // per document: similarity to the query of one source
	score  []float32         // per entry: fused score
	top    []ranked          // best entries, best first
}

// ranked is an entry and its fused score.
type ranked struct {
	entry int32
	score float32
}

// scratchPool hands out scratches sized for one index.
type scratchPool struct {
	p               sync.Pool
	nDocs, nEntries int
}

func (sp *scratchPool) get() *scratch {
	if s, ok := sp.p.Get().(*scratch); ok {
		return s
	}
	return &scratch{
		sims:  make([]float32, sp.nDocs),
		score: make([]float32, sp.nEntries),
		top:   make([]ranked, 0, MaxMatches),
	}
}

func (sp *scratchPool) put(s *scratch) { sp.p.Put(s) }

// fold adds w·(centroid cosine blended with best similarity) of every entry
// to s.score, from the document similarities in s.sims, which it clears. An
// entry's documents are s.sims[start[e]:start[e+1]], and centScale[e] turns
// their sum into the cosine with the entry's centroid.
func (s *scratch) fold(start []int32, centScale []float32, w float32) {
	for e := range s.score {
		sims := s.sims[start[e]:start[e+1]]
		var sum, best float32
		for _, x := range sims {
			sum += x
			best = max(best, x)
		}
		s.score[e] += w * (centroidShare*sum*centScale[e] + (1-centroidShare)*best)
		clear(sims)
	}
}

// rankTop keeps the MaxMatches best-scoring entries in s.top and clears the
// scores.
func (s *scratch) rankTop() {
	s.top = s.top[:0]
	for e, x := range s.score {
		s.score[e] = 0
		if x <= 0 || (len(s.top) == MaxMatches && x <= s.top[len(s.top)-1].score) {
			continue
		}
		if len(s.top) < MaxMatches {
			s.top = append(s.top, ranked{})
		}
		i := len(s.top) - 1
		for ; i > 0 && s.top[i-1].score < x; i-- {
			s.top[i] = s.top[i-1]
		}
		s.top[i] = ranked{entry: int32(e), score: x}
	}
}
