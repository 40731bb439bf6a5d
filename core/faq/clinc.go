package faq

import (
	"encoding/json"
	"fmt"
	"io"
)

// CLINC is the CLINC150 intent data set (data_full.json of clinc/oos-eval):
// 150 intents with train, validation and test utterances, and out-of-scope
// utterances for each split. It is used to measure the FAQ tier.
type CLINC struct {
	Train, Val, Test          []Labelled
	OOSTrain, OOSVal, OOSTest []Labelled
}

// Labelled is one CLINC150 utterance and its intent ("oos" when out of scope).
type Labelled struct {
	Text, Intent string
}

// UnmarshalJSON reads the [text, intent] pair form of the data set.
func (l *Labelled) UnmarshalJSON(b []byte) error {
	var pair []string
	if err := json.Unmarshal(b, &pair); err != nil {
		return err
	}
	if len(pair) != 2 {
		return fmt.Errorf("want [text, intent], got %d strings", len(pair))
	}
	l.Text, l.Intent = pair[0], pair[1]
	return nil
}

// ReadCLINC decodes data_full.json (at most MaxFileBytes).
func ReadCLINC(r io.Reader) (CLINC, error) {
	var raw struct {
		Train    []Labelled `json:"train"`
		Val      []Labelled `json:"val"`
		Test     []Labelled `json:"test"`
		OOSTrain []Labelled `json:"oos_train"`
		OOSVal   []Labelled `json:"oos_val"`
		OOSTest  []Labelled `json:"oos_test"`
	}
	if err := json.NewDecoder(io.LimitReader(r, MaxFileBytes)).Decode(&raw); err != nil {
		return CLINC{}, fmt.Errorf("faq: clinc: %w", err)
	}
	if len(raw.Train) == 0 || len(raw.Test) == 0 {
		return CLINC{}, fmt.Errorf("faq: clinc: no train or test utterances")
	}
	return CLINC(raw), nil
}

// KB builds a knowledge base with one entry per intent, in order of first
// appearance in train: its id and answer are the intent name, its questions
// the intent's first perIntent train utterances (all when perIntent ≤ 0).
func (c CLINC) KB(perIntent int) KB {
	pos := map[string]int{}
	var kb KB
	for _, l := range c.Train {
		i, ok := pos[l.Intent]
		if !ok {
			i = len(kb.Entries)
			pos[l.Intent] = i
			kb.Entries = append(kb.Entries, Entry{ID: l.Intent, Answer: l.Intent})
		}
		if e := &kb.Entries[i]; perIntent <= 0 || len(e.Questions) < perIntent {
			e.Questions = append(e.Questions, l.Text)
		}
	}
	return kb
}

// Samples turns splits into a labelled set; intent "oos" becomes Want "".
func Samples(splits ...[]Labelled) []Sample {
	var out []Sample
	for _, sp := range splits {
		for _, l := range sp {
			s := Sample{Q: l.Text, Want: l.Intent}
			if s.Want == "oos" {
				s.Want = ""
			}
			out = append(out, s)
		}
	}
	return out
}
