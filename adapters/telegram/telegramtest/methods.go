package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

const maxBody = 10 << 20

// readParams reads a multipart, JSON or form body (or none) into strings;
// JSON objects and arrays stay JSON text, as in a multipart field.
func readParams(r *http.Request) (map[string]string, error) {
	params := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "":
		if n, _ := io.Copy(io.Discard, io.LimitReader(r.Body, 1)); n > 0 {
			return nil, fmt.Errorf("body without Content-Type")
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(maxBody); err != nil {
			return nil, fmt.Errorf("multipart body: %w", err)
		}
		for k, v := range r.MultipartForm.Value {
			params[k] = v[0]
		}
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
		if err := r.ParseForm(); err != nil {
			return nil, fmt.Errorf("form body: %w", err)
		}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.NewDecoder(io.LimitReader(r.Body, maxBody)).Decode(&obj); err != nil {
			return nil, fmt.Errorf("JSON body: %w", err)
		}
		for k, v := range obj {
			var s string
			if json.Unmarshal(v, &s) == nil {
				params[k] = s
			} else {
				params[k] = string(v)
			}
		}
	default:
		return nil, fmt.Errorf("unsupported Content-Type %q", ct)
	}
	return params, nil
}

func intParam(p map[string]string, name string) (int64, bool) {
	n, err := strconv.ParseInt(p[name], 10, 64)
	return n, err == nil
}

func (s *Server) getUpdates(ctx context.Context, p map[string]string) reply {
	offset, _ := intParam(p, "offset")
	limit, hasLimit := intParam(p, "limit")
	if !hasLimit || limit < 1 || limit > 100 {
		limit = 100
	}
	timeout, _ := intParam(p, "timeout")
	deadline := time.NewTimer(time.Duration(timeout) * time.Second)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if s.webhook != "" {
			s.mu.Unlock()
			return bad(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
		}
		batch := s.confirmAndTake(offset, int(limit))
		ch := s.changed
		s.mu.Unlock()
		if len(batch) > 0 || timeout <= 0 {
			return ok(batch)
		}
		select {
		case <-ch:
		case <-deadline.C:
			return ok([]json.RawMessage{})
		case <-ctx.Done():
			return ok([]json.RawMessage{})
		case <-s.done:
			return ok([]json.RawMessage{})
		}
	}
}

// confirmAndTake forgets the updates below offset and returns up to limit
// of the rest; s.mu must be held.
func (s *Server) confirmAndTake(offset int64, limit int) []json.RawMessage {
	if offset > 0 {
		keep := s.updates[:0]
		for _, u := range s.updates {
			if u.id >= offset {
				keep = append(keep, u)
			}
		}
		s.updates = keep
	}
	out := []json.RawMessage{}
	for _, u := range s.updates {
		if len(out) == limit {
			break
		}
		out = append(out, u.raw)
	}
	return out
}

// checkText validates a message text as Telegram does and returns its
// visible text.
func checkText(text, parseMode string, allowEmpty bool) (string, *reply) {
	plain := text
	if strings.EqualFold(parseMode, "HTML") {
		var err error
		if plain, err = ParseHTML(text); err != nil {
			r := bad(400, "Bad Request: can't parse entities: "+err.Error())
			return "", &r
		}
	} else if parseMode != "" {
		r := bad(400, "Bad Request: unsupported parse_mode "+parseMode)
		return "", &r
	}
	if strings.TrimSpace(plain) == "" && !allowEmpty {
		r := bad(400, "Bad Request: message text is empty")
		return "", &r
	}
	if UTF16Len(plain) > 4096 {
		r := bad(400, "Bad Request: message is too long")
		return "", &r
	}
	return plain, nil
}

