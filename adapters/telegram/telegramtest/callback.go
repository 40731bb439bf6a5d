package telegramtest

import (
	"encoding/json"

	"github.com/go-telegram/bot/models"
)

// editMessageReplyMarkup sets the inline keyboard of a sent message.
func (s *Server) editMessageReplyMarkup(p map[string]string) reply {
	chatID, _ := intParam(p, "chat_id")
	msgID, _ := intParam(p, "message_id")
	var kb models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(p["reply_markup"]), &kb); err != nil {
		return bad(400, "Bad Request: can't parse reply keyboard markup JSON object")
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if len(b.CallbackData) > 64 {
				return bad(400, "Bad Request: BUTTON_DATA_INVALID")
			}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.sent[chatID] {
		if int64(m.ID) == msgID {
			m.Markup = p["reply_markup"]
			return ok(s.modelMessage(m))
		}
	}
	return bad(400, "Bad Request: message to edit not found")
}

// answerCallbackQuery acknowledges a callback query; Calls shows its text.
func (s *Server) answerCallbackQuery(p map[string]string) reply {
	if p["callback_query_id"] == "" {
		return bad(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
	}
	return ok(true)
}

// Callback returns the callback_query update of user pressing the button
// with data under the bot's message msg.
func Callback(id string, from models.User, msg *models.Message, data string) models.Update {
	return models.Update{CallbackQuery: &models.CallbackQuery{ID: id, From: from, Data: data,
		Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: msg}}}
}
