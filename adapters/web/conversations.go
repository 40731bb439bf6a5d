package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"imbot/core"
	"imbot/core/catalog"
)

// Suggestions returns a few example questions in lang for an empty chat.
type Suggestions func(lang catalog.Lang) []string

// WithChatList keeps each user's conversations in l, so the page can list,
// rename and delete them. Without it the conversation frames get an error.
func WithChatList(l core.ChatList) Option { return func(a *Adapter) { a.chats = l } }

// WithSuggestions offers the questions s returns on a new conversation.
func WithSuggestions(s Suggestions) Option { return func(a *Adapter) { a.suggest = s } }

const (
	maxTitleRunes    = 60 // a title made from a first message
	maxTitleBytes    = 256
	maxSuggestions   = 4
	chatListTimeout  = 5 * time.Second
	stopMemory       = 10 * time.Minute // how long a stop mark waits for its reply
	maxStopMarks     = 4096
	maxControlFrameB = 2048 // control frames are small; larger ones are messages
)

// Frames of the conversation list and of stop.
type (
	conversationsFrame struct {
		Type  string             `json:"type"` // "conversations"
		Items []conversationItem `json:"items"`
	}
	conversationItem struct {
		Session string `json:"session"`
		Title   string `json:"title"`
		Created string `json:"created"` // RFC 3339
		Updated string `json:"updated"`
	}
	suggestionsFrame struct {
		Type      string   `json:"type"` // "suggestions"
		Questions []string `json:"questions"`
	}
	stoppedFrame struct {
		Type    string `json:"type"` // "stopped"
		ReplyTo string `json:"reply_to"`
	}
	// controlFrame is what a client sends besides messages.
	controlFrame struct {
		Type    string `json:"type"`
		ID      string `json:"id"`      // stop
		Session string `json:"session"` // rename, delete
		Title   string `json:"title"`   // rename
		Vote    string `json:"vote"`    // feedback
	}
)

// clientOf reads the optional user id (?user=) and language (?lang=) of a
// /ws request. The user id has the form of a session id; lang is "" when
// the client named none (it then gets no suggested questions).
func clientOf(r *http.Request) (core.UserID, catalog.Lang, *requestError) {
	q := r.URL.Query()
	user := q.Get("user")
	if user != "" && !validSession(user) {
		return "", "", badRequest("", "user must be 1..%d characters of [A-Za-z0-9_-]", maxSessionLen)
	}
	lang, _ := catalog.FromTag(q.Get("lang"))
	return core.UserID(user), lang, nil
}

// langOf picks the page language: ?lang=, else Accept-Language, else English.
func langOf(r *http.Request) catalog.Lang {
	if l, ok := catalog.FromTag(r.URL.Query().Get("lang")); ok {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(part, ";")
		if l, ok := catalog.FromTag(tag); ok {
			return l
		}
	}
	return catalog.EN
}

// openingFrames are sent after ready and history: the user's conversations,
// when the client named a user, and the suggested questions, when it named
// a language. Clients that name neither get no new frames.
func (a *Adapter) openingFrames(ctx context.Context, c *wsConn, lang catalog.Lang) []any {
	var out []any
	if c.user != "" && a.chats != nil {
		if f, err := a.conversations(ctx, c.user); err == nil {
			out = append(out, f)
		} else {
			a.log.Warn("web: list conversations", "err", err)
		}
	}
	if a.suggest != nil && lang != "" {
		if qs := a.suggest(lang); len(qs) > 0 {
			out = append(out, suggestionsFrame{Type: "suggestions", Questions: qs[:min(len(qs), maxSuggestions)]})
		}
	}
	return out
}

// conversations builds the conversation list frame of user.
func (a *Adapter) conversations(ctx context.Context, user core.UserID) (conversationsFrame, error) {
	ctx, cancel := context.WithTimeout(ctx, chatListTimeout)
	defer cancel()
	list, err := a.chats.ChatSummaries(ctx, Platform, user)
	if err != nil {
		return conversationsFrame{}, err
	}
	f := conversationsFrame{Type: "conversations", Items: make([]conversationItem, len(list))}
	for i, s := range list {
		f.Items[i] = conversationItem{Session: string(s.Chat), Title: s.Title,
			Created: s.Created.UTC().Format(time.RFC3339), Updated: s.Updated.UTC().Format(time.RFC3339)}
	}
	return f, nil
}

// envelopeOf builds the envelope of a message on c: the user id stands for
// the sender when the client gave one.
func (c *wsConn) envelopeOf(m userMessage) core.Envelope {
	env := c.a.envelope(c.session, m.id, m.text, c.peer)
	if c.user != "" {
		env.UserID = c.user
	}
	return env
}

// noteMessage lists c's session among its user's conversations, titled
// after this message when it is the first.
func (c *wsConn) noteMessage(ctx context.Context, m userMessage) {
	if c.user == "" || c.a.chats == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, chatListTimeout)
	defer cancel()
	if err := c.a.chats.TouchChat(ctx, Platform, c.user, c.session, titleOf(m.text), c.a.now()); err != nil {
		c.a.log.Warn("web: note conversation", "chat_id", c.session, "err", err)
	}
}

// titleOf makes a conversation title from its first message: the first
// line, at most maxTitleRunes characters.
func titleOf(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	line = strings.TrimSpace(line)
	if utf8.RuneCountInString(line) <= maxTitleRunes {
		return line
	}
	return string([]rune(line)[:maxTitleRunes-1]) + "…"
}

