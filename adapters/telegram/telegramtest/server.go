// Package telegramtest is a fake Telegram Bot API for tests: it serves
// getMe, getUpdates (offset, limit and long-poll timeout), sendMessage,
// editMessageText, sendMessageDraft, sendChatAction, deleteMessage,
// setWebhook, deleteWebhook, getWebhookInfo and setMyCommands over multipart, JSON and form
// bodies, validates HTML and length the way Telegram does, records every
// call, and injects errors on request.
package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot/models"
)

// Token is the bot token the fake accepts unless New is given another.
const Token = "123456:TEST-token_abc"

// Call is one recorded Bot API request.
type Call struct {
	Method string
	// Params holds the request's fields; objects are JSON text.
	Params map[string]string
	At     time.Time
	// Code is 0 for a successful call, else the error code answered.
	Code int
}

// Message is a message the bot sent, as it stands now.
type Message struct {
	ChatID    int64
	ID        int
	ThreadID  int
	ReplyTo   int
	Text      string // as sent, HTML when ParseMode is "HTML"
	ParseMode string
	Plain     string // the visible text
	Edits     int
	SentAt    time.Time
}

// Failure is an error answer injected with Fail.
type Failure struct {
	Code        int
	Description string
	RetryAfter  int
	hang        bool
	lose        bool
}

// TooManyRequests is Telegram's flood-control answer.
func TooManyRequests(retryAfter int) Failure {
	return Failure{Code: 429, Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter), RetryAfter: retryAfter}
}

// CantParseEntities is Telegram's answer to HTML it cannot parse.
func CantParseEntities() Failure {
	return Failure{Code: 400, Description: "Bad Request: can't parse entities: unsupported start tag at byte offset 0"}
}

// BadGateway is the answer of Telegram's front end when the API is down.
func BadGateway() Failure { return Failure{Code: 502, Description: "Bad Gateway"} }

// Hang makes the request block until the client gives up.
func Hang() Failure { return Failure{hang: true} }

// LoseResponse carries the request out (a message is posted) and then drops
// the connection without an answer, as a network failure after the request
// was written would.
func LoseResponse() Failure { return Failure{lose: true} }

// Server is a fake Bot API. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL to use as the Bot API server.
	URL string
	// Bot is the bot's own user, as getMe returns it.
	Bot models.User

	token string
	srv   *httptest.Server
	now   func() time.Time

	mu        sync.Mutex
	changed   chan struct{}
	calls     []Call
	failures  map[string][]Failure
	updates   []pendingUpdate
	nextUpd   int64
	nextMsg   map[int64]int
	sent      map[int64][]*Message
	drafts    map[int64]string
	webhook   string
	secret    string
	commands  []models.BotCommand
	onSent    func(Message)
	closed    bool
	closeOnce sync.Once
	done      chan struct{}
}

type pendingUpdate struct {
	id  int64
	raw json.RawMessage
}

// New starts a fake Bot API on 127.0.0.1 for the bot "imbot_test_bot".
// Close it when done.
func New() *Server {
	s := &Server{
		Bot:      models.User{ID: 123456, IsBot: true, FirstName: "Test Bot", Username: "imbot_test_bot"},
		token:    Token,
		now:      time.Now,
		changed:  make(chan struct{}),
		failures: map[string][]Failure{},
		nextUpd:  1000,
		nextMsg:  map[int64]int{},
		sent:     map[int64][]*Message{},
		drafts:   map[int64]string{},
		done:     make(chan struct{}),
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server and ends long polls in progress.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		close(s.done)
		s.mu.Unlock()
		s.srv.Close()
	})
}

// Fail makes the next calls of method answer the given failures, in order.
func (s *Server) Fail(method string, fs ...Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], fs...)
}

// OnSent sets fn to be called with every message the bot sends, after the
// sendMessage call is recorded, from the request's goroutine. It lets load
// tests time replies without polling.
func (s *Server) OnSent(fn func(Message)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onSent = fn
}

// Calls returns the recorded calls of method, or of every method when
// method is "", oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Sent returns copies of the messages the bot has in chatID, oldest first.
func (s *Server) Sent(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.sent[chatID]))
	for _, m := range s.sent[chatID] {
		out = append(out, *m)
	}
	return out
}

