package faq

import "imbot/core"

// Thresholds are confidence levels in [0,1] (see Result.Confidence).
type Thresholds struct {
	// Answer is the confidence at or above which the FAQ answers directly.
	Answer float64
	// Business is the confidence at or above which the query goes to the
	// business chain with knowledge passages.
	Business float64
}

// decide is the tier of a search that found matches (or not) with the given
// confidence; a short query is never answered directly.
func decide(matched, short bool, confidence float64, t Thresholds) core.Tier {
	switch {
	case !matched:
		return core.TierGeneral
	case confidence >= t.Answer && !short:
		return core.TierAnswer
	case confidence >= t.Business:
		return core.TierBusiness
	}
	return core.TierGeneral
}
