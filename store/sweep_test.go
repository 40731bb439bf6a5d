package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"imbot/core"
	"imbot/store/record"
)

// count returns the number of keys in a top-level bucket.
func count(t *testing.T, s *Store, name string) int {
	t.Helper()
	var n int
	err := s.db.View(func(tx *bolt.Tx) error {
		n = bucket(tx, name).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fill runs fn in one write transaction, for bulk test setup.
func fill(t *testing.T, s *Store, fn func(tx *bolt.Tx) error) {
	t.Helper()
	if err := s.db.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// testConv is the key of the test conversation named chat.
func testConv(chat string) core.ConversationKey {
	return core.ConversationKey{Platform: "test", Chat: core.ChatID(chat)}
}

// seedConversation appends n messages to conv at time at.
func seedConversation(tx *bolt.Tx, conv string, n int, at time.Time) error {
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = record.EncodeMessage(core.Message{Role: core.RoleUser, Text: fmt.Sprint("m", i), At: at}, "u")
	}
	return appendMessages(tx, []byte(conv), at, recs)
}

func TestSweepDedupMarks(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig(t)
	s := openTest(t, cfg, WithClock(clock.Now))
	ctx := context.Background()
	now := clock.Now()
	const marks = 2*sweepChunk + 500
	fill(t, s, func(tx *bolt.Tx) error {
		b := bucket(tx, bucketDedup)
		for i := range marks {
			exp := now.Add(time.Hour) // every third mark is live
			if i%3 != 0 {
				exp = now.Add(-time.Second)
			}
			if err := b.Put(fmt.Appendf(nil, "telegram\x00m:c\x00%05d", i), record.EncodeExpiry(exp)); err != nil {
				return err
			}
		}
		return b.Put([]byte("telegram\x00e:corrupt"), []byte{0xff})
	})
	st, err := s.Sweep(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	wantLive := (marks + 2) / 3
	if want := (SweepStats{DedupMarks: marks - wantLive + 1}); st != want {
		t.Errorf("Sweep = %+v, want %+v", st, want)
	}
	if got := count(t, s, bucketDedup); got != wantLive {
		t.Errorf("%d marks left, want %d", got, wantLive)
	}
	pagesWritten := func() int64 { st := s.db.Stats(); return st.TxStats.GetWrite() }
	writes := pagesWritten()
	if st, _ := s.Sweep(ctx, now); st != (SweepStats{}) {
		t.Errorf("second Sweep = %+v, want nothing removed", st)
	}
	if w := pagesWritten() - writes; w != 0 {
		t.Errorf("a sweep that removed nothing wrote %d pages, want 0", w)
	}
}

func TestSweepTrimsConversations(t *testing.T) {
	cfg := testConfig(t)
	cfg.MaxMessages = 10
	s := openTest(t, cfg)
	ctx := context.Background()
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	// More conversations than one transaction examines, and more trimming
	// than one transaction's budget.
	const (
		quiet = sweepChunk + 100 // one message each
		over  = 300              // one message over the limit each
	)
	fill(t, s, func(tx *bolt.Tx) error {
		if err := seedConversation(tx, testConv("big").String(), 3*sweepChunk+7, now); err != nil {
			return err
		}
		if err := seedConversation(tx, testConv("small").String(), 4, now); err != nil {
			return err
		}
		for i := range quiet {
			if err := seedConversation(tx, testConv(fmt.Sprintf("quiet-%05d", i)).String(), 1, now); err != nil {
				return err
			}
		}
		for i := range over {
			if err := seedConversation(tx, testConv(fmt.Sprintf("over-%05d", i)).String(), cfg.MaxMessages+1, now); err != nil {
				return err
			}
		}
		return nil
	})
	st, err := s.Sweep(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (SweepStats{Messages: 3*sweepChunk + 7 - cfg.MaxMessages + over}); st != want {
		t.Errorf("Sweep = %+v, want %+v", st, want)
	}
	tests := []struct {
		conv      string
		wantFirst string
		wantN     int
	}{
		{"big", fmt.Sprint("m", 3*sweepChunk+7-10), 10},
		{"small", "m0", 4},
		{"over-00000", "m1", 10},
		{fmt.Sprintf("over-%05d", over-1), "m1", 10},
		{fmt.Sprintf("quiet-%05d", quiet-1), "m0", 1},
	}
	for _, tt := range tests {
		got, err := s.Recent(ctx, testConv(tt.conv), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != tt.wantN || got[0].Text != tt.wantFirst {
			t.Errorf("%s: %d messages from %q, want %d from %q", tt.conv, len(got), got[0].Text, tt.wantN, tt.wantFirst)
		}
	}
	// The meta count follows the trim: a new turn appends after it and
	// a second sweep trims exactly the excess.
	if err := s.Complete(ctx, turnFor(envelope("c", 1), now)); err != nil {
		t.Fatal(err)
	}
	fill(t, s, func(tx *bolt.Tx) error { return seedConversation(tx, testConv("big").String(), 2, now) })
	if st, _ := s.Sweep(ctx, now); st != (SweepStats{Messages: 2}) {
		t.Errorf("second Sweep = %+v, want 2 messages trimmed", st)
	}
}

func TestSweepRetention(t *testing.T) {
	cfg := testConfig(t)
	cfg.Retention = 30 * 24 * time.Hour
	s := openTest(t, cfg)
	ctx := context.Background()
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	old, fresh := now.Add(-cfg.Retention-time.Minute), now.Add(-cfg.Retention+time.Minute)
	fill(t, s, func(tx *bolt.Tx) error {
		for conv, at := range map[string]time.Time{"idle": old, "active": fresh} {
			if err := seedConversation(tx, testConv(conv).String(), 2, at); err != nil {
				return err
			}
		}
		return nil
	})
	for _, u := range []Unanswered{{Question: "old", At: old}, {Question: "fresh", At: fresh}} {
		if err := s.AddUnanswered(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	for _, day := range []string{"2026-02-11", "2026-02-12", "2026-02-13", "2026-03-14"} {
		if err := s.AddUsage(ctx, "telegram:42", day, 10); err != nil {
			t.Fatal(err)
		}
	}
	for i, at := range []time.Time{old, fresh} {
		turn := turnFor(envelope("turns", 100+i), at)
		mustAccept(t, s, turn.Envelope)
		if err := s.Complete(ctx, turn); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Sweep(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	// The cutoff is 2026-02-12T12:00Z: days before 2026-02-12 go.
	if want := (SweepStats{Conversations: 1, Unanswered: 1, Usage: 1, Turns: 1}); st != want {
		t.Errorf("Sweep = %+v, want %+v", st, want)
	}
	if got, _ := s.Recent(ctx, testConv("idle"), 10); len(got) != 0 {
		t.Errorf("idle conversation kept %d messages", len(got))
	}
	if got, _ := s.Recent(ctx, testConv("active"), 10); len(got) != 2 {
		t.Errorf("active conversation has %d messages, want 2", len(got))
	}
	if q, _ := s.Unanswered(ctx, time.Time{}); len(q) != 1 || q[0].Question != "fresh" {
		t.Errorf("Unanswered after sweep = %+v", q)
	}
	if recs, _ := s.TurnRecords(ctx, time.Time{}); len(recs) != 1 || !recs[0].At.After(old) {
		t.Errorf("turn records after sweep = %+v, want the fresh one", recs)
	}
	for day, want := range map[string]int{"2026-02-11": 0, "2026-02-12": 10, "2026-03-14": 10} {
		if got, _ := s.Usage(ctx, "telegram:42", day); got != want {
			t.Errorf("Usage on %s = %d, want %d", day, got, want)
		}
	}
}

func TestSweepKeepsForeverWithoutRetention(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	ancient := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	fill(t, s, func(tx *bolt.Tx) error { return seedConversation(tx, testConv("ancient").String(), 2, ancient) })
	if err := s.AddUnanswered(ctx, Unanswered{Question: "q", At: ancient}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddUsage(ctx, "k", "2001-01-01", 1); err != nil {
		t.Fatal(err)
	}
	if st, err := s.Sweep(ctx, time.Now()); st != (SweepStats{}) || err != nil {
		t.Errorf("Sweep with retention 0 = %+v, %v; want nothing removed", st, err)
	}
}

func TestSweepStopsOnCanceledContext(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Sweep(ctx, time.Now()); err == nil {
		t.Error("Sweep with a canceled ctx succeeded")
	}
}

// msgHandler is a slog.Handler that sends every record's message to a channel.
type msgHandler chan string

func (h msgHandler) Enabled(context.Context, slog.Level) bool      { return true }
func (h msgHandler) Handle(_ context.Context, r slog.Record) error { h <- r.Message; return nil }
func (h msgHandler) WithAttrs([]slog.Attr) slog.Handler            { return h }
func (h msgHandler) WithGroup(string) slog.Handler                 { return h }

func TestRunSweeper(t *testing.T) {
	clock := newFakeClock()
	logs := make(msgHandler, 16)
	s := openTest(t, testConfig(t), WithClock(clock.Now), WithLogger(slog.New(logs)))
	fill(t, s, func(tx *bolt.Tx) error {
		return bucket(tx, bucketDedup).Put([]byte("k"), record.EncodeExpiry(clock.Now().Add(-time.Second)))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.RunSweeper(ctx, time.Hour)
	}()
	select {
	case msg := <-logs:
		if msg != "store swept" {
			t.Fatalf("first log = %q, want the sweep's", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("RunSweeper did not sweep at start")
	}
	if n := count(t, s, bucketDedup); n != 0 {
		t.Errorf("%d dedup marks left after the first sweep, want 0", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("RunSweeper did not return after ctx ended")
	}
}

// TestUnansweredKeyOrder checks that keys sort by time across the sign
// boundary and by insertion within one instant.
func TestUnansweredKeyOrder(t *testing.T) {
	keys := [][]byte{
		unansweredKey(-5, 9), unansweredKey(-1, 1), unansweredKey(0, 0), unansweredKey(0, 1), unansweredKey(7, 0),
	}
	for i := 1; i < len(keys); i++ {
		if string(keys[i-1]) >= string(keys[i]) {
			t.Errorf("key %d (%x) does not sort before key %d (%x)", i-1, keys[i-1], i, keys[i])
		}
	}
	if got := binary.BigEndian.Uint64(unansweredKey(0, 3)[8:]); got != 3 {
		t.Errorf("sequence part = %d, want 3", got)
	}
}

func TestSweepRemovesStaleEmbeddings(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig(t)
	s := openTest(t, cfg, WithClock(clock.Now))
	ctx := context.Background()
	for _, key := range []string{"faq:m:kb", "faq:m:query", "faq:m:reused"} {
		if err := s.PutVector(ctx, key, []float32{1, 0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { // written by a release without last-use times
		return bucket(tx, bucketVector).Put([]byte("faq:m:old"), []byte{record.V1, 1, 0, 0, 0x80, 0x3f})
	}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * 24 * time.Hour)
	if _, ok, err := s.Vector(ctx, "faq:m:reused"); !ok || err != nil {
		t.Fatalf("Vector = %v, %v", ok, err)
	}
	clock.Advance(25 * 24 * time.Hour) // 35 days after the puts, 25 after the reuse
	s.KeepVectors(func(key string) bool { return key == "faq:m:kb" })
	st, err := s.Sweep(ctx, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st.Vectors != 2 {
		t.Fatalf("swept %d vectors, want 2 (the unused query and the record without a time)", st.Vectors)
	}
	for key, want := range map[string]bool{"faq:m:kb": true, "faq:m:reused": true, "faq:m:query": false, "faq:m:old": false} {
		if _, ok, err := s.Vector(ctx, key); ok != want || err != nil {
			t.Errorf("after the sweep %s present = %v (%v), want %v", key, ok, err, want)
		}
	}
}
