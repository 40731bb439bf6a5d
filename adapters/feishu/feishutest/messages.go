package feishutest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

type sendBody struct {
	ReceiveID     string `json:"receive_id"`
	MsgType       string `json:"msg_type"`
	Content       string `json:"content"`
	UUID          string `json:"uuid"`
	ReplyInThread bool   `json:"reply_in_thread"`
}

func (s *Server) reply(w http.ResponseWriter, r *http.Request) {
	var b sendBody
	if s.decode(w, r, &b) {
		s.post(w, &Message{ParentID: r.PathValue("id"), MsgType: b.MsgType, Content: b.Content,
			UUID: b.UUID, ReplyInThread: b.ReplyInThread})
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var b sendBody
	if !s.decode(w, r, &b) {
		return
	}
	if r.URL.Query().Get("receive_id_type") != "chat_id" || b.ReceiveID == "" {
		s.t.Errorf("feishutest: create message: receive_id_type %q, receive_id %q", r.URL.Query().Get("receive_id_type"), b.ReceiveID)
		fail(w, CodeBadParams, "receive_id")
		return
	}
	s.post(w, &Message{ChatID: b.ReceiveID, MsgType: b.MsgType, Content: b.Content, UUID: b.UUID})
}

// post validates and records m, or returns the message an earlier call with
// the same uuid posted.
func (s *Server) post(w http.ResponseWriter, m *Message) {
	if len(m.UUID) > uuidLimit {
		s.t.Errorf("feishutest: uuid %q longer than %d", m.UUID, uuidLimit)
	}
	if old, dup := s.byUUID[m.UUID]; dup && m.UUID != "" {
		ok(w, map[string]any{"message_id": old.ID})
		return
	}
	if code, msg := s.checkContent(m.MsgType, m.Content); code != 0 {
		fail(w, code, msg)
		return
	}
	s.seq++
	m.ID = fmt.Sprintf("om_%d", s.seq)
	if cardID := cardRefID(m.Content); m.MsgType == "interactive" && cardID != "" {
		if _, found := s.cards[cardID]; !found {
			fail(w, CodeBadParams, "card_id not found")
			return
		}
		s.byMsg[m.ID] = cardID
	}
	s.messages = append(s.messages, m)
	if m.UUID != "" {
		s.byUUID[m.UUID] = m
	}
	ok(w, map[string]any{"message_id": m.ID, "msg_type": m.MsgType})
}

// checkContent applies Feishu's content rules and size limits.
func (s *Server) checkContent(msgType, content string) (int, string) {
	if !json.Valid([]byte(content)) {
		s.t.Errorf("feishutest: %s content is not JSON: %.80q", msgType, content)
		return CodeBadParams, "content is not JSON"
	}
	switch msgType {
	case "text":
		if len(content) > textLimit {
			return CodeTooLarge, "text too large"
		}
	case "interactive", "post":
		if len(content) > cardLimit {
			return CodeTooLarge, "card too large"
		}
	default:
		s.t.Errorf("feishutest: unexpected msg_type %q", msgType)
		return CodeBadParams, "msg_type"
	}
	return 0, ""
}

// cardRefID returns the card_id of {"type":"card","data":{"card_id":…}}.
func cardRefID(content string) string {
	var ref struct {
		Type string `json:"type"`
		Data struct {
			CardID string `json:"card_id"`
		} `json:"data"`
	}
	if json.Unmarshal([]byte(content), &ref) != nil || ref.Type != "card" {
		return ""
	}
	return ref.Data.CardID
}

func (s *Server) patch(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Content string `json:"content"`
	}
	if !s.decode(w, r, &b) {
		return
	}
	i := slices.IndexFunc(s.messages, func(m *Message) bool { return m.ID == r.PathValue("id") })
	if i < 0 {
		fail(w, CodeBadParams, "message not found")
		return
	}
	m := s.messages[i]
	var c struct {
		Config struct {
			UpdateMulti bool `json:"update_multi"`
		} `json:"config"`
	}
	if m.MsgType != "interactive" || json.Unmarshal([]byte(b.Content), &c) != nil || !c.Config.UpdateMulti {
		s.t.Errorf("feishutest: PATCH of a message that is not an update_multi card")
		fail(w, CodeNotUpdatable, "not updatable")
		return
	}
	if code, msg := s.checkContent("interactive", b.Content); code != 0 {
		fail(w, code, msg)
		return
	}
	m.Patches = append(m.Patches, b.Content)
	ok(w, map[string]any{})
}

