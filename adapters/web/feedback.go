package web

import (
	"context"
	"errors"
	"time"

	"imbot/core"
	"imbot/core/feedback"
)

// feedbackTimeout bounds storing one vote.
const feedbackTimeout = 5 * time.Second

// votedFrame confirms a vote on the reply to ReplyTo.
type votedFrame struct {
	Type    string `json:"type"` // "voted"
	ReplyTo string `json:"reply_to"`
	Vote    string `json:"vote"`
}

// WithFeedback lets clients vote on answers with feedback frames, each
// handed to f.
func WithFeedback(f core.FeedbackFunc) Option { return func(a *Adapter) { a.feedback = f } }

// vote records a feedback frame, {"type":"feedback","id":"<message id>",
// "vote":"up"|"down"}, on the reply to that message of the connection's
// session, and confirms it to every connection of the session.
func (c *wsConn) vote(f controlFrame) {
	v, ok := core.ParseVote(f.Vote)
	switch {
	case c.a.feedback == nil:
		c.sendError(badRequest("", "this server takes no feedback"))
		return
	case !validMessageID(f.ID) || !ok:
		c.sendError(badRequest("", "feedback needs the id of an answered message and a vote of \"up\" or \"down\""))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), feedbackTimeout)
	defer cancel()
	env := c.a.envelope(c.session, core.MessageID(f.ID), "", c.peer)
	err := c.a.feedback(ctx, core.Feedback{Conversation: env.Conversation(), Turn: env.MessageID, User: env.UserID,
		Vote: v, At: c.a.now()})
	switch {
	case errors.Is(err, feedback.ErrUnknownTurn):
		c.sendError(badRequest(f.ID, "no answered message has that id"))
		return
	case err != nil:
		c.a.log.Warn("web: record feedback", "err", err)
		c.sendError(&requestError{code: codeBusy, replyTo: f.ID, message: "the vote could not be stored; try again"})
		return
	}
	for _, l := range c.a.hub.listeners(c.session) {
		l.push(votedFrame{Type: "voted", ReplyTo: f.ID, Vote: v.String()}, frameOverhead)
	}
}
