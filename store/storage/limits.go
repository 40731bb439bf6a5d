package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"imbot/core"
)

// Limits on what a store files; every backend refuses or cuts alike.
const (
	// MaxKeyLen bounds every key: ids, names, cache keys.
	MaxKeyLen = 1024
	// MaxRefMessages bounds the reply message ids kept for one turn.
	MaxRefMessages = 64
	// MaxCursorLen bounds a cursor value.
	MaxCursorLen = 4096
	// MaxTitleLen bounds a conversation title, in bytes.
	MaxTitleLen = 512
	// MaxVectorLen bounds a cached embedding's dimension.
	MaxVectorLen = 1 << 16
	// MaxQuestionLen: a longer unanswered question is cut at a rune
	// boundary.
	MaxQuestionLen = 16 << 10
	// MaxCandidates: only the first candidates of an unanswered question
	// are kept.
	MaxCandidates = 32
	// MaxRecordText bounds the question and the answer a turn record keeps.
	MaxRecordText = 16 << 10
	// DayLayout is the format of usage days.
	DayLayout = "2006-01-02"
)

// CheckKey rejects an empty or oversized key.
func CheckKey(what, k string) error {
	switch {
	case k == "":
		return fmt.Errorf("%s is empty", what)
	case len(k) > MaxKeyLen:
		return fmt.Errorf("%s is %d bytes, the limit is %d", what, len(k), MaxKeyLen)
	}
	return nil
}

// CheckEnvelope rejects an envelope a store cannot file.
func CheckEnvelope(env core.Envelope) error {
	if env.Platform == "" || env.MessageID == "" {
		return errors.New("envelope has no platform or message id")
	}
	for _, k := range env.DedupKeys() {
		if err := CheckKey("dedup key", k); err != nil {
			return err
		}
	}
	return CheckKey("conversation key", env.Conversation().String())
}

// PendingKey names env's pending record: its first dedup key, the message
// key, which every envelope has.
func PendingKey(env core.Envelope) []byte { return []byte(env.DedupKeys()[0]) }

// CheckRef rejects a ReplyRef a store cannot file.
func CheckRef(ref core.ReplyRef) error {
	if len(ref.Card) > MaxKeyLen {
		return fmt.Errorf("card id is %d bytes, the limit is %d", len(ref.Card), MaxKeyLen)
	}
	if len(ref.Messages) > MaxRefMessages {
		return fmt.Errorf("%d reply messages, the limit is %d", len(ref.Messages), MaxRefMessages)
	}
	for _, id := range ref.Messages {
		if err := CheckKey("reply message id", string(id)); err != nil {
			return err
		}
	}
	return nil
}

// BotMessageKey is platform 0x00 chat 0x00 id.
func BotMessageKey(platform core.Platform, chat core.ChatID, id core.MessageID) []byte {
	return []byte(string(platform) + "\x00" + string(chat) + "\x00" + string(id))
}

