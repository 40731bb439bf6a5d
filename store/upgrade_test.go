package store

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"imbot/core"
)

// writeFixture regenerates testdata/v<schemaVersion>.db, the upgrade test's
// file for the current schema:
//
//	go test -run TestWriteFixture ./store/ -args -write-fixture
//
// Run it once when a schema version is introduced and commit the file; never
// regenerate an older version's file, since it stands for what that release
// wrote.
var writeFixture = flag.Bool("write-fixture", false, "write testdata/v<schema>.db from the current code")

// fixtureTime is the clock of the fixture's writer.
func fixtureTime() time.Time { return time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC) }

// fixture is what every fixture file holds, whatever its schema.
type fixture struct {
	turns      []core.Turn   // completed, one per conversation
	pending    core.Envelope // accepted, not completed
	cursor     [2]string     // name, value
	unanswered Unanswered    // one queued question
	usage      usageCount
	vector     []float32       // under key "faq:1"
	completed  []core.Envelope // accepted and completed: their marks stay

	// Since schema 2: the pending turn's kept answer and reply ids, and a
	// remembered bot message.
	kept   core.KeptAnswer
	ref    core.ReplyRef
	botMsg core.MessageID // in the pending turn's chat

	// Since schema 3: one web user's conversation in the chat list.
	chat core.ChatSummary

	// Since schema 6: a coalesced pending turn, its head's kept answer
	// holding the follow-up; and a conversation state.
	burst core.KeptAnswer
	state core.ConversationState

	// Also since schema 6: a turn record with a vote.
	voted core.Turn
}

// usageCount is one usage counter.
type usageCount struct {
	key, day string
	tokens   int
}

func newFixture() fixture {
	f := fixture{
		pending: envelope("chat-b", 3),
		cursor:  [2]string{"telegram", "1234567"},
		unanswered: Unanswered{Question: "how do I reset?", Conversation: core.ConversationKey{Platform: "telegram", Chat: "chat-a"}, Platform: "telegram",
			At: fixtureTime(), Reason: core.ReasonDegraded, Candidates: []core.Candidate{{ID: "faq-7", Score: 0.42}}},
		usage:  usageCount{key: "openai:gpt", day: "2026-12-06", tokens: 1500},
		vector: []float32{0.25, -1, 3.5},
		ref:    core.ReplyRef{Card: "card-7", Messages: []core.MessageID{"om_1", "om_2"}},
		botMsg: "bot-1",
		chat:   core.ChatSummary{Chat: "chat-a", Title: "first question", Created: fixtureTime(), Updated: fixtureTime()},
	}
	f.kept = core.KeptAnswer{Turn: turnFor(f.pending, fixtureTime()), Sent: true}
	head, next := envelope("chat-c", 4), envelope("chat-c", 5)
	f.burst = core.KeptAnswer{Turn: turnFor(head, fixtureTime())}
	f.burst.Turn.Followups = []core.Followup{{Envelope: next, User: turnFor(next, fixtureTime()).User}}
	f.voted = turnFor(envelope("chat-d", 6), fixtureTime())
	f.voted.Arm = "short-prompt"
	f.state = core.ConversationState{Owner: "orders", Name: "awaiting_order_id", Expires: fixtureTime().Add(time.Hour)}
	for i, chat := range []string{"chat-a", "chat-b"} {
		env := envelope(chat, i+1)
		f.completed = append(f.completed, env)
		f.turns = append(f.turns, turnFor(env, fixtureTime()))
	}
	return f
}

// write fills s with f through the public API.
func (f fixture) write(ctx context.Context, s *Store) error {
	for _, turn := range f.turns {
		if _, err := s.Accept(ctx, turn.Envelope); err != nil {
			return err
		}
		if err := s.Complete(ctx, turn); err != nil {
			return err
		}
	}
	return errors.Join(
		must(s.Accept(ctx, f.pending)),
		s.SetCursor(ctx, f.cursor[0], f.cursor[1]),
		s.AddUnanswered(ctx, f.unanswered),
		s.AddUsage(ctx, f.usage.key, f.usage.day, f.usage.tokens),
		s.PutVector(ctx, "faq:1", f.vector),
		f.writeV2(ctx, s),
		f.writeV3(ctx, s),
		f.writeV6(ctx, s),
		f.writeVotes(ctx, s),
	)
}

// writeV2 writes what schema 2 added.
func (f fixture) writeV2(ctx context.Context, s *Store) error {
	return errors.Join(
		s.SaveReplyRef(ctx, f.pending, f.ref),
		s.KeepAnswer(ctx, f.kept.Turn, f.kept.Sent),
		s.RememberBotMessages(ctx, f.pending.Platform, f.pending.ChatID, f.botMsg),
	)
}

