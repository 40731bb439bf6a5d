package feishu

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/feedback"
)

// eventCardAction is the callback of a card button press.
const eventCardAction = "card.action.trigger"

// WithFeedback puts 👍/👎 buttons on each answer card and hands the votes
// (card.action.trigger callbacks, verified as every webhook call is) to f.
func WithFeedback(f core.FeedbackFunc) Option { return func(a *Adapter) { a.feedback = f } }

// voteValue is the value a vote button sends back: the vote and enough of
// the answered message's envelope to name its conversation.
type voteValue struct {
	Vote   string `json:"imbot_vote"` // "up" or "down"
	Turn   string `json:"turn"`       // the message answered
	Chat   string `json:"chat"`
	Group  bool   `json:"group,omitempty"`
	Thread string `json:"thread,omitempty"`
	Asker  string `json:"asker"`
}

// cardAction is the action of a card.action.trigger callback.
type cardAction struct {
	Value json.RawMessage `json:"value"`
}

type (
	// voteRow is the card element holding the two vote buttons.
	voteRow struct {
		Tag      string       `json:"tag"` // "column_set"
		FlexMode string       `json:"flex_mode"`
		Columns  []voteColumn `json:"columns"`
	}
	voteColumn struct {
		Tag      string       `json:"tag"` // "column"
		Width    string       `json:"width"`
		Elements []voteButton `json:"elements"`
	}
	voteButton struct {
		Tag       string         `json:"tag"` // "button"
		Text      buttonText     `json:"text"`
		Size      string         `json:"size"`
		Behaviors []voteBehavior `json:"behaviors"`
	}
	buttonText struct {
		Tag     string `json:"tag"` // "plain_text"
		Content string `json:"content"`
	}
	voteBehavior struct {
		Type  string    `json:"type"` // "callback"
		Value voteValue `json:"value"`
	}
)

// toastAnswer is the answer to a card callback that shows a toast.
type toastAnswer struct {
	Toast struct {
		Type    string `json:"type"`
		Content string `json:"content"`
	} `json:"toast"`
}

// votes returns the vote buttons for this reply's card, none without
// feedback or for a reply that is no answer.
func (w *writer) votes() []any {
	if w.a.feedback == nil || w.noVotes {
		return nil
	}
	env := w.env
	v := voteValue{Turn: string(env.MessageID), Chat: string(env.ChatID), Group: env.ChatKind == core.ChatGroup,
		Thread: string(env.ThreadID), Asker: string(env.UserID)}
	column := func(label, vote string) voteColumn {
		v.Vote = vote
		return voteColumn{Tag: "column", Width: "auto", Elements: []voteButton{{Tag: "button", Size: "small",
			Text: buttonText{Tag: "plain_text", Content: label}, Behaviors: []voteBehavior{{Type: "callback", Value: v}}}}}
	}
	return []any{voteRow{Tag: "column_set", FlexMode: "none", Columns: []voteColumn{column("👍", "up"), column("👎", "down")}}}
}

// parseVoteValue reads a vote button's value; false for any other value.
func parseVoteValue(raw []byte) (voteValue, core.Vote, bool) {
	var v voteValue
	if json.Unmarshal(raw, &v) != nil || v.Turn == "" || v.Chat == "" || v.Asker == "" {
		return voteValue{}, core.VoteNone, false
	}
	vote, ok := core.ParseVote(v.Vote)
	return v, vote, ok
}

// cardAction records the vote of a verified card.action.trigger callback
// and answers with a toast: the thanks, or nothing for an unknown button.
func (a *Adapter) cardAction(ctx context.Context, e event) (int, []byte) {
	v, vote, ok := parseVoteValue(e.Event.Action.Value)
	if !ok || a.feedback == nil {
		return http.StatusOK, []byte(`{}`)
	}
	env := core.Envelope{Platform: Platform, ChatID: core.ChatID(v.Chat), ThreadID: core.ThreadID(v.Thread),
		UserID: core.UserID(v.Asker), MessageID: core.MessageID(v.Turn), Scope: a.cfg.GroupPolicy.Scope}
	if v.Group {
		env.ChatKind = core.ChatGroup
	}
	err := a.feedback(ctx, core.Feedback{Conversation: env.Conversation(), Turn: env.MessageID,
		User: core.UserID(e.Event.Operator.OpenID), Vote: vote, At: a.now()})
	if err != nil {
		if !errors.Is(err, feedback.ErrUnknownTurn) {
			a.log.Warn("record feedback", "err", err)
		}
		return http.StatusOK, []byte(`{}`)
	}
	lang := a.picker.Pick(string(Platform)+":"+e.Event.Operator.OpenID, "", "")
	var answer toastAnswer
	answer.Toast.Type, answer.Toast.Content = "success", a.texts.Text(lang, catalog.FeedbackThanks)
	body, _ := json.Marshal(answer)
	return http.StatusOK, body
}
