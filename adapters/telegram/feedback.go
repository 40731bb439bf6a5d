package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/feedback"
)

// maxCallbackData is Telegram's limit on a button's callback data, in bytes.
const maxCallbackData = 64

// feedbackPrefix starts the callback data of a feedback button:
// "fb|<u or d>|<message id answered>|<asker's user id>".
const feedbackPrefix = "fb|"

// WithFeedback puts 👍/👎 buttons under each answer and hands the votes to
// f; the thanks shown when a vote is stored comes from the texts of
// WithTexts.
func WithFeedback(f core.FeedbackFunc) Option { return func(a *Adapter) { a.feedback = f } }

// feedbackData is the callback data of the button voting v on env's answer;
// false when it would not fit.
func feedbackData(env core.Envelope, v core.Vote) (string, bool) {
	s := feedbackPrefix + v.String()[:1] + "|" + string(env.MessageID) + "|" + string(env.UserID)
	return s, len(s) <= maxCallbackData
}

// parseFeedbackData reads callback data made by feedbackData.
func parseFeedbackData(s string) (v core.Vote, turn core.MessageID, asker core.UserID, ok bool) {
	rest, found := strings.CutPrefix(s, feedbackPrefix)
	if !found || len(s) > maxCallbackData {
		return 0, "", "", false
	}
	parts := strings.Split(rest, "|")
	if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
		return 0, "", "", false
	}
	switch parts[0] {
	case "u":
		v = core.VoteUp
	case "d":
		v = core.VoteDown
	default:
		return 0, "", "", false
	}
	return v, core.MessageID(parts[1]), core.UserID(parts[2]), true
}

// offerFeedback puts the vote buttons under the reply's last message. A
// failure is logged: the answer is what matters.
func (w *writer) offerFeedback(ctx context.Context, reply core.Reply) {
	if w.a.feedback == nil || len(w.sent) == 0 || reply.Route == core.RouteCommand || reply.Refusal != "" {
		return
	}
	up, okUp := feedbackData(w.env, core.VoteUp)
	down, okDown := feedbackData(w.env, core.VoteDown)
	if !okUp || !okDown {
		return
	}
	kb := &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{{
		{Text: "👍", CallbackData: up}, {Text: "👎", CallbackData: down}}}}
	last := w.sent[len(w.sent)-1].id
	err := w.a.callOnce(ctx, "editMessageReplyMarkup", func(ctx context.Context) error {
		_, err := w.a.bot.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: w.t.chat, MessageID: last, ReplyMarkup: kb})
		return err
	})
	if err != nil {
		w.log.Warn("feedback buttons not shown", "err", err)
	}
}

// callback handles a callback_query: a vote from a feedback button is
// recorded and acknowledged with answerCallbackQuery (the thanks text, or
// nothing for a button it does not know).
func (a *Adapter) callback(ctx context.Context, q *models.CallbackQuery) {
	text := ""
	if a.feedback != nil {
		text = a.vote(ctx, q)
	}
	err := a.callOnce(ctx, "answerCallbackQuery", func(ctx context.Context) error {
		_, err := a.bot.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: q.ID, Text: text})
		return err
	})
	if err != nil {
		a.log.Warn("answer callback query", "err", err)
	}
}

// vote records the vote q carries and returns the text to show the voter.
func (a *Adapter) vote(ctx context.Context, q *models.CallbackQuery) string {
	v, turn, asker, ok := parseFeedbackData(q.Data)
	msg := q.Message.Message
	if !ok || msg == nil {
		return ""
	}
	env := core.Envelope{Platform: Platform, ChatID: core.ChatID(strconv.FormatInt(msg.Chat.ID, 10)),
		ChatKind: core.ChatGroup, UserID: asker, MessageID: turn, Scope: a.cfg.GroupPolicy.Scope}
	if msg.Chat.Type == models.ChatTypePrivate {
		env.ChatKind = core.ChatDirect
	}
	if msg.IsTopicMessage && msg.MessageThreadID != 0 {
		env.ThreadID = core.ThreadID(strconv.Itoa(msg.MessageThreadID))
	}
	err := a.feedback(ctx, core.Feedback{Conversation: env.Conversation(), Turn: turn,
		User: core.UserID(strconv.FormatInt(q.From.ID, 10)), Vote: v, At: a.now()})
	if err != nil {
		if !errors.Is(err, feedback.ErrUnknownTurn) {
			a.log.Warn("record feedback", "err", err)
		}
		return ""
	}
	lang, _ := catalog.FromTag(q.From.LanguageCode)
	if lang == "" {
		lang = catalog.EN
	}
	return a.texts.Text(lang, catalog.FeedbackThanks)
}