func (s *Server) sendMessage(p map[string]string) reply {
	chatID, okChat := intParam(p, "chat_id")
	if !okChat {
		return bad(400, "Bad Request: "+errNoChat.Error())
	}
	plain, fail := checkText(p["text"], p["parse_mode"], false)
	if fail != nil {
		return *fail
	}
	thread, _ := intParam(p, "message_thread_id")
	var rp models.ReplyParameters
	if raw := p["reply_parameters"]; raw != "" {
		if err := json.Unmarshal([]byte(raw), &rp); err != nil {
			return bad(400, "Bad Request: can't parse reply parameters JSON object")
		}
	}
	s.mu.Lock()
	s.nextMsg[chatID]++
	m := &Message{ChatID: chatID, ID: s.nextMsg[chatID], ThreadID: int(thread), ReplyTo: rp.MessageID,
		Text: p["text"], ParseMode: p["parse_mode"], Plain: plain, SentAt: s.now()}
	s.sent[chatID] = append(s.sent[chatID], m)
	delete(s.drafts, chatID)
	result, copied, onSent := s.modelMessage(m), *m, s.onSent
	s.mu.Unlock()
	if onSent != nil {
		onSent(copied)
	}
	return ok(result)
}

func (s *Server) modelMessage(m *Message) models.Message {
	kind := models.ChatTypePrivate
	if m.ChatID < 0 {
		kind = models.ChatTypeSupergroup
	}
	return models.Message{ID: m.ID, MessageThreadID: m.ThreadID, From: &s.Bot, Date: int(m.SentAt.Unix()),
		Chat: models.Chat{ID: m.ChatID, Type: kind}, Text: m.Plain}
}

func (s *Server) editMessageText(p map[string]string) reply {
	chatID, _ := intParam(p, "chat_id")
	msgID, _ := intParam(p, "message_id")
	plain, fail := checkText(p["text"], p["parse_mode"], false)
	if fail != nil {
		return *fail
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent[chatID] {
		if int64(m.ID) != msgID {
			continue
		}
		if m.Text == p["text"] && m.ParseMode == p["parse_mode"] {
			return bad(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		m.Text, m.ParseMode, m.Plain = p["text"], p["parse_mode"], plain
		m.Edits++
		return ok(s.modelMessage(m))
	}
	return bad(400, "Bad Request: message to edit not found")
}

func (s *Server) sendMessageDraft(p map[string]string) reply {
	chatID, _ := intParam(p, "chat_id")
	if chatID <= 0 {
		return bad(400, "Bad Request: drafts can be sent to private chats only")
	}
	if id, okID := intParam(p, "draft_id"); !okID || id == 0 {
		return bad(400, "Bad Request: draft_id must be a non-zero integer")
	}
	if _, fail := checkText(p["text"], p["parse_mode"], true); fail != nil {
		return *fail
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drafts[chatID] = p["text"]
	return ok(true)
}

func (s *Server) sendChatAction(p map[string]string) reply {
	if _, okChat := intParam(p, "chat_id"); !okChat {
		return bad(400, "Bad Request: "+errNoChat.Error())
	}
	if p["action"] == "" {
		return bad(400, "Bad Request: wrong parameter action in request")
	}
	return ok(true)
}

func (s *Server) deleteMessage(p map[string]string) reply {
	chatID, _ := intParam(p, "chat_id")
	msgID, _ := intParam(p, "message_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := s.sent[chatID]
	for i, m := range msgs {
		if int64(m.ID) == msgID {
			s.sent[chatID] = append(msgs[:i:i], msgs[i+1:]...)
			return ok(true)
		}
	}
	return bad(400, "Bad Request: message to delete not found")
}

func (s *Server) setWebhook(p map[string]string) reply {
	if !strings.HasPrefix(p["url"], "https://") {
		return bad(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook, s.secret = p["url"], p["secret_token"]
	return ok(true)
}

func (s *Server) deleteWebhook(p map[string]string) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.webhook, s.secret = "", ""
	if p["drop_pending_updates"] == "true" {
		s.updates = nil
	}
	return ok(true)
}

func (s *Server) setMyCommands(p map[string]string) reply {
	var cmds []models.BotCommand
	if err := json.Unmarshal([]byte(p["commands"]), &cmds); err != nil {
		return bad(400, "Bad Request: can't parse commands JSON object")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = cmds
	return ok(true)
}
