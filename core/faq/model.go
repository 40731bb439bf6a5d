package faq

import "math"

// confidenceModel returns the coefficients of the logistic regression that
// turns a ranking's signals into the probability that its best entry is the
// right answer (see Result.Confidence), indexed like signals.
//
// They were fitted by TestConfidenceModel (go test -run ConfidenceModel -v
// ./core/faq/ refits them and prints this literal) on synthetic knowledge
// bases built from CLINC150's train split — 1, 3, 10 and 90 example
// questions per intent, with the intent's name or three other utterances as
// the answer — queried with train utterances that no knowledge base holds
// and the out-of-scope train utterances (weighted 10×); a query is labelled
// right when its best entry is its intent. Validation and test are not used,
// so thresholds can still be tuned and measured on them. Every signal is
// independent of the knowledge base's size and vocabulary, so the same model
// and the same threshold serve every knowledge base.
func confidenceModel() signals {
	return signals{
		sigBias:      -6.683,
		sigTop:       7.965,
		sigRatio:     -4.406,
		sigCoverWord: 3.173,
		sigCoverChar: 2.575,
		sigCover2:    -1.552,
		sigWords:     1.697,
		sigRare:      2.846,
		sigPerEntry:  -0.061,
		sigNearest:   -1.744,
		sigTopK:      1.080,
		sigRatioK:    -0.236,
		sigCoverQ:    -2.279,
	}
}

// confidence is the model's probability for the signals x.
func confidence(x signals) float64 { return logistic(dot(confidenceModel(), x)) }

// logistic is 1/(1+e^−z).
func logistic(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// dot is the inner product of two signal vectors.
func dot(a, b signals) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
