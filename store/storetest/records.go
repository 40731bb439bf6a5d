package storetest

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storage"
)

func testCursors(t *testing.T, h *harness) {
	if v, err := h.s.Cursor(h.ctx, "telegram.offset"); v != "" || err != nil {
		t.Fatalf("Cursor before SetCursor = %q, %v", v, err)
	}
	for _, v := range []string{"815", "816", ""} {
		must(t, "SetCursor", h.s.SetCursor(h.ctx, "telegram.offset", v))
		if got, err := h.s.Cursor(h.ctx, "telegram.offset"); got != v || err != nil {
			t.Errorf("Cursor = %q, %v; want %q", got, err, v)
		}
	}
}

func testUnansweredQueue(t *testing.T, h *harness) {
	base := h.clock.Now()
	conv := Envelope("c1", 0).Conversation()
	long := strings.Repeat("问", storage.MaxQuestionLen) // 3 bytes a rune
	many := make([]core.Candidate, storage.MaxCandidates+5)
	for i := range many {
		many[i] = core.Candidate{ID: "e" + string(rune('a'+i%26)), Score: float64(i) / 100}
	}
	qs := []core.UnansweredQuestion{
		{Question: "second", At: base.Add(time.Minute), Platform: "telegram", Conversation: conv, Reason: core.ReasonDegraded, User: "u-c1"},
		{Question: "first", At: base, Platform: "telegram", Reason: core.ReasonLowConfidence,
			Candidates: []core.Candidate{{ID: "returns", Score: 0.58}, {ID: "x", Score: math.Inf(-1)}}},
		{Question: "also second", At: base.Add(time.Minute), Platform: "feishu"},
		{Question: long, Candidates: many}, // At zero: now
	}
	for _, q := range qs {
		must(t, "AddUnanswered", h.s.AddUnanswered(h.ctx, q))
	}
	got, err := h.s.Unanswered(h.ctx, time.Time{})
	must(t, "Unanswered", err)
	var order []string
	for _, q := range got {
		order = append(order, q.Question[:min(len(q.Question), 11)])
	}
	if len(order) != 4 || order[0] != "first" || order[2] != "second" || order[3] != "also second" {
		t.Fatalf("Unanswered order = %q, want first, the long one, second, also second (time, then insertion)", order)
	}
	if q := got[1]; len(q.Question) > storage.MaxQuestionLen || !strings.HasPrefix(long, q.Question) ||
		len(q.Candidates) != storage.MaxCandidates || !q.At.Equal(base) {
		t.Errorf("long question kept %d bytes, %d candidates, at %v; want cut to %d, %d, now",
			len(q.Question), len(q.Candidates), q.At, storage.MaxQuestionLen, storage.MaxCandidates)
	}
	if q := got[0]; len(q.Candidates) != 2 || !math.IsInf(q.Candidates[1].Score, -1) || q.Reason != core.ReasonLowConfidence {
		t.Errorf("candidates = %+v", q.Candidates)
	}
	if q := got[2]; q.Conversation != conv || q.User != "u-c1" || q.Platform != "telegram" {
		t.Errorf("second = %+v", q)
	}
	since, err := h.s.Unanswered(h.ctx, base.Add(time.Minute))
	must(t, "Unanswered since", err)
	if len(since) != 2 || since[0].Question != "second" {
		t.Errorf("Unanswered(since a minute) = %+v, want the two later ones", since)
	}
}

