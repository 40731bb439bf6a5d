// Package feishutest is a fake Feishu open platform for tests: tenant tokens
// with a short expiry, bot info, message reply/create/patch and CardKit cards,
// with error injection and a recorder; a long-connection gateway that pushes
// events and reads their acks; and helpers that build signed, encrypted
// webhook callbacks.
package feishutest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// Feishu codes the fake answers with.
const (
	CodeTokenInvalid   = 99991663 // tenant access token invalid or expired
	CodeRateLimited    = 230020   // message rate limit
	CodeTooLarge       = 230025   // card or post over 30 KB
	CodeNoPermission   = 99991672 // app lacks a scope (e.g. cardkit:card:write)
	CodeBadParams      = 230001
	CodeSequence       = 300317 // CardKit sequence not increasing
	CodeNotUpdatable   = 230099 // PATCH of a card that is not update_multi, or not a card
	CodeStreamingEnded = 300309 // CardKit content update on a closed card
)

// Operations, for Fail and Count.
const (
	OpToken        = "token"
	OpBotInfo      = "bot_info"
	OpReply        = "reply"
	OpCreate       = "create"
	OpPatch        = "patch"
	OpCardCreate   = "card_create"
	OpCardContent  = "card_content"
	OpCardSettings = "card_settings"
	OpIDConvert    = "id_convert"
)

const (
	cardLimit = 30 << 10  // card and post content
	textLimit = 150 << 10 // text content
	uuidLimit = 50
)

// Message is one message the bot posted.
type Message struct {
	ID            string
	ParentID      string // replied-to message; empty for messages sent to a chat
	ChatID        string // for messages sent to a chat
	MsgType       string
	Content       string   // as first sent
	Patches       []string // contents sent by PATCH, in order
	UUID          string
	ReplyInThread bool
}

// Card is one CardKit card entity.
type Card struct {
	ID        string
	JSON      string            // as created
	Elements  map[string]string // element id → current content
	Streaming bool
	Sequences []int    // every accepted sequence, in order
	Settings  []string // settings JSON, in order
}

// Server is a fake Feishu open platform. It is safe for concurrent use.
type Server struct {
	*httptest.Server
	t         testing.TB
	appID     string
	appSecret string
	botOpenID string

	mu       sync.Mutex
	tokenTTL time.Duration
	tokens   map[string]time.Time
	seq      int
	messages []*Message
	byUUID   map[string]*Message
	cards    map[string]*Card
	byMsg    map[string]string // message id → card id
	faults   map[string][]int
	counts   map[string]int
	conns    []*longConn // open long connections
	connects int
	turn     int // DeliverEvent's round robin over conns
}