// control handles a frame other than a message and reports whether it was
// one: stop, conversations, rename, delete or feedback.
func (c *wsConn) control(data []byte) bool {
	if len(data) > maxControlFrameB {
		return false
	}
	var f controlFrame
	if json.Unmarshal(data, &f) != nil {
		return false
	}
	switch f.Type {
	case "stop":
		c.stopReply(f.ID)
	case "conversations", "rename", "delete":
		c.editConversations(f)
	case "feedback":
		c.vote(f)
	default:
		return false
	}
	return true
}

// stopReply stops streaming the reply to id on every connection of the
// session and cancels its answer; the turn ends with the text so far.
func (c *wsConn) stopReply(id string) {
	if !validMessageID(id) {
		c.sendError(badRequest("", "id must be 1..%d printable ASCII characters", maxMessageIDLen))
		return
	}
	c.a.hub.stops.mark(waitKey{session: c.session, id: core.MessageID(id)}, c.a.now())
	for _, l := range c.a.hub.listeners(c.session) {
		l.push(stoppedFrame{Type: "stopped", ReplyTo: id}, frameOverhead)
	}
}

// editConversations answers the conversation frames with the user's list,
// after renaming or deleting one of them.
func (c *wsConn) editConversations(f controlFrame) {
	if c.user == "" || c.a.chats == nil {
		c.sendError(badRequest("", "the conversation list needs a user id (?user=) and a server that keeps one"))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), chatListTimeout)
	defer cancel()
	if rerr := c.applyEdit(ctx, f); rerr != nil {
		c.sendError(rerr)
		return
	}
	list, err := c.a.conversations(ctx, c.user)
	if err != nil {
		c.a.log.Warn("web: list conversations", "err", err)
		c.sendError(&requestError{code: codeBusy, message: "the conversation list is unavailable"})
		return
	}
	c.push(list, frameOverhead*(1+len(list.Items)))
}

// applyEdit renames or deletes one of the user's conversations; deleting
// also forgets its history.
func (c *wsConn) applyEdit(ctx context.Context, f controlFrame) *requestError {
	if f.Type == "conversations" {
		return nil
	}
	if !c.owns(ctx, core.ChatID(f.Session)) {
		return badRequest("", "no such conversation")
	}
	chat := core.ChatID(f.Session)
	var err error
	switch title := strings.TrimSpace(f.Title); {
	case f.Type == "rename" && (title == "" || len(title) > maxTitleBytes || !utf8.ValidString(title)):
		return badRequest("", "title must be 1..%d bytes of text", maxTitleBytes)
	case f.Type == "rename":
		err = c.a.chats.RenameChat(ctx, Platform, c.user, chat, title)
	default:
		err = c.a.chats.DeleteChat(ctx, Platform, c.user, chat)
		if err == nil {
			err = c.a.history.Reset(ctx, c.a.envelope(chat, "", "", peer{}).Conversation())
		}
	}
	if err != nil {
		c.a.log.Warn("web: edit conversation", "chat_id", chat, "err", err)
		return &requestError{code: codeBusy, message: "the conversation could not be changed; try again"}
	}
	return nil
}

// owns reports whether chat is in the user's list.
func (c *wsConn) owns(ctx context.Context, chat core.ChatID) bool {
	if !validSession(string(chat)) {
		return false
	}
	list, err := c.a.chats.ChatSummaries(ctx, Platform, c.user)
	if err != nil {
		return false
	}
	for _, s := range list {
		if s.Chat == chat {
			return true
		}
	}
	return false
}

// stopSet remembers the replies a client stopped until they finish, and
// cancels their answers. Its zero value is ready; it is safe for concurrent
// use.
type stopSet struct {
	mu      sync.Mutex
	marks   map[waitKey]time.Time
	cancels map[waitKey]context.CancelCauseFunc
}

// mark records that the reply to k was stopped at now and cancels its
// answer, forgetting marks older than stopMemory (replies that never came).
func (s *stopSet) mark(k waitKey, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.marks == nil {
		s.marks = make(map[waitKey]time.Time)
	}
	if len(s.marks) >= maxStopMarks {
		for old, at := range s.marks {
			if now.Sub(at) > stopMemory {
				delete(s.marks, old)
			}
		}
	}
	if len(s.marks) < maxStopMarks {
		s.marks[k] = now
	}
	if cancel := s.cancels[k]; cancel != nil {
		cancel(core.ErrStopped)
	}
}

// watch lets a stop of the reply to k cancel its answer with cancel (at
// once when it is already stopped) until release is called.
func (s *stopSet) watch(k waitKey, cancel context.CancelCauseFunc) (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, stopped := s.marks[k]; stopped {
		cancel(core.ErrStopped)
	}
	if s.cancels == nil {
		s.cancels = make(map[waitKey]context.CancelCauseFunc)
	}
	s.cancels[k] = cancel
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.cancels, k)
	}
}

// stopped reports whether the reply to k was stopped.
func (s *stopSet) stopped(k waitKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.marks[k]
	return ok
}

// take reports whether the reply to k was stopped and forgets the mark.
func (s *stopSet) take(k waitKey) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.marks[k]
	delete(s.marks, k)
	return ok
}

var _ core.Stoppable = (*replyWriter)(nil)

// StopContext implements core.Stoppable: the returned context ends with
// core.ErrStopped when a client sends a stop frame for this reply.
func (w *replyWriter) StopContext(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	release := w.hub.stops.watch(w.key(), cancel)
	return ctx, func() {
		release()
		cancel(nil)
	}
}
