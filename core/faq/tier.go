package faq

// Tier is where the router sends a query after an FAQ search.
type Tier uint8

// Tiers, from least to most sure.
const (
	// TierGeneral: the knowledge base does not cover the query; the general
	// provider chain answers it.
	TierGeneral Tier = iota
	// TierBusiness: the knowledge base covers it in part; the business chain
	// answers with the best passages in its system prompt.
	TierBusiness
	// TierAnswer: the best entry's answer is the reply, with no model call.
	TierAnswer
)

// String returns "general", "business" or "answer".
func (t Tier) String() string {
	switch t {
	case TierAnswer:
		return "answer"
	case TierBusiness:
		return "business"
	}
	return "general"
}

// Thresholds are confidence levels in [0,1] (see Result.Confidence).
type Thresholds struct {
	// Answer is the confidence at or above which the FAQ answers directly.
	Answer float64
	// Business is the confidence at or above which the query goes to the
	// business chain with knowledge passages.
	Business float64
}

// decide is the tier of a search that found matches (or not) with the given
// confidence.
func decide(matched bool, confidence float64, t Thresholds) Tier {
	switch {
	case !matched:
		return TierGeneral
	case confidence >= t.Answer:
		return TierAnswer
	case confidence >= t.Business:
		return TierBusiness
	}
	return TierGeneral
}
