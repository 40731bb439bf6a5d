package store

import (
	"context"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"imbot/core"
	"imbot/store/storage"
	"imbot/store/storetest"
)

func TestCursors(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	if v, err := s.Cursor(ctx, "telegram"); v != "" || err != nil {
		t.Fatalf("Cursor before any SetCursor = %q, %v; want empty", v, err)
	}
	for _, v := range []string{"100", "101", ""} {
		if err := s.SetCursor(ctx, "telegram", v); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Cursor(ctx, "telegram"); got != v || err != nil {
			t.Fatalf("Cursor = %q, %v; want %q", got, err, v)
		}
	}
	bad := []struct{ name, value string }{
		{"", "1"},
		{strings.Repeat("n", storage.MaxKeyLen+1), "1"},
		{"telegram", strings.Repeat("9", storage.MaxCursorLen+1)},
	}
	for _, b := range bad {
		if err := s.SetCursor(ctx, b.name, b.value); err == nil {
			t.Errorf("SetCursor(%d-byte name, %d-byte value) succeeded", len(b.name), len(b.value))
		}
	}
}

func TestUsage(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := s.AddUsage(ctx, "telegram:42", "2026-03-14", 50); err != nil {
				t.Errorf("AddUsage: %v", err)
			}
		})
	}
	wg.Wait()
	tests := []struct {
		key, day string
		want     int
	}{
		{"telegram:42", "2026-03-14", 1000},
		{"telegram:42", "2026-03-15", 0},
		{"telegram:4", "2026-03-14", 0},
	}
	for _, tt := range tests {
		if got, err := s.Usage(ctx, tt.key, tt.day); got != tt.want || err != nil {
			t.Errorf("Usage(%q, %q) = %d, %v; want %d", tt.key, tt.day, got, err, tt.want)
		}
	}
	if err := s.AddUsage(ctx, "big", "2026-03-14", math.MaxInt); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(ctx, "big", "2026-03-14", math.MaxInt); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Usage(ctx, "big", "2026-03-14"); got != math.MaxInt {
		t.Errorf("saturated usage = %d, want %d", got, math.MaxInt)
	}
	for _, bad := range []struct {
		key, day string
		tokens   int
	}{{"k", "2026-3-14", 1}, {"k", "14.03.2026", 1}, {"", "2026-03-14", 1}, {"k", "2026-03-14", -1}} {
		if err := s.AddUsage(ctx, bad.key, bad.day, bad.tokens); err == nil {
			t.Errorf("AddUsage(%q, %q, %d) succeeded", bad.key, bad.day, bad.tokens)
		}
	}
}

func TestVectors(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	if v, ok, err := s.Vector(ctx, "missing"); v != nil || ok || err != nil {
		t.Fatalf("Vector(missing) = %v, %v, %v", v, ok, err)
	}
	want := []float32{0, -0.5, 1e-30, float32(math.Inf(1)), 3.14159}
	if err := s.PutVector(ctx, "bge-m3:营业时间", want); err != nil {
		t.Fatal(err)
	}
	got, ok, err := s.Vector(ctx, "bge-m3:营业时间")
	if !ok || err != nil || !slices.Equal(got, want) {
		t.Fatalf("Vector = %v, %v, %v; want %v", got, ok, err, want)
	}
	if err := s.PutVector(ctx, "empty", nil); err == nil {
		t.Error("PutVector of an empty vector succeeded")
	}
	if err := s.PutVector(ctx, "huge", make([]float32, storage.MaxVectorLen+1)); err == nil {
		t.Error("PutVector of an oversized vector succeeded")
	}
}

func TestUnansweredQueue(t *testing.T) {
	clock := storetest.NewClock()
	s := openTest(t, testConfig(t), WithClock(clock.Now))
	ctx := context.Background()
	t0 := clock.Now()
	entries := []Unanswered{
		{Question: "third", At: t0.Add(2 * time.Hour), Reason: "all providers failed"},
		{Question: "first", At: t0, Conversation: core.ConversationKey{Platform: "telegram", Chat: "c1"}, Platform: "telegram", Reason: "all providers failed",
			Candidates: []core.Candidate{{ID: "hours", Score: 0.61}, {ID: "prices", Score: 0.42}}},
		{Question: "second", At: t0.Add(time.Hour), Reason: "degraded"},
		{Question: "second, later insert", At: t0.Add(time.Hour), Reason: "degraded"},
	}
	for _, u := range entries {
		if err := s.AddUnanswered(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(3 * time.Hour)
	if err := s.AddUnanswered(ctx, Unanswered{Question: "now"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		since time.Time
		want  []string
	}{
		{time.Time{}, []string{"first", "second", "second, later insert", "third", "now"}},
		{t0.Add(time.Hour), []string{"second", "second, later insert", "third", "now"}},
		{t0.Add(time.Hour + 1), []string{"third", "now"}},
		{t0.Add(10 * time.Hour), nil},
	}
	for _, tt := range tests {
		got, err := s.Unanswered(ctx, tt.since)
		if err != nil {
			t.Fatal(err)
		}
		var questions []string
		for _, u := range got {
			questions = append(questions, u.Question)
		}
		if !slices.Equal(questions, tt.want) {
			t.Errorf("Unanswered(since %v) = %q, want %q", tt.since, questions, tt.want)
		}
	}
	got, _ := s.Unanswered(ctx, t0)
	first := got[0]
	if first.Conversation != (core.ConversationKey{Platform: "telegram", Chat: "c1"}) || first.Platform != "telegram" || !first.At.Equal(t0) ||
		!slices.Equal(first.Candidates, entries[1].Candidates) {
		t.Errorf("first entry = %+v, want %+v", first, entries[1])
	}
	if last := got[len(got)-1]; !last.At.Equal(clock.Now()) {
		t.Errorf("entry without At got %v, want the clock's %v", last.At, clock.Now())
	}
}

func TestUnansweredLimits(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	long := strings.Repeat("问", storage.MaxQuestionLen) // 3 bytes a rune
	u := Unanswered{Question: long, At: time.Now(), Candidates: make([]core.Candidate, storage.MaxCandidates+5)}
	if err := s.AddUnanswered(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.Unanswered(ctx, time.Time{})
	if err != nil || len(got) != 1 {
		t.Fatalf("Unanswered = %d entries, %v", len(got), err)
	}
	q := got[0].Question
	if len(q) > storage.MaxQuestionLen || !strings.HasPrefix(long, q) || len(q) < storage.MaxQuestionLen-3 || !utf8.ValidString(q) {
		t.Errorf("stored question is %d bytes (valid UTF-8: %v), want a rune-aligned prefix of at most %d",
			len(q), utf8.ValidString(q), storage.MaxQuestionLen)
	}
	if len(got[0].Candidates) != storage.MaxCandidates {
		t.Errorf("stored %d candidates, want %d", len(got[0].Candidates), storage.MaxCandidates)
	}
}
