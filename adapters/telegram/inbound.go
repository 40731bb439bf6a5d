package telegram

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"imbot/core"
)

// disposition is what to do with an update.
type disposition uint8

const (
	dispIgnore  disposition = iota // not for the bot, or nothing to answer
	dispDeliver                    // a text message: hand it to the dispatcher
	dispNotice                     // a message without text: say the bot reads text only
)

// maxTextBytes bounds the text taken from one message; Telegram's own
// limit (4096 characters) is far below it.
const maxTextBytes = 64 << 10

// parseUpdate turns an update into an envelope and says what to do with it.
// It never panics, whatever the update holds.
func parseUpdate(u *models.Update, self identity, now time.Time) (core.Envelope, disposition) {
	msg, edited := u.Message, false
	if msg == nil && u.EditedMessage != nil {
		msg, edited = u.EditedMessage, true
	}
	if msg == nil || (msg.From != nil && msg.From.IsBot) {
		return core.Envelope{}, dispIgnore
	}
	env := core.Envelope{
		Platform:  Platform,
		ChatID:    core.ChatID(strconv.FormatInt(msg.Chat.ID, 10)),
		MessageID: core.MessageID(strconv.Itoa(msg.ID)),
		EventID:   strconv.FormatInt(u.ID, 10),
		Received:  now,
	}
	switch msg.Chat.Type {
	case models.ChatTypePrivate:
		env.ChatKind = core.ChatDirect
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		env.ChatKind = core.ChatGroup
	default:
		return core.Envelope{}, dispIgnore
	}
	if edited {
		env.MessageID += core.MessageID(":e" + strconv.Itoa(msg.EditDate))
	}
	if msg.IsTopicMessage && msg.MessageThreadID != 0 {
		env.ThreadID = core.ThreadID(strconv.Itoa(msg.MessageThreadID))
	}
	env.UserID, env.UserName = sender(msg)
	if msg.From != nil {
		env.LangHint = msg.From.LanguageCode
	}
	env.RepliesToBot = repliesTo(msg, self.id)
	text, entities := msg.Text, msg.Entities
	if text == "" {
		text, entities = msg.Caption, msg.CaptionEntities
	}
	if text == "" {
		if hasContent(msg) && (env.ChatKind == core.ChatDirect || env.RepliesToBot) {
			return env, dispNotice
		}
		return core.Envelope{}, dispIgnore
	}
	if len(text) > maxTextBytes {
		text = strings.ToValidUTF8(text[:maxTextBytes], "")
	}
	text, mentions, forOther := stripMentions(text, entities, self)
	if forOther || strings.TrimSpace(text) == "" {
		return core.Envelope{}, dispIgnore
	}
	env.Text, env.MentionsBot = text, mentions
	return env, dispDeliver
}

// sender returns the id and display name of who sent msg: the user, or the
// chat an anonymous admin or a channel speaks for.
func sender(msg *models.Message) (core.UserID, string) {
	if msg.SenderChat != nil {
		return core.UserID("chat:" + strconv.FormatInt(msg.SenderChat.ID, 10)), msg.SenderChat.Title
	}
	if msg.From == nil {
		return core.UserID("chat:" + strconv.FormatInt(msg.Chat.ID, 10)), ""
	}
	name := strings.TrimSpace(msg.From.FirstName + " " + msg.From.LastName)
	if name == "" {
		name = msg.From.Username
	}
	return core.UserID(strconv.FormatInt(msg.From.ID, 10)), name
}

// repliesTo reports an explicit reply to one of the bot's messages. In a
// forum every message replies to the topic's first message, which is not
// the user addressing the bot.
func repliesTo(msg *models.Message, botID int64) bool {
	r := msg.ReplyToMessage
	return r != nil && r.From != nil && r.From.ID == botID && r.ForumTopicCreated == nil
}

// hasContent reports a message that a user sent on purpose but that has no
// text: media, stickers, voice, contacts, places, polls.
func hasContent(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Sticker != nil || m.Voice != nil || m.Audio != nil || m.Video != nil ||
		m.VideoNote != nil || m.Document != nil || m.Animation != nil || m.Contact != nil ||
		m.Location != nil || m.Venue != nil || m.Poll != nil || m.Dice != nil
}

// stripMentions removes the bot's @username and text mentions from text and
// the "@botname" suffix of a leading command. mentions reports that the bot
// was mentioned; forOther that the leading command names another bot.
// Entity offsets are UTF-16 units, as Telegram sends them; entities that do
// not fit the text are skipped.
func stripMentions(text string, entities []models.MessageEntity, self identity) (out string, mentions, forOther bool) {
	units := utf16.Encode([]rune(text))
	var cuts [][2]int
	for _, e := range entities {
		lo, hi := e.Offset, e.Offset+e.Length
		if lo < 0 || e.Length <= 0 || hi > len(units) || hi < lo {
			continue
		}
		word := string(utf16.Decode(units[lo:hi]))
		switch e.Type {
		case models.MessageEntityTypeMention:
			if self.username != "" && strings.EqualFold(word, "@"+self.username) {
				mentions = true
				cuts = append(cuts, [2]int{lo, hi})
			}
		case models.MessageEntityTypeTextMention:
			if e.User != nil && e.User.ID == self.id {
				mentions = true
				cuts = append(cuts, [2]int{lo, hi})
			}
		case models.MessageEntityTypeBotCommand:
			cmd, target, found := strings.Cut(word, "@")
			switch {
			case lo != 0 || !found:
			case strings.EqualFold(target, self.username):
				cuts = append(cuts, [2]int{lo + len(utf16.Encode([]rune(cmd))), hi})
			default:
				forOther = true
			}
		}
	}
	return strings.TrimSpace(cut(units, cuts)), mentions, forOther
}

// cut removes the ranges from units, with one space next to each so that
// "ask @bot now" becomes "ask now", and returns the text.
func cut(units []uint16, cuts [][2]int) string {
	if len(cuts) == 0 {
		return string(utf16.Decode(units))
	}
	drop := make([]bool, len(units))
	for _, c := range cuts {
		for i := c[0]; i < c[1]; i++ {
			drop[i] = true
		}
		if c[1] < len(units) && units[c[1]] == ' ' && (c[0] == 0 || units[c[0]-1] == ' ') {
			drop[c[1]] = true
		}
	}
	kept := make([]uint16, 0, len(units))
	for i, u := range units {
		if !drop[i] {
			kept = append(kept, u)
		}
	}
	return string(utf16.Decode(kept))
}

// target is where a reply goes, parsed from the envelope it answers.
type target struct {
	chat    int64
	thread  int
	replyTo int // the message answered, in groups; 0 in private chats
	direct  bool
}

// targetOf parses env's ids, which this adapter made.
func targetOf(env core.Envelope) (target, error) {
	chat, err := strconv.ParseInt(string(env.ChatID), 10, 64)
	if err != nil {
		return target{}, err
	}
	t := target{chat: chat, direct: env.ChatKind == core.ChatDirect}
	if env.ThreadID != "" {
		if t.thread, err = strconv.Atoi(string(env.ThreadID)); err != nil {
			return target{}, err
		}
	}
	if !t.direct {
		id, _, _ := strings.Cut(string(env.MessageID), ":")
		if t.replyTo, err = strconv.Atoi(id); err != nil {
			return target{}, err
		}
	}
	return t, nil
}
