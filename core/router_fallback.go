package core

import (
	"context"
	"errors"

	"imbot/core/catalog"
)

// fallback answers a turn no chain answered, with the first of: the
// knowledge base's closest entry marked as a best guess (when the match
// reached the business tier), an earlier model answer to the same
// first-turn question from the answer cache, and the degraded reply, which
// says whether the providers were unavailable or too slow. Only the
// degraded reply puts the question in the unanswered queue: the business
// tier has queued it already. A call superseded by a follow-up message
// gets an empty answer, which the dispatcher throws away.
func (r *Router) fallback(ctx context.Context, t modelTurn, err error) Answer {
	if errors.Is(context.Cause(ctx), ErrSuperseded) {
		return Answer{} // thrown away: the turn starts again with a follow-up
	}
	log := r.deps.Logger.With("platform", t.env.Platform, "msg_id", t.env.MessageID, "err", err)
	if t.match.Tier == TierBusiness && t.match.Answer != "" {
		log.Warn("every provider failed: best guess from the knowledge base", "route", RouteFAQGuess, "entry", t.match.EntryID)
		text := r.text(t.lang, catalog.FAQBestGuess) + "\n\n" + t.match.Answer
		return Answer{Reply: Reply{Text: text, Route: RouteFAQGuess}, ReplyTokens: r.deps.Count(text)}
	}
	if a, ok := r.cachedAnswer(t); ok {
		log.Warn("every provider failed: cached answer", "route", RouteCache)
		reply := a.reply
		reply.Route, reply.Text = RouteCache, reply.Text+"\n\n"+r.text(t.lang, catalog.AnswerCached)
		return Answer{Reply: reply, ReplyTokens: a.replyTokens}
	}
	id := catalog.DegradedUnavailable
	if timedOut(ctx, err) {
		id = catalog.DegradedTimeout
	}
	log.Warn("every provider failed: degraded reply", "route", RouteDegraded, "reply", id)
	r.recordUnanswered(ctx, t.env, ReasonDegraded, t.match)
	return Answer{Reply: Reply{Text: r.text(t.lang, id), Route: RouteDegraded}}
}

// cachedAnswer returns the cache's answer to t's question, if it is a
// first-turn question the cache holds.
func (r *Router) cachedAnswer(t modelTurn) (cachedAnswer, bool) {
	if !t.cacheable {
		return cachedAnswer{}, false
	}
	return r.cache.get(t.key)
}

// text returns the catalogue's text id in lang.
func (r *Router) text(lang catalog.Lang, id catalog.ID) string {
	return r.deps.Catalog.Text(lang, id)
}

// knowledgeVersion is the knowledge base's version, 0 when it has none.
func (r *Router) knowledgeVersion() uint64 {
	if v, ok := r.deps.Knowledge.(KnowledgeVersioner); ok {
		return v.Version()
	}
	return 0
}

// timedOut reports whether the turn failed because something took too
// long: the turn's own deadline passed, or a provider timed out.
func timedOut(ctx context.Context, err error) bool {
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		anyFailure(err, func(f Failure) bool { return f.Timeout })
}

// anyFailure reports whether some ProviderError in err's tree has a
// Failure that satisfies pred.
func anyFailure(err error, pred func(Failure) bool) bool {
	if err == nil {
		return false
	}
	var pe ProviderError
	if errors.As(err, &pe) && pred(pe.Failure()) {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if anyFailure(e, pred) {
				return true
			}
		}
	case interface{ Unwrap() error }:
		return anyFailure(u.Unwrap(), pred)
	}
	return false
}
