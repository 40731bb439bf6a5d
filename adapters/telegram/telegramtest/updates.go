package telegramtest

import (
	"encoding/json"
	"regexp"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// PrivateChat returns the private chat with user.
func PrivateChat(user models.User) models.Chat {
	return models.Chat{ID: user.ID, Type: models.ChatTypePrivate, FirstName: user.FirstName}
}

// Group returns a supergroup chat; id should be negative, as Telegram's are.
func Group(id int64, title string) models.Chat {
	return models.Chat{ID: id, Type: models.ChatTypeSupergroup, Title: title}
}

// User returns a human user.
func User(id int64, name string) models.User {
	return models.User{ID: id, FirstName: name, Username: name}
}

var (
	mentionRE = regexp.MustCompile(`@[A-Za-z0-9_]{3,32}`)
	commandRE = regexp.MustCompile(`^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?`)
)

// NewMessage returns a message from user in chat with the next message id
// of the chat, and the mention and bot_command entities Telegram would add.
func (s *Server) NewMessage(chat models.Chat, from models.User, text string) *models.Message {
	s.mu.Lock()
	s.nextMsg[chat.ID]++
	id := s.nextMsg[chat.ID]
	s.mu.Unlock()
	m := &models.Message{ID: id, From: &from, Chat: chat, Date: int(s.now().Unix()), Text: text}
	if loc := commandRE.FindStringIndex(text); loc != nil {
		m.Entities = append(m.Entities, makeEntity(models.MessageEntityTypeBotCommand, text, loc))
	}
	for _, loc := range mentionRE.FindAllStringIndex(text, -1) {
		if loc[0] > 0 && text[loc[0]-1] == '/' {
			continue
		}
		m.Entities = append(m.Entities, makeEntity(models.MessageEntityTypeMention, text, loc))
	}
	return m
}

// makeEntity makes an entity of the byte range loc of text, in UTF-16 units.
func makeEntity(kind models.MessageEntityType, text string, loc []int) models.MessageEntity {
	return models.MessageEntity{Type: kind, Offset: len(utf16.Encode([]rune(text[:loc[0]]))),
		Length: len(utf16.Encode([]rune(text[loc[0]:loc[1]])))}
}

// BotMessage returns the bot's message id in chat as a message, for
// ReplyToMessage.
func (s *Server) BotMessage(chatID int64, id int) *models.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent[chatID] {
		if m.ID == id {
			msg := s.modelMessage(m)
			return &msg
		}
	}
	return nil
}

// Push queues an update for getUpdates, giving it the next update id when
// its ID is zero, and returns the id.
func (s *Server) Push(u models.Update) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == 0 {
		s.nextUpd++
		u.ID = s.nextUpd
	}
	raw, err := json.Marshal(u)
	if err != nil {
		panic("telegramtest: marshal update: " + err.Error()) // models.Update always marshals
	}
	s.updates = append(s.updates, pendingUpdate{id: u.ID, raw: raw})
	s.notify()
	return u.ID
}

// PushMessage queues m as a new message and returns the update id.
func (s *Server) PushMessage(m *models.Message) int64 {
	return s.Push(models.Update{Message: m})
}

// PushRaw queues a raw update body, for updates the models cannot express.
func (s *Server) PushRaw(id int64, raw json.RawMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, pendingUpdate{id: id, raw: raw})
	s.notify()
}