func (s *Server) cardCreate(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Type string `json:"type"`
		Data string `json:"data"`
	}
	if !s.decode(w, r, &b) {
		return
	}
	var c struct {
		Schema string `json:"schema"`
		Config struct {
			StreamingMode bool `json:"streaming_mode"`
		} `json:"config"`
	}
	if b.Type != "card_json" || json.Unmarshal([]byte(b.Data), &c) != nil || c.Schema != "2.0" {
		s.t.Errorf("feishutest: create card: type %q, data %.80q", b.Type, b.Data)
		fail(w, CodeBadParams, "card")
		return
	}
	if len(b.Data) > cardLimit {
		fail(w, CodeTooLarge, "card too large")
		return
	}
	s.seq++
	id := fmt.Sprintf("card_%d", s.seq)
	s.cards[id] = &Card{ID: id, JSON: b.Data, Elements: cardElements(b.Data), Streaming: c.Config.StreamingMode}
	ok(w, map[string]any{"card_id": id})
}

func (s *Server) idConvert(w http.ResponseWriter, r *http.Request) {
	var b struct {
		MessageID string `json:"message_id"`
	}
	if !s.decode(w, r, &b) {
		return
	}
	id, found := s.byMsg[b.MessageID]
	if !found {
		fail(w, CodeBadParams, "message has no card")
		return
	}
	ok(w, map[string]any{"card_id": id})
}

type cardOp struct {
	UUID     string `json:"uuid"`
	Sequence int    `json:"sequence"`
}

// sequence checks and records op on c; false when it was answered already.
func (s *Server) sequence(w http.ResponseWriter, c *Card, op cardOp) bool {
	if op.UUID == "" || len(op.UUID) > uuidLimit {
		s.t.Errorf("feishutest: card %s: uuid %q", c.ID, op.UUID)
	}
	if n := len(c.Sequences); n > 0 && op.Sequence <= c.Sequences[n-1] {
		s.t.Errorf("feishutest: card %s: sequence %d after %d", c.ID, op.Sequence, c.Sequences[n-1])
		fail(w, CodeSequence, "sequence")
		return false
	}
	if op.Sequence < 1 {
		s.t.Errorf("feishutest: card %s: sequence %d", c.ID, op.Sequence)
	}
	c.Sequences = append(c.Sequences, op.Sequence)
	return true
}

func (s *Server) cardContent(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Content string `json:"content"`
		cardOp
	}
	if !s.decode(w, r, &b) {
		return
	}
	c, found := s.cards[r.PathValue("card")]
	el := r.PathValue("el")
	if !found {
		fail(w, CodeBadParams, "card not found")
		return
	}
	if _, has := c.Elements[el]; !has {
		s.t.Errorf("feishutest: card %s has no element %q", c.ID, el)
		fail(w, CodeBadParams, "element not found")
		return
	}
	if !c.Streaming {
		fail(w, CodeStreamingEnded, "card is not in streaming mode")
		return
	}
	if !s.sequence(w, c, b.cardOp) {
		return
	}
	c.Elements[el] = b.Content
	if size := cardSize(c); size > cardLimit {
		fail(w, CodeTooLarge, fmt.Sprintf("card is %d bytes", size))
		return
	}
	ok(w, map[string]any{})
}

// cardSize approximates a card's size as the JSON of its elements.
func cardSize(c *Card) int {
	b, _ := json.Marshal(c.Elements)
	return len(b)
}

func (s *Server) cardSettings(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Settings string `json:"settings"`
		cardOp
	}
	if !s.decode(w, r, &b) {
		return
	}
	c, found := s.cards[r.PathValue("card")]
	var set struct {
		Config struct {
			StreamingMode *bool `json:"streaming_mode"`
		} `json:"config"`
	}
	if !found || json.Unmarshal([]byte(b.Settings), &set) != nil {
		s.t.Errorf("feishutest: card settings: card %q, settings %.80q", r.PathValue("card"), b.Settings)
		fail(w, CodeBadParams, "settings")
		return
	}
	if !s.sequence(w, c, b.cardOp) {
		return
	}
	if set.Config.StreamingMode != nil {
		c.Streaming = *set.Config.StreamingMode
	}
	c.Settings = append(c.Settings, b.Settings)
	ok(w, map[string]any{})
}
