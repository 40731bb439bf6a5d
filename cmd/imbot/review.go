package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"imbot/admin"
	"imbot/core"
	"imbot/core/review"
	"imbot/knowledge"
)

// runReview is `imbot review [-config FILE] [-since T] [-format jsonl|csv]`:
// the unanswered, 👎 and low-confidence questions, grouped by the nearest
// knowledge-base entry, most frequent first.
func runReview(args []string, stdout, stderr io.Writer) error {
	c := newCommand("review", stderr)
	sinceFlag := c.String("since", "", "only questions since this time: RFC 3339, a date (2006-01-02) or a duration back from now (168h)")
	format := c.String("format", "jsonl", "output format: jsonl or csv")
	cfg, err := c.loadReadOnly(args)
	if err != nil {
		return err
	}
	since, err := admin.ParseSince(*sinceFlag, time.Now())
	if err != nil {
		return err
	}
	if *format != "jsonl" && *format != "csv" {
		return fmt.Errorf("review: format: want jsonl or csv, got %q", *format)
	}
	ctx := context.Background()
	call, _ := admin.Unanswered(since, "jsonl")
	var lines bytes.Buffer
	if err := callStore(ctx, cfg, call, &lines); err != nil {
		return err
	}
	kb, err := knowledge.Load(ctx, cfg.Router.Config, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("review: %w", err)
	}
	items, err := reviewItems(ctx, &lines, kb)
	if err != nil {
		return err
	}
	return review.Write(stdout, review.Groups(items), *format)
}

// reviewItems decodes the queue's JSON lines; a question whose record names
// no candidate entry is matched against the knowledge base.
func reviewItems(ctx context.Context, r io.Reader, kb core.Knowledge) ([]review.Item, error) {
	var out []review.Item
	dec := json.NewDecoder(r)
	for {
		var l admin.UnansweredLine
		err := dec.Decode(&l)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("review: read the queue: %w", err)
		}
		it := review.Item{Question: l.Question, Reason: l.Reason, At: l.At}
		if len(l.Candidates) > 0 {
			it.Entry = l.Candidates[0].ID
		} else if m := kb.Lookup(ctx, l.Question); m.Tier != core.TierGeneral {
			it.Entry = m.EntryID
		}
		out = append(out, it)
	}
}