// Draft returns the last draft text the bot streamed to chatID.
func (s *Server) Draft(chatID int64) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.drafts[chatID]
}

// Commands returns the command menu set by setMyCommands.
func (s *Server) Commands() []models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]models.BotCommand(nil), s.commands...)
}

// Webhook returns the URL and secret token set by setWebhook.
func (s *Server) Webhook() (url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook, s.secret
}

// Unconfirmed returns how many queued updates have not been confirmed by a
// getUpdates call with a higher offset.
func (s *Server) Unconfirmed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.updates)
}

// Wait blocks until cond returns true or ctx ends. cond is evaluated after
// every change to the server's state; it may call the server's methods.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("telegramtest: wait: %w", ctx.Err())
		}
	}
}

// notify wakes waiters; s.mu must be held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// reply is one answer of the fake.
type reply struct {
	result any
	fail   *Failure
}

func ok(v any) reply { return reply{result: v} }

func bad(code int, description string) reply {
	return reply{fail: &Failure{Code: code, Description: description}}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	method, found := strings.CutPrefix(r.URL.Path, "/bot"+s.token+"/")
	switch {
	case !strings.HasPrefix(r.URL.Path, "/bot"):
		writeReply(w, bad(404, "Not Found"))
		return
	case !found:
		writeReply(w, bad(401, "Unauthorized"))
		return
	case r.Method != http.MethodPost:
		writeReply(w, bad(405, "Method Not Allowed: use POST"))
		return
	}
	params, err := readParams(r)
	if err != nil {
		writeReply(w, bad(400, "Bad Request: "+err.Error()))
		return
	}
	call := Call{Method: method, Params: params, At: s.now()}
	if f, injected := s.takeFailure(method); injected && !f.lose {
		s.answerFailure(w, r, call, f)
		return
	} else if injected {
		s.record(call)
		s.handle(r.Context(), method, params)
		dropConnection(w)
		return
	}
	rep := s.handle(r.Context(), method, params)
	if rep.fail != nil {
		call.Code = rep.fail.Code
	}
	s.record(call)
	writeReply(w, rep)
}

func (s *Server) takeFailure(method string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.failures[method]
	if len(q) == 0 {
		return Failure{}, false
	}
	s.failures[method] = q[1:]
	return q[0], true
}

func (s *Server) answerFailure(w http.ResponseWriter, r *http.Request, call Call, f Failure) {
	if f.hang {
		s.record(call)
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	call.Code = f.Code
	s.record(call)
	writeReply(w, reply{fail: &f})
}

func (s *Server) record(c Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	s.notify()
}

func (s *Server) handle(ctx context.Context, method string, p map[string]string) reply {
	switch method {
	case "getMe":
		return ok(s.Bot)
	case "getUpdates":
		return s.getUpdates(ctx, p)
	case "sendMessage":
		return s.sendMessage(p)
	case "editMessageText":
		return s.editMessageText(p)
	case "sendMessageDraft":
		return s.sendMessageDraft(p)
	case "sendChatAction":
		return s.sendChatAction(p)
	case "deleteMessage":
		return s.deleteMessage(p)
	case "setWebhook":
		return s.setWebhook(p)
	case "deleteWebhook":
		return s.deleteWebhook(p)
	case "setMyCommands":
		return s.setMyCommands(p)
	case "getWebhookInfo":
		return s.getWebhookInfo()
	}
	return bad(404, "Not Found: method not found")
}

type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  *struct {
		RetryAfter int `json:"retry_after,omitempty"`
	} `json:"parameters,omitempty"`
}

func writeReply(w http.ResponseWriter, rep reply) {
	w.Header().Set("Content-Type", "application/json")
	var resp apiResponse
	if rep.fail != nil {
		resp.ErrorCode, resp.Description = rep.fail.Code, rep.fail.Description
		if rep.fail.RetryAfter > 0 {
			resp.Parameters = &struct {
				RetryAfter int `json:"retry_after,omitempty"`
			}{rep.fail.RetryAfter}
		}
		w.WriteHeader(rep.fail.Code)
	} else {
		raw, err := json.Marshal(rep.result)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp.OK, resp.Result = true, raw
	}
	_ = json.NewEncoder(w).Encode(resp)
}

var errNoChat = errors.New("chat not found")

// dropConnection closes the request's connection without writing an answer.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err == nil {
		conn.Close()
	}
}