func testUsageCounters(t *testing.T, h *harness) {
	const day = "2026-03-14"
	if n, err := h.s.Usage(h.ctx, "telegram:u1", day); n != 0 || err != nil {
		t.Fatalf("Usage before AddUsage = %d, %v", n, err)
	}
	for _, n := range []int{10, 0, 32} {
		must(t, "AddUsage", h.s.AddUsage(h.ctx, "telegram:u1", day, n))
	}
	must(t, "AddUsage other day", h.s.AddUsage(h.ctx, "telegram:u1", "2026-03-15", 7))
	if n, _ := h.s.Usage(h.ctx, "telegram:u1", day); n != 42 {
		t.Errorf("Usage = %d, want 42", n)
	}
	must(t, "AddUsage huge", h.s.AddUsage(h.ctx, "big", day, math.MaxInt))
	must(t, "AddUsage huge again", h.s.AddUsage(h.ctx, "big", day, math.MaxInt))
	if n, _ := h.s.Usage(h.ctx, "big", day); n != math.MaxInt {
		t.Errorf("saturated Usage = %d, want %d", n, math.MaxInt)
	}
	for _, bad := range []struct {
		key, day string
		n        int
	}{{"k", "14.3.2026", 1}, {"", day, 1}, {"k", day, -1}} {
		if err := h.s.AddUsage(h.ctx, bad.key, bad.day, bad.n); err == nil {
			t.Errorf("AddUsage(%q, %q, %d) succeeded", bad.key, bad.day, bad.n)
		}
	}
}

func testConversationStates(t *testing.T, h *harness) {
	conv := Envelope("c1", 0).Conversation()
	if _, ok, err := h.s.State(h.ctx, conv); ok || err != nil {
		t.Fatalf("State before SetState = %v, %v", ok, err)
	}
	st := core.ConversationState{Owner: "orders", Name: "awaiting_order_id", Expires: h.clock.Now().Add(-time.Minute)}
	must(t, "SetState", h.s.SetState(h.ctx, conv, st))
	got, ok, err := h.s.State(h.ctx, conv)
	if !ok || err != nil || got.Owner != st.Owner || got.Name != st.Name || !got.Expires.Equal(st.Expires) {
		t.Errorf("State = %+v, %v, %v; want %+v even when expired", got, ok, err, st)
	}
	if had, err := h.s.ClearState(h.ctx, conv); !had || err != nil {
		t.Errorf("ClearState = %v, %v; want true", had, err)
	}
	if had, _ := h.s.ClearState(h.ctx, conv); had {
		t.Error("second ClearState = true")
	}
}

func testTurnRecordsAndVotes(t *testing.T, h *harness) {
	start := h.clock.Now()
	first := h.complete(t, Envelope("c1", 1))
	h.clock.Advance(time.Hour)
	env := Envelope("c1", 2)
	h.accept(t, env)
	turn := TurnFor(env, h.clock.Now())
	turn.Arm, turn.Reply.Text = "b", strings.Repeat("答", storage.MaxRecordText)
	must(t, "Complete", h.s.Complete(h.ctx, turn))
	recs, err := h.s.TurnRecords(h.ctx, start)
	must(t, "TurnRecords", err)
	if len(recs) != 2 || recs[0].Turn != first.Envelope.MessageID || recs[1].Arm != "b" ||
		len(recs[1].Answer) > storage.MaxRecordText || recs[1].Model != "qwen3:8b" || recs[1].ReplyTokens != 5 {
		t.Fatalf("TurnRecords = %+v", recs)
	}
	if later, _ := h.s.TurnRecords(h.ctx, turn.Reply.At); len(later) != 1 {
		t.Errorf("TurnRecords(since the second reply) = %d records, want 1 (at or after)", len(later))
	}
	if later, _ := h.s.TurnRecords(h.ctx, turn.Reply.At.Add(time.Nanosecond)); len(later) != 0 {
		t.Errorf("TurnRecords(a nanosecond after the last) = %d records, want 0", len(later))
	}
	fb := core.Feedback{Conversation: env.Conversation(), Turn: env.MessageID, User: env.UserID, Vote: core.VoteDown, At: h.clock.Now()}
	rec, ok, err := h.s.Vote(h.ctx, fb)
	if !ok || err != nil || rec.Vote != core.VoteDown || !rec.VotedAt.Equal(fb.At) || rec.Turn != env.MessageID {
		t.Errorf("Vote = %+v, %v, %v", rec, ok, err)
	}
	recs, _ = h.s.TurnRecords(h.ctx, start)
	if recs[1].Vote != core.VoteDown || recs[0].Vote != core.VoteNone {
		t.Errorf("votes after Vote = %v, %v", recs[0].Vote, recs[1].Vote)
	}
	fb.Turn = "unknown"
	if _, ok, err := h.s.Vote(h.ctx, fb); ok || err != nil {
		t.Errorf("Vote on an unknown turn = %v, %v; want false, nil", ok, err)
	}
	fb.Turn = ""
	if _, _, err := h.s.Vote(h.ctx, fb); err == nil {
		t.Error("Vote without a turn succeeded")
	}
}

