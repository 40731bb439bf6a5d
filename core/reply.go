package core

import (
	"context"
	"errors"
	"net/http"
)

// Route says what produced a reply.
type Route string

// Routes. The strings are part of the web protocol and the history records.
const (
	RouteModel     Route = "model"       // a model provider answered
	RouteFAQ       Route = "faq"         // the FAQ knowledge base answered, no model call
	RouteDegraded  Route = "degraded"    // every provider failed and no fallback had an answer; the degraded reply
	RouteFAQGuess  Route = "faq_guess"   // every provider failed; the knowledge base's closest answer, marked as a best guess
	RouteCache     Route = "cache"       // an earlier model answer to the same question, from the answer cache
	RouteCommand   Route = "command"     // a command such as /help or /reset
	RouteIntercept Route = "interceptor" // an [[interceptors]] endpoint answered
)

// Refusal says why a message was answered without a turn (the dispatcher)
// or without a model (the safety guard).
type Refusal string

// Refusals. The strings are part of the web protocol.
const (
	RefusalBusy        Refusal = "busy"         // the queue is full; try again soon
	RefusalRateLimited Refusal = "rate_limited" // the sender is over their rate limit
	// RefusalServiceProblem: the message could not be stored (a full disk);
	// it was not accepted.
	RefusalServiceProblem Refusal = "service_problem"
	// RefusalSensitive: the question holds a sensitive word; no model saw it.
	RefusalSensitive Refusal = "sensitive"
	// RefusalDenied: the allow-list does not admit the sender.
	RefusalDenied Refusal = "denied"
)

// Reply is the final answer to one Envelope.
type Reply struct {
	Text     string
	Route    Route
	Provider string // provider name, for RouteModel and RouteCache
	Model    string // model name, for RouteModel and RouteCache
	// Refusal is set when the dispatcher refused the message (and Text says so
	// in words); adapters that can signal it natively (HTTP 503, an error
	// frame) do so, others send Text.
	Refusal Refusal
}

// ReplyWriter renders one reply on its platform as it is produced.
//
// The dispatcher calls Update zero or more times and then Finish, all from
// one goroutine. Finish is called once, or again after it failed, to retry
// the send (then from another goroutine, but never concurrently); a repeated
// Finish continues from what the failed one already delivered. Update receives the whole text so far (it only ever
// grows); the adapter throttles and renders it in its own way and may drop
// intermediate updates. Finish delivers the complete reply; it must not return
// before the reply is handed to the platform (or has failed).
type ReplyWriter interface {
	Update(ctx context.Context, textSoFar string) error
	Finish(ctx context.Context, reply Reply) error
}

// ErrReplyUncertain is wrapped by a Finish error when the request may have
// reached the platform and posted the reply although no answer came back (a
// response lost on the way). The dispatcher does not send such a reply
// again, so that the user does not get it twice.
var ErrReplyUncertain = errors.New("core: reply may have been posted")

// DeliverFunc hands an inbound message to the dispatcher. It returns once the
// message is durably accepted (or recognised as a duplicate, or refused and
// answered); only then may the adapter acknowledge the platform. An error means
// the message was not accepted: the adapter must not acknowledge it, so that the
// platform delivers it again.
type DeliverFunc func(ctx context.Context, env Envelope) error

// Adapter connects one platform.
//
// Name and Reply may be called from any goroutine at any time after the
// Adapter is constructed, including before Run and for envelopes received by
// an earlier process (replayed after a restart).
type Adapter interface {
	// Name is the platform this adapter serves; it equals Envelope.Platform of
	// every message it delivers.
	Name() Platform
	// Run connects to the platform and delivers messages until ctx ends. It
	// is the only method that starts network I/O.
	Run(ctx context.Context, deliver DeliverFunc) error
	// Reply opens a writer for the answer to env.
	Reply(ctx context.Context, env Envelope) (ReplyWriter, error)
}

// Typer is implemented by adapters that can show a "typing…" indicator. The
// dispatcher calls it when a turn starts, on the turn's goroutine, so it must
// return at once; the adapter keeps the indicator alive in the background
// until the turn's reply is finished or ctx ends.
type Typer interface {
	Typing(ctx context.Context, env Envelope)
}

// QuietRefuser is implemented by adapters that can mark a refused message
// without writing to the user (the web chat's error frame names the message
// and joins others). The dispatcher calls it for a refusal it sends no
// notice for, from any goroutine; it must return at once.
type QuietRefuser interface {
	RefuseQuietly(env Envelope, why Refusal)
}

// LocalReplier is implemented by adapters whose replies reach the user only
// through connections held by the replica that accepted the message (the
// web chat's WebSockets and waiting HTTP requests). Among replicas, the
// dispatcher never hands such a message over to the replica holding its
// conversation: it pins the turn to this replica, which waits for the
// conversation's lease and runs it here (see Coordinator.Accepted).
type LocalReplier interface {
	// RepliesLocally reports whether replies need this replica's
	// connections. It must return at once.
	RepliesLocally() bool
}

// Checker is implemented by adapters that can tell whether they are connected.
// A nil error means ready; it is used by /readyz.
type Checker interface {
	Check(ctx context.Context) error
}

// Mounter is implemented by adapters that serve HTTP routes (a webhook, the
// web chat) on the daemon's own listener. Mount is called once, before Run.
type Mounter interface {
	Mount(mux *http.ServeMux)
}
