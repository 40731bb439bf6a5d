package openaiapi

import (
	"context"
	"errors"
	"net/http"

	"imbot/core"
)

// auto answers q from the router: the knowledge base, the chains, or the
// degraded reply, as a chat message would be.
func (s *Server) auto(ctx context.Context, w http.ResponseWriter, env core.Envelope, q question) core.Route {
	r := reply{id: string(env.MessageID), created: s.deps.Now().Unix(), model: AutoModel}
	if !q.stream {
		ans := s.deps.Router.Answer(ctx, env, wholeWriter{})
		writeJSON(w, http.StatusOK, r.completion(ans.Reply.Text, newUsage(s.promptTokens(q), ans.ReplyTokens)))
		return ans.Reply.Route
	}
	sw := newSSEWriter(w, r)
	ans := s.deps.Router.Answer(ctx, env, sw)
	err := sw.Finish(ctx, ans.Reply)
	if err == nil {
		err = sw.end(usageIf(q.includeUsage, s.promptTokens(q), ans.ReplyTokens))
	}
	s.logSendError(env, err)
	return ans.Reply.Route
}

// direct answers q from one provider. A failure before any text is an
// OpenAI error (502, or 503 when the provider is shedding load); after
// text was streamed, an error event ends the stream. Either way the
// question joins the unanswered queue.
func (s *Server) direct(ctx context.Context, w http.ResponseWriter, env core.Envelope, q question, m Model) core.Route {
	r := reply{id: string(env.MessageID), created: s.deps.Now().Unix(), model: m.Name}
	var sw *sseWriter
	var text string
	onDelta := func(chunk string) {
		text += chunk
		if sw != nil {
			s.logSendError(env, sw.Update(ctx, text))
		}
	}
	if q.stream {
		sw = newSSEWriter(w, r)
	}
	res, err := m.Streamer.Stream(ctx, core.ModelRequest{Messages: q.messages(), MaxTokens: q.maxTokens}, onDelta)
	if err != nil {
		s.unanswered(ctx, env, m.Name, err)
		if sw != nil && sw.started {
			s.logSendError(env, sw.fail(errUpstream(http.StatusBadGateway)))
		} else {
			writeError(w, errUpstream(upstreamStatus(err)))
		}
		return core.RouteDegraded
	}
	completionTokens := res.Usage.CompletionTokens
	if completionTokens == 0 {
		completionTokens = s.deps.Count(res.Text)
	}
	promptTokens := res.Usage.PromptTokens
	if promptTokens == 0 {
		promptTokens = s.promptTokens(q)
	}
	if sw == nil {
		writeJSON(w, http.StatusOK, r.completion(res.Text, newUsage(promptTokens, completionTokens)))
		return core.RouteModel
	}
	err = sw.Finish(ctx, core.Reply{Text: res.Text})
	if err == nil {
		err = sw.end(usageIf(q.includeUsage, promptTokens, completionTokens))
	}
	s.logSendError(env, err)
	return core.RouteModel
}

// usageIf is the usage chunk of a stream when the client asked for it
// (stream_options.include_usage), else nil.
func usageIf(asked bool, prompt, completion int) *usage {
	if !asked {
		return nil
	}
	return newUsage(prompt, completion)
}

// upstreamStatus is 503 when the provider asked to be left alone (429 or
// 503), else 502.
func upstreamStatus(err error) int {
	var pe core.ProviderError
	if errors.As(err, &pe) {
		if st := pe.Failure().Status; st == http.StatusTooManyRequests || st == http.StatusServiceUnavailable {
			return http.StatusServiceUnavailable
		}
	}
	return http.StatusBadGateway
}

// unanswered queues a question a direct model failed.
func (s *Server) unanswered(ctx context.Context, env core.Envelope, provider string, cause error) {
	s.deps.Logger.Warn("api: provider failed", "provider", provider, "msg_id", env.MessageID, "err", cause)
	if s.deps.Unanswered == nil {
		return
	}
	q := core.UnansweredQuestion{Question: env.Text, Conversation: env.Conversation(), Platform: Platform,
		At: s.deps.Now(), Reason: core.ReasonDegraded}
	if err := s.deps.Unanswered.AddUnanswered(context.WithoutCancel(ctx), q); err != nil {
		s.deps.Logger.Error("api: record unanswered question", "err", err)
	}
}

// logSendError logs a failed write to the client (it went away).
func (s *Server) logSendError(env core.Envelope, err error) {
	if err != nil {
		s.deps.Logger.Debug("api: send to client", "msg_id", env.MessageID, "err", err)
	}
}
