package core

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"time"
	"unicode"

	lru "github.com/hashicorp/golang-lru/v2"
)

// KnowledgeVersioner is implemented by a Knowledge whose content changes on
// reload; the answer cache keys answers by the version, so that a reloaded
// knowledge base never meets answers given before it.
type KnowledgeVersioner interface {
	// Version changes whenever the knowledge base's content may have.
	Version() uint64
}

// answerKey identifies a cached answer: a hash of the normalised question,
// the system prompt and the knowledge base's version.
type answerKey [sha256.Size]byte

// answerCache remembers the answers models gave completely to first-turn
// questions (no history), keyed by the normalised question, the system
// prompt and the knowledge base's version. A nil *answerCache caches
// nothing. It is safe for concurrent use.
type answerCache struct {
	entries *lru.Cache[answerKey, cachedAnswer]
	ttl     time.Duration
	now     func() time.Time
}

// cachedAnswer is one remembered model answer.
type cachedAnswer struct {
	reply       Reply
	replyTokens int
	at          time.Time
}

// newAnswerCache returns a cache of at most size answers that each live
// ttl, or nil when size or ttl is zero.
func newAnswerCache(size int, ttl time.Duration, now func() time.Time) *answerCache {
	if size <= 0 || ttl <= 0 {
		return nil
	}
	entries, err := lru.New[answerKey, cachedAnswer](size)
	if err != nil {
		return nil // unreachable: size is positive
	}
	return &answerCache{entries: entries, ttl: ttl, now: now}
}

// cacheKey identifies a question asked under a system prompt and a
// knowledge base version.
func cacheKey(question, system string, version uint64) answerKey {
	h := sha256.New()
	h.Write([]byte(normaliseQuestion(question)))
	h.Write([]byte{0})
	h.Write([]byte(system))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatUint(version, 10)))
	var k answerKey
	h.Sum(k[:0])
	return k
}

// normaliseQuestion folds case and spacing and drops trailing punctuation,
// so that "What is X?" and "what is  x" share an answer.
func normaliseQuestion(q string) string {
	q = strings.Join(strings.Fields(strings.ToLower(q)), " ")
	return strings.TrimRightFunc(q, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
}

// get returns the answer cached under key, if it has not expired.
func (c *answerCache) get(key answerKey) (cachedAnswer, bool) {
	if c == nil {
		return cachedAnswer{}, false
	}
	a, ok := c.entries.Get(key)
	if !ok {
		return cachedAnswer{}, false
	}
	if c.now().Sub(a.at) >= c.ttl {
		c.entries.Remove(key)
		return cachedAnswer{}, false
	}
	return a, true
}

// put remembers a model's complete answer under key.
func (c *answerCache) put(key answerKey, reply Reply, replyTokens int) {
	if c != nil {
		c.entries.Add(key, cachedAnswer{reply: reply, replyTokens: replyTokens, at: c.now()})
	}
}