// writeVotes writes the voted turn record schema 6 added.
func (f fixture) writeVotes(ctx context.Context, s *Store) error {
	if err := errors.Join(must(s.Accept(ctx, f.voted.Envelope)), s.Complete(ctx, f.voted)); err != nil {
		return err
	}
	_, _, err := s.Vote(ctx, core.Feedback{Conversation: f.voted.Envelope.Conversation(), Turn: f.voted.Envelope.MessageID,
		User: f.voted.Envelope.UserID, Vote: core.VoteUp, At: fixtureTime()})
	return err
}

// writeV6 writes what schema 6 added.
func (f fixture) writeV6(ctx context.Context, s *Store) error {
	return errors.Join(
		must(s.Accept(ctx, f.burst.Turn.Envelope)),
		must(s.Accept(ctx, f.burst.Turn.Followups[0].Envelope)),
		s.KeepAnswer(ctx, f.burst.Turn, f.burst.Sent),
		s.SetState(ctx, f.pending.Conversation(), f.state),
	)
}

// writeV3 writes what schema 3 added.
func (f fixture) writeV3(ctx context.Context, s *Store) error {
	return s.TouchChat(ctx, "web", "user-1", f.chat.Chat, f.chat.Title, f.chat.Updated)
}

// must turns Accept's (ok, err) into an error that also fails on a duplicate.
func must(ok bool, err error) error {
	if err == nil && !ok {
		err = errors.New("accept: duplicate")
	}
	return err
}

func TestWriteFixture(t *testing.T) {
	if !*writeFixture {
		t.Skip("run with -write-fixture to regenerate the current schema's file")
	}
	path := filepath.Join("testdata", fmt.Sprintf("v%d.db", schemaVersion))
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Path = path
	s, err := Open(cfg, WithClock(func() time.Time { return fixtureTime() }))
	if err != nil {
		t.Fatal(err)
	}
	werr := newFixture().write(context.Background(), s)
	if err := errors.Join(werr, s.Close()); err != nil {
		t.Fatal(err)
	}
}

