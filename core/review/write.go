package review

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Reasons, in the order reports list them.
var reasons = [...]string{"degraded", "low_confidence", "thumbs_down"}

// line is one group in JSON lines.
type line struct {
	Entry     string         `json:"entry"`
	Count     int            `json:"count"`
	Reasons   map[string]int `json:"reasons"`
	Last      time.Time      `json:"last"`
	Questions []Question     `json:"questions"`
}

// Write writes groups as JSON lines or CSV (a header row, then one row per
// group with its counts by reason, its most frequent question and all its
// questions joined by " | ").
func Write(w io.Writer, groups []Group, format string) error {
	switch format {
	case "jsonl":
		enc := json.NewEncoder(w)
		for _, g := range groups {
			if err := enc.Encode(line{Entry: g.Entry, Count: g.Count, Reasons: g.Reasons, Last: g.Last, Questions: g.Questions}); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write(append(append([]string{"entry", "count"}, reasons[:]...), "last", "top_question", "questions"))
		for _, g := range groups {
			row := []string{g.Entry, strconv.Itoa(g.Count)}
			for _, r := range reasons {
				row = append(row, strconv.Itoa(g.Reasons[r]))
			}
			texts := make([]string, len(g.Questions))
			for i, q := range g.Questions {
				texts[i] = fmt.Sprintf("%s (%d)", q.Text, q.Count)
			}
			_ = cw.Write(append(row, g.Last.UTC().Format(time.RFC3339), g.Questions[0].Text, strings.Join(texts, " | ")))
		}
		cw.Flush()
		return cw.Error()
	}
	return fmt.Errorf("review: unknown format %q: want jsonl or csv", format)
}