// BotMessageKeys returns the keys of ids in chat, or an error naming the
// first that is too long.
func BotMessageKeys(platform core.Platform, chat core.ChatID, ids []core.MessageID) ([][]byte, error) {
	keys := make([][]byte, len(ids))
	for i, id := range ids {
		keys[i] = BotMessageKey(platform, chat, id)
		if err := CheckKey("bot message key", string(keys[i])); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// CheckCursor rejects a cursor a store cannot file.
func CheckCursor(name, value string) error {
	if err := CheckKey("cursor name", name); err != nil {
		return err
	}
	if len(value) > MaxCursorLen {
		return fmt.Errorf("value is %d bytes, the limit is %d", len(value), MaxCursorLen)
	}
	return nil
}

// CheckUsage rejects a usage counter's key, day or increment.
func CheckUsage(key, day string, tokens int) error {
	if err := CheckKey("usage key", key); err != nil {
		return err
	}
	if _, err := time.Parse(DayLayout, day); err != nil {
		return fmt.Errorf("usage day %q is not YYYY-MM-DD", day)
	}
	if tokens < 0 {
		return fmt.Errorf("negative tokens %d", tokens)
	}
	return nil
}

// AddSaturating adds tokens to n, saturating at math.MaxInt64.
func AddSaturating(n uint64, tokens int) uint64 {
	if n > math.MaxInt64-uint64(tokens) {
		return math.MaxInt64
	}
	return n + uint64(tokens)
}

// CheckVector rejects a vector a store cannot cache.
func CheckVector(key string, v []float32) error {
	if err := CheckKey("vector key", key); err != nil {
		return err
	}
	if len(v) == 0 || len(v) > MaxVectorLen {
		return fmt.Errorf("dimension %d is outside 1..%d", len(v), MaxVectorLen)
	}
	return nil
}

// CheckChat rejects a chat list entry's key.
func CheckChat(platform core.Platform, user core.UserID, chat core.ChatID) error {
	if platform == "" || user == "" || chat == "" {
		return errors.New("chat list key needs a platform, a user and a chat")
	}
	return CheckKey("chat list key", string(platform)+"\x00"+string(user)+"\x00"+string(chat))
}

// CheckTitle rejects an overlong conversation title.
func CheckTitle(title string) error {
	if len(title) > MaxTitleLen {
		return fmt.Errorf("title is %d bytes, the limit is %d", len(title), MaxTitleLen)
	}
	return nil
}

// PrepareUnanswered applies the queue's limits to u: the question is cut to
// MaxQuestionLen at a rune boundary, candidates to MaxCandidates, and a zero
// At becomes now.
func PrepareUnanswered(u core.UnansweredQuestion, now time.Time) core.UnansweredQuestion {
	if u.At.IsZero() {
		u.At = now
	}
	u.Question = TruncateUTF8(u.Question, MaxQuestionLen)
	if len(u.Candidates) > MaxCandidates {
		u.Candidates = u.Candidates[:MaxCandidates]
	}
	return u
}

// TurnKey names the record of the turn answering message turn of conv: the
// conversation key with its length, then the message id.
func TurnKey(conv core.ConversationKey, turn core.MessageID) []byte {
	c := conv.String()
	k := binary.AppendUvarint(make([]byte, 0, len(c)+len(turn)+2), uint64(len(c)))
	return append(append(k, c...), turn...)
}

// CheckVote rejects feedback a store cannot file; it returns the turn's
// key.
func CheckVote(fb core.Feedback) ([]byte, error) {
	key := TurnKey(fb.Conversation, fb.Turn)
	if err := CheckKey("turn key", string(key)); err != nil || fb.Turn == "" {
		return nil, errors.New("bad turn key")
	}
	return key, nil
}

// TurnRecordOf summarises a completed turn; its question joins the texts of
// the turn's messages, one per line, and question and answer are cut to
// MaxRecordText.
func TurnRecordOf(turn core.Turn) core.TurnRecord {
	texts := []string{turn.User.Text}
	for _, f := range turn.Followups {
		texts = append(texts, f.User.Text)
	}
	env := turn.Envelope
	return core.TurnRecord{Conversation: env.Conversation(), Turn: env.MessageID, Platform: env.Platform,
		User: env.UserID, At: turn.Reply.At, Question: TruncateUTF8(strings.Join(texts, "\n"), MaxRecordText),
		Answer: TruncateUTF8(turn.Reply.Text, MaxRecordText), Route: turn.Reply.Route, Provider: turn.Reply.Provider,
		Model: turn.Reply.Model, QuestionTokens: turn.User.Tokens, ReplyTokens: turn.Reply.Tokens,
		LatencyMS: turn.Reply.LatencyMS, Arm: turn.Arm}
}

// CheckTurn rejects a turn a store cannot complete.
func CheckTurn(turn core.Turn) error {
	if err := CheckEnvelope(turn.Envelope); err != nil {
		return err
	}
	for _, f := range turn.Followups {
		if err := CheckEnvelope(f.Envelope); err != nil {
			return fmt.Errorf("follow-up: %w", err)
		}
	}
	return nil
}

// TruncateUTF8 shortens s to at most n bytes without splitting a rune.
func TruncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// ClampedUnixNano is t.UnixNano, saturated for times outside the years
// 1678–2262 that int64 nanoseconds can represent.
func ClampedUnixNano(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64)):
		return math.MinInt64
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}