func testChatList(t *testing.T, h *harness) {
	t0 := h.clock.Now()
	list := func() []string {
		sums, err := h.s.ChatSummaries(h.ctx, "web", "u1")
		must(t, "ChatSummaries", err)
		var out []string
		for _, s := range sums {
			out = append(out, string(s.Chat)+"="+s.Title)
		}
		return out
	}
	must(t, "TouchChat", h.s.TouchChat(h.ctx, "web", "u1", "s1", "first", t0))
	must(t, "TouchChat", h.s.TouchChat(h.ctx, "web", "u1", "s2", "second", t0.Add(time.Minute)))
	must(t, "TouchChat other user", h.s.TouchChat(h.ctx, "web", "u2", "s9", "theirs", t0))
	if got := list(); !slices.Equal(got, []string{"s2=second", "s1=first"}) {
		t.Errorf("list = %v, want most recent first", got)
	}
	must(t, "TouchChat again", h.s.TouchChat(h.ctx, "web", "u1", "s1", "ignored", t0.Add(2*time.Minute)))
	must(t, "TouchChat older", h.s.TouchChat(h.ctx, "web", "u1", "s2", "ignored", t0))
	if got := list(); !slices.Equal(got, []string{"s1=first", "s2=second"}) {
		t.Errorf("list after touches = %v; a touch keeps the title and moves the time forward only", got)
	}
	must(t, "RenameChat", h.s.RenameChat(h.ctx, "web", "u1", "s2", "renamed"))
	must(t, "RenameChat new", h.s.RenameChat(h.ctx, "web", "u1", "s3", "new"))
	must(t, "DeleteChat", h.s.DeleteChat(h.ctx, "web", "u1", "s1"))
	sums, _ := h.s.ChatSummaries(h.ctx, "web", "u1")
	if len(sums) != 2 || sums[0].Title != "renamed" || sums[1].Chat != "s3" || !sums[1].Created.Equal(t0) {
		t.Errorf("list = %+v", sums)
	}
	if err := h.s.RenameChat(h.ctx, "web", "u1", "s2", strings.Repeat("x", storage.MaxTitleLen+1)); err == nil {
		t.Error("an overlong title was stored")
	}
	if err := h.s.TouchChat(h.ctx, "web", "", "s2", "t", t0); err == nil {
		t.Error("TouchChat without a user succeeded")
	}
}

func testVectors(t *testing.T, h *harness) {
	if _, ok, err := h.s.Vector(h.ctx, "faq:m:1"); ok || err != nil {
		t.Fatalf("Vector miss = %v, %v", ok, err)
	}
	v := []float32{1, -2.5, float32(math.Inf(1))}
	must(t, "PutVector", h.s.PutVector(h.ctx, "faq:m:1", v))
	if got, ok, err := h.s.Vector(h.ctx, "faq:m:1"); !ok || err != nil || !slices.Equal(got, v) {
		t.Errorf("Vector = %v, %v, %v; want %v", got, ok, err, v)
	}
	for _, bad := range [][]float32{nil, make([]float32, storage.MaxVectorLen+1)} {
		if err := h.s.PutVector(h.ctx, "faq:m:2", bad); err == nil {
			t.Errorf("PutVector of dimension %d succeeded", len(bad))
		}
	}
}