// New starts a fake for app appID/appSecret whose bot has open_id botOpenID.
// Tokens expire after 2 hours; SetTokenTTL shortens that. It is closed when
// the test ends; protocol violations fail the test.
func New(t testing.TB, appID, appSecret, botOpenID string) *Server {
	s := &Server{t: t, appID: appID, appSecret: appSecret, botOpenID: botOpenID, tokenTTL: 2 * time.Hour,
		tokens: map[string]time.Time{}, byUUID: map[string]*Message{}, cards: map[string]*Card{},
		byMsg: map[string]string{}, faults: map[string][]int{}, counts: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /open-apis/auth/v3/tenant_access_token/internal", s.token)
	mux.HandleFunc("GET /open-apis/bot/v3/info", s.auth(OpBotInfo, s.botInfo))
	mux.HandleFunc("POST /open-apis/im/v1/messages/{id}/reply", s.auth(OpReply, s.reply))
	mux.HandleFunc("POST /open-apis/im/v1/messages", s.auth(OpCreate, s.create))
	mux.HandleFunc("PATCH /open-apis/im/v1/messages/{id}", s.auth(OpPatch, s.patch))
	mux.HandleFunc("POST /open-apis/cardkit/v1/cards", s.auth(OpCardCreate, s.cardCreate))
	mux.HandleFunc("POST /open-apis/cardkit/v1/cards/id_convert", s.auth(OpIDConvert, s.idConvert))
	mux.HandleFunc("PUT /open-apis/cardkit/v1/cards/{card}/elements/{el}/content", s.auth(OpCardContent, s.cardContent))
	mux.HandleFunc("PATCH /open-apis/cardkit/v1/cards/{card}/settings", s.auth(OpCardSettings, s.cardSettings))
	mux.HandleFunc("POST /callback/ws/endpoint", s.wsEndpoint)
	mux.HandleFunc("GET "+wsPath, s.wsConnect)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("feishutest: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// SetTokenTTL sets the lifetime of tokens issued from now on.
func (s *Server) SetTokenTTL(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenTTL = d
}

// ExpireTokens invalidates every issued token at once.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// Fail makes the next times calls of op answer with Feishu code (after
// authentication). 99991400 and 230020 come with HTTP 429 and 400.
func (s *Server) Fail(op string, code, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults[op] = append(s.faults[op], code)
	}
}

// Count returns how many calls of op reached the fake (failed ones included).
func (s *Server) Count(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// Messages returns copies of the posted messages in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	for i, m := range s.messages {
		out[i] = *m
		out[i].Patches = append([]string(nil), m.Patches...)
	}
	return out
}

// Card returns a copy of the card a message shows (by card_id), if any.
func (s *Server) Card(messageID string) (Card, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cards[s.byMsg[messageID]]
	if !ok {
		return Card{}, false
	}
	cp := *c
	cp.Elements = make(map[string]string, len(c.Elements))
	for k, v := range c.Elements {
		cp.Elements[k] = v
	}
	cp.Sequences = append([]int(nil), c.Sequences...)
	cp.Settings = append([]string(nil), c.Settings...)
	return cp, true
}

// Shown returns element elementID ("answer", "route") as a user now sees it
// in message m: from its CardKit card, its last PATCHed or its first card
// JSON; for a text message, the text.
func (s *Server) Shown(m Message, elementID string) string {
	if c, ok := s.Card(m.ID); ok {
		return c.Elements[elementID]
	}
	content := m.Content
	if n := len(m.Patches); n > 0 {
		content = m.Patches[n-1]
	}
	if m.MsgType == "text" {
		var t struct {
			Text string `json:"text"`
		}
		_ = json.Unmarshal([]byte(content), &t)
		return t.Text
	}
	return cardElements(content)[elementID]
}

// cardElements maps element ids to contents of a JSON 2.0 card.
func cardElements(cardJSON string) map[string]string {
	var c struct {
		Body struct {
			Elements []struct {
				ElementID string `json:"element_id"`
				Content   string `json:"content"`
			} `json:"elements"`
		} `json:"body"`
	}
	_ = json.Unmarshal([]byte(cardJSON), &c)
	out := map[string]string{}
	for _, e := range c.Body.Elements {
		out[e.ElementID] = e.Content
	}
	return out
}

// answer writes a Feishu JSON answer.
func answer(w http.ResponseWriter, status int, v map[string]any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, msg string) {
	status := http.StatusBadRequest
	if code == 99991400 {
		status = http.StatusTooManyRequests
	}
	answer(w, status, map[string]any{"code": code, "msg": msg})
}

func ok(w http.ResponseWriter, data map[string]any) {
	answer(w, http.StatusOK, map[string]any{"code": 0, "msg": "success", "data": data})
}

// decode reads a JSON request body, checking its content type.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		s.t.Errorf("feishutest: %s %s: content type %q", r.Method, r.URL.Path, ct)
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		s.t.Errorf("feishutest: %s %s: bad body: %v", r.Method, r.URL.Path, err)
		fail(w, CodeBadParams, "bad body")
		return false
	}
	return true
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AppID     string `json:"app_id"`
		AppSecret string `json:"app_secret"`
	}
	if !s.decode(w, r, &req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[OpToken]++
	if req.AppID != s.appID || req.AppSecret != s.appSecret {
		answer(w, http.StatusOK, map[string]any{"code": 10014, "msg": "app secret invalid"})
		return
	}
	s.seq++
	tok := fmt.Sprintf("t-%d", s.seq)
	s.tokens[tok] = time.Now().Add(s.tokenTTL)
	answer(w, http.StatusOK, map[string]any{"code": 0, "msg": "ok", "tenant_access_token": tok,
		"expire": int(s.tokenTTL / time.Second)})
}

// auth checks the bearer token, counts the call and applies injected faults
// before handing the request to h (called with s.mu held).
func (s *Server) auth(op string, h func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.counts[op]++
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if exp, found := s.tokens[tok]; !found || time.Now().After(exp) {
			fail(w, CodeTokenInvalid, "Invalid access token for authorization")
			return
		}
		if q := s.faults[op]; len(q) > 0 {
			s.faults[op] = q[1:]
			fail(w, q[0], "injected")
			return
		}
		h(w, r)
	}
}

func (s *Server) botInfo(w http.ResponseWriter, _ *http.Request) {
	answer(w, http.StatusOK, map[string]any{"code": 0, "msg": "ok",
		"bot": map[string]any{"open_id": s.botOpenID, "app_name": "imbot", "activate_status": 2}})
}
