// Package review gathers what the knowledge base's owner should look at —
// questions no tier answered well, answers users voted down, low-confidence
// FAQ matches — into groups by the nearest knowledge-base entry, most
// frequent first, with near-duplicate questions counted together.
package review

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Item is one question to review.
type Item struct {
	Question string
	// Reason is why it is here: "degraded", "low_confidence" or
	// "thumbs_down".
	Reason string
	At     time.Time
	// Entry is the nearest knowledge-base entry's id, "" when none matched.
	Entry string
}

// Question is one distinct question of a group and how often it came.
type Question struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
}

// Group is the items nearest one entry, or, without an entry, one cluster
// of near-duplicate questions.
type Group struct {
	Entry     string
	Count     int
	Reasons   map[string]int
	Questions []Question // most frequent first
	Last      time.Time
}

// similar is the least token overlap (Jaccard) of two near-duplicates.
const similar = 0.6

// Groups groups items by entry; items without one are clustered by
// near-duplicate text. Groups come most frequent first (then most recent);
// near-duplicate questions inside a group are counted as one.
func Groups(items []Item) []Group {
	var groups []*cluster
	byEntry := map[string]*cluster{}
	for _, it := range items {
		g := byEntry[it.Entry]
		if it.Entry == "" {
			g = nearest(groups, it.Question)
		}
		if g == nil {
			g = &cluster{Group: Group{Entry: it.Entry, Reasons: map[string]int{}}}
			groups = append(groups, g)
			if it.Entry != "" {
				byEntry[it.Entry] = g
			}
		}
		g.add(it)
	}
	out := make([]Group, len(groups))
	for i, g := range groups {
		out[i] = g.group()
	}
	slices.SortStableFunc(out, func(a, b Group) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return b.Last.Compare(a.Last)
	})
	return out
}

// cluster is a group being built, with each question's tokens.
type cluster struct {
	Group
	tokens [][]string
}

// add puts it in the cluster, counting it with a near-duplicate question
// already there.
func (c *cluster) add(it Item) {
	c.Count++
	c.Reasons[it.Reason]++
	if it.At.After(c.Last) {
		c.Last = it.At
	}
	toks := tokens(it.Question)
	for i, t := range c.tokens {
		if jaccard(t, toks) >= similar {
			c.Questions[i].Count++
			return
		}
	}
	c.tokens = append(c.tokens, toks)
	c.Questions = append(c.Questions, Question{Text: strings.TrimSpace(it.Question), Count: 1})
}

// group returns the finished group, its questions most frequent first.
func (c *cluster) group() Group {
	g := c.Group
	slices.SortStableFunc(g.Questions, func(a, b Question) int { return cmp.Compare(b.Count, a.Count) })
	return g
}

// nearest returns the entry-less cluster with a near-duplicate of q, or nil.
func nearest(groups []*cluster, q string) *cluster {
	toks := tokens(q)
	for _, g := range groups {
		if g.Entry != "" {
			continue
		}
		for _, t := range g.tokens {
			if jaccard(t, toks) >= similar {
				return g
			}
		}
	}
	return nil
}

// tokens are q's lower-cased words, and each Han character as a word of
// its own, without duplicates.
func tokens(q string) []string {
	var out []string
	var word strings.Builder
	flush := func() {
		if word.Len() > 0 {
			out = append(out, word.String())
			word.Reset()
		}
	}
	for _, r := range strings.ToLower(q) {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	slices.Sort(out)
	return slices.Compact(out)
}

// jaccard is |a∩b| / |a∪b| of two sorted token sets; 1 for two empty ones.
func jaccard(a, b []string) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	both, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch cmp.Compare(a[i], b[j]) {
		case 0:
			both++
			i++
			j++
		case -1:
			i++
		default:
			j++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}