// copyFixture copies testdata/v<v>.db to a temporary file (Open migrates it
// in place) and returns a config for it.
func copyFixture(t *testing.T, v int) Config {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", fmt.Sprintf("v%d.db", v)))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	cfg := testConfig(t)
	if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(cfg.Path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(dst, src)
	if err := errors.Join(err, dst.Close()); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestUpgradeFromEveryRelease opens the file each schema version wrote,
// migrates it to the current one and reads everything back.
func TestUpgradeFromEveryRelease(t *testing.T) {
	for v := 1; v <= schemaVersion; v++ {
		t.Run(fmt.Sprintf("v%d", v), func(t *testing.T) {
			s := openTest(t, copyFixture(t, v), WithClock(func() time.Time { return fixtureTime().Add(time.Minute) }))
			ctx := context.Background()
			if err := s.Check(ctx); err != nil {
				t.Fatalf("Check after upgrade: %v", err)
			}
			f := newFixture()
			checkFixture(ctx, t, s, f)
			if v < 2 { // the upgraded file takes what schema 2 added
				if err := f.writeV2(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			checkFixtureV2(ctx, t, s, f)
			if v < 3 {
				if err := f.writeV3(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			checkFixtureV3(ctx, t, s, f)
			if v < 6 {
				if err := f.writeV6(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			checkFixtureV6(ctx, t, s, f)
			if v < 6 {
				if err := f.writeVotes(ctx, s); err != nil {
					t.Fatal(err)
				}
			}
			checkVotes(ctx, t, s, f)
		})
	}
}

// checkFixture reads f back from s.
func checkFixture(ctx context.Context, t *testing.T, s *Store, f fixture) {
	t.Helper()
	for _, turn := range f.turns {
		msgs, err := s.Recent(ctx, turn.Envelope.Conversation(), 10)
		want := []core.Message{turn.User, turn.Reply}
		if err != nil || !reflect.DeepEqual(msgs, want) {
			t.Errorf("Recent(%q) = %+v, %v; want %+v", turn.Envelope.Conversation(), msgs, err, want)
		}
	}
	pending, err := s.Pending(ctx)
	if err != nil || len(pending) == 0 || !reflect.DeepEqual(pending[0], f.pending) {
		t.Errorf("Pending = %+v, %v; want %+v first", pending, err, f.pending)
	}
	for _, env := range append(f.completed, f.pending) {
		if seen, err := s.Seen(ctx, env); !seen || err != nil {
			t.Errorf("Seen(%s) = %v, %v; want its dedup marks kept", env.MessageID, seen, err)
		}
	}
	if c, err := s.Cursor(ctx, f.cursor[0]); c != f.cursor[1] || err != nil {
		t.Errorf("Cursor = %q, %v; want %q", c, err, f.cursor[1])
	}
	u, err := s.Unanswered(ctx, time.Time{})
	if err != nil || len(u) != 1 || !reflect.DeepEqual(u[0], f.unanswered) {
		t.Errorf("Unanswered = %+v, %v; want [%+v]", u, err, f.unanswered)
	}
	if n, err := s.Usage(ctx, f.usage.key, f.usage.day); n != f.usage.tokens || err != nil {
		t.Errorf("Usage = %d, %v; want %d", n, err, f.usage.tokens)
	}
	if v, ok, err := s.Vector(ctx, "faq:1"); !ok || err != nil || !reflect.DeepEqual(v, f.vector) {
		t.Errorf("Vector = %v, %v, %v; want %v", v, ok, err, f.vector)
	}
}

// checkFixtureV2 reads back what schema 2 added.
func checkFixtureV2(ctx context.Context, t *testing.T, s *Store, f fixture) {
	t.Helper()
	if ref, ok, err := s.ReplyRef(ctx, f.pending); !ok || err != nil || !reflect.DeepEqual(ref, f.ref) {
		t.Errorf("ReplyRef = %+v, %v, %v; want %+v", ref, ok, err, f.ref)
	}
	if kept, ok, err := s.KeptAnswer(ctx, f.pending); !ok || err != nil || !reflect.DeepEqual(kept, f.kept) {
		t.Errorf("KeptAnswer = %+v, %v, %v; want %+v", kept, ok, err, f.kept)
	}
	if ok, err := s.BotMessage(ctx, f.pending.Platform, f.pending.ChatID, f.botMsg); !ok || err != nil {
		t.Errorf("BotMessage(%s) = %v, %v; want true", f.botMsg, ok, err)
	}
}

// checkFixtureV3 reads back what schema 3 added.
func checkFixtureV3(ctx context.Context, t *testing.T, s *Store, f fixture) {
	t.Helper()
	got, err := s.ChatSummaries(ctx, "web", "user-1")
	if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], f.chat) {
		t.Errorf("ChatSummaries = %+v, %v; want [%+v]", got, err, f.chat)
	}
}

// checkFixtureV6 reads back what schema 6 added, and completes the
// coalesced turn.
func checkFixtureV6(ctx context.Context, t *testing.T, s *Store, f fixture) {
	t.Helper()
	if st, ok, err := s.State(ctx, f.pending.Conversation()); !ok || err != nil || !reflect.DeepEqual(st, f.state) {
		t.Errorf("State = %+v, %v, %v; want %+v", st, ok, err, f.state)
	}
	head := f.burst.Turn.Envelope
	if kept, ok, err := s.KeptAnswer(ctx, head); !ok || err != nil || !reflect.DeepEqual(kept, f.burst) {
		t.Errorf("KeptAnswer(burst) = %+v, %v, %v; want %+v", kept, ok, err, f.burst)
	}
	if err := s.Complete(ctx, f.burst.Turn); err != nil {
		t.Fatal(err)
	}
	pending, err := s.Pending(ctx)
	if err != nil || len(pending) != 1 {
		t.Errorf("Pending after the coalesced turn = %+v, %v; want only the fixture's", pending, err)
	}
	msgs, err := s.Recent(ctx, head.Conversation(), 10)
	want := []core.Message{f.burst.Turn.User, f.burst.Turn.Followups[0].User, f.burst.Turn.Reply}
	if err != nil || !reflect.DeepEqual(msgs, want) {
		t.Errorf("Recent(burst) = %+v, %v; want %+v", msgs, err, want)
	}
}

// checkVotes reads back the voted turn's record.
func checkVotes(ctx context.Context, t *testing.T, s *Store, f fixture) {
	t.Helper()
	recs, err := s.TurnRecords(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Turn == f.voted.Envelope.MessageID && r.Conversation == f.voted.Envelope.Conversation() {
			if r.Vote != core.VoteUp || r.Arm != "short-prompt" || r.Question != f.voted.User.Text || r.Answer != f.voted.Reply.Text {
				t.Errorf("voted turn record = %+v", r)
			}
			return
		}
	}
	t.Errorf("TurnRecords = %+v, want the voted turn", recs)
}
