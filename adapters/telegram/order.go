package telegram

import (
	"context"
	"fmt"
	"sync"

	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/core/catalog"
)

// seenCapacity is how many recently handled update ids are remembered to
// drop redeliveries cheaply; the dispatcher's durable dedup catches the rest.
const seenCapacity = 4096

// seenSet remembers the last n update ids handled. Safe for concurrent use.
type seenSet struct {
	mu   sync.Mutex
	ids  map[int64]struct{}
	ring []int64
	next int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{ids: make(map[int64]struct{}, n), ring: make([]int64, 0, n)}
}

func (s *seenSet) has(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ids[id]
	return ok
}

func (s *seenSet) add(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return
	}
	if len(s.ring) < cap(s.ring) {
		s.ring = append(s.ring, id)
	} else {
		delete(s.ids, s.ring[s.next])
		s.ring[s.next] = id
		s.next = (s.next + 1) % len(s.ring)
	}
	s.ids[id] = struct{}{}
}

// chatLocks serialises the handling of one chat's updates when they arrive
// concurrently (webhook requests). The zero value is ready to use.
type chatLocks struct {
	mu    sync.Mutex
	locks map[int64]*chatLock
}

type chatLock struct {
	mu   sync.Mutex
	refs int
}

// lock locks chat and returns its unlock function.
func (c *chatLocks) lock(chat int64) func() {
	c.mu.Lock()
	if c.locks == nil {
		c.locks = map[int64]*chatLock{}
	}
	l, ok := c.locks[chat]
	if !ok {
		l = &chatLock{}
		c.locks[chat] = l
	}
	l.refs++
	c.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		c.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(c.locks, chat)
		}
		c.mu.Unlock()
	}
}

// chatOf returns the chat an update belongs to, or 0 for none.
func chatOf(u *models.Update) int64 {
	switch {
	case u.Message != nil:
		return u.Message.Chat.ID
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return u.CallbackQuery.Message.Message.Chat.ID
	}
	return 0
}

// handle processes one update once: it delivers a text message, answers a
// message without text, or drops it. An error means the update was not
// accepted and must be handled again.
func (a *Adapter) handle(ctx context.Context, deliver core.DeliverFunc, u *models.Update) error {
	if a.seen.has(u.ID) {
		a.m.updates.With("duplicate").Inc()
		return nil
	}
	self := a.self.Load()
	if self == nil {
		return fmt.Errorf("telegram: update %d before the bot's identity is known", u.ID)
	}
	if u.CallbackQuery != nil {
		a.callback(ctx, u.CallbackQuery)
		a.m.updates.With("callback").Inc()
		a.seen.add(u.ID)
		return nil
	}
	env, disp := parseUpdate(u, *self, a.now())
	switch disp {
	case dispDeliver:
		if err := deliver(ctx, env); err != nil {
			a.m.delivered.With("error").Inc()
			return fmt.Errorf("telegram: deliver update %d: %w", u.ID, err)
		}
		a.m.delivered.With("ok").Inc()
		a.m.updates.With(updateKind(u)).Inc()
	case dispNotice:
		a.m.updates.With("notice").Inc()
		a.notice(ctx, env)
	default:
		a.m.updates.With("ignored").Inc()
	}
	a.seen.add(u.ID)
	return nil
}

func updateKind(u *models.Update) string {
	if u.EditedMessage != nil {
		return "edited"
	}
	return "message"
}

// notice tells the sender the bot reads text only. A failure is logged: the
// update is not worth redelivering for it.
func (a *Adapter) notice(ctx context.Context, env core.Envelope) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout+a.cfg.EditInterval+a.cfg.DraftInterval)
	defer cancel()
	w, err := a.Reply(ctx, env)
	if err == nil {
		lang := a.picker.Pick(env.Sender(), "", env.LangHint)
		err = w.Finish(ctx, core.Reply{Text: a.texts.Text(lang, catalog.TextOnly), Route: core.RouteCommand})
	}
	if err != nil {
		a.log.Warn("send text-only notice", "chat_id", env.ChatID, "msg_id", env.MessageID, "err", err)
	}
}
