package intercept

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/metric"
)

// Deps are what an Interceptors uses. States is required.
type Deps struct {
	States core.StateStore
	// Catalog and Picker give the state_expired notice in the user's
	// language; nil uses the built-in texts and a Picker of its own.
	Catalog *catalog.Catalog
	Picker  *catalog.Picker
	// Client makes the calls; nil uses a client of its own (each call is
	// bounded by its interceptor's timeout).
	Client  *http.Client
	Logger  *slog.Logger
	Metrics metric.Meter
	Now     func() time.Time
}

// interceptor is one configured endpoint.
type interceptor struct {
	cfg      Config
	pattern  *regexp.Regexp // nil when only keywords select
	keywords []string       // case folded
}

// Interceptors runs the [[interceptors]] before another Answerer (the
// router). It implements core.Answerer and is safe for concurrent use.
type Interceptors struct {
	list  []*interceptor
	deps  Deps
	calls metric.CounterVec
}

// New checks cfgs and returns the interceptors; it starts nothing.
func New(cfgs []Config, deps Deps) (*Interceptors, error) {
	if p := Validate(cfgs); len(p) > 0 {
		return nil, fmt.Errorf("intercept: %s", strings.Join(p, "; "))
	}
	if deps.States == nil {
		return nil, errors.New("intercept: a state store is required")
	}
	deps = withDefaults(deps)
	ic := &Interceptors{deps: deps, calls: deps.Metrics.Counter("imbot_interceptor_calls_total",
		"Interceptor calls by interceptor and outcome (reply, context, declined, timeout, bad_status, bad_answer, error).",
		"interceptor", "outcome")}
	for _, c := range cfgs {
		it := &interceptor{cfg: c.WithDefaults()}
		if c.Pattern != "" {
			it.pattern = regexp.MustCompile(c.Pattern) // Validate compiled it
		}
		for _, k := range c.Keywords {
			it.keywords = append(it.keywords, strings.ToLower(strings.TrimSpace(k)))
		}
		ic.list = append(ic.list, it)
	}
	return ic, nil
}

// withDefaults fills in the optional dependencies.
func withDefaults(d Deps) Deps {
	if d.Picker == nil {
		d.Picker = catalog.NewPicker(catalog.EN)
	}
	if d.Client == nil {
		d.Client = &http.Client{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = metric.Discard()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	return d
}

// matches reports whether text selects it.
func (it *interceptor) matches(text string) bool {
	if it.pattern != nil && it.pattern.MatchString(text) {
		return true
	}
	lower := strings.ToLower(text)
	for _, k := range it.keywords {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// Wrap returns the Answerer that runs the interceptors before next.
func (ic *Interceptors) Wrap(next core.Answerer) core.Answerer {
	return answerer{ic: ic, next: next}
}

// answerer is an Interceptors in front of the normal route.
type answerer struct {
	ic   *Interceptors
	next core.Answerer
}

// Answer implements core.Answerer: a conversation in a state goes to the
// state's interceptor first, else the first interceptor whose pattern or
// keywords match; its answer is the reply (mode reply) or is added to the
// model's context (mode context). A lapsed state is forgotten and the reply
// starts with the state_expired notice. A failed or declining interceptor
// leaves the message to the normal route.
func (a answerer) Answer(ctx context.Context, env core.Envelope, w core.ReplyWriter) core.Answer {
	it, state, expired := a.ic.route(ctx, env)
	ans, ok := core.Answer{}, false
	if it != nil {
		ans, env, ok = a.ic.ask(ctx, it, state, env)
	}
	if !ok {
		ans = a.next.Answer(ctx, env, w)
	}
	if expired {
		lang := a.ic.deps.Picker.Pick(env.Sender(), env.Text, "")
		ans.Reply.Text = a.ic.deps.Catalog.Text(lang, catalog.StateExpired) + "\n\n" + ans.Reply.Text
	}
	return ans
}

// route picks the interceptor for env: the one whose state holds for its
// conversation (returned with that state's name), else the first that
// matches. expired reports a state that lapsed (and is now forgotten).
func (ic *Interceptors) route(ctx context.Context, env core.Envelope) (it *interceptor, state string, expired bool) {
	conv := env.Conversation()
	st, ok, err := ic.deps.States.State(ctx, conv)
	if err != nil {
		ic.deps.Logger.Error("read conversation state; routing as if none", "err", err)
	}
	if ok {
		holder := ic.byName(st.Owner)
		expired = !ic.deps.Now().Before(st.Expires)
		if expired || holder == nil {
			ic.clear(ctx, conv)
		} else {
			return holder, st.Name, false
		}
	}
	for _, it := range ic.list {
		if it.matches(env.Text) {
			return it, "", expired
		}
	}
	return nil, "", expired
}

// byName returns the interceptor called name, nil when none is.
func (ic *Interceptors) byName(name string) *interceptor {
	for _, it := range ic.list {
		if it.cfg.Name == name {
			return it
		}
	}
	return nil
}

// clear forgets conv's state, logging a failure.
func (ic *Interceptors) clear(ctx context.Context, conv core.ConversationKey) {
	if _, err := ic.deps.States.ClearState(context.WithoutCancel(ctx), conv); err != nil {
		ic.deps.Logger.Error("clear conversation state", "err", err)
	}
}

// ask calls it for env in state and keeps the state it sets. It returns the
// reply and true when it answered (mode reply), or env with the answer as
// context (mode context) and false; on failure env unchanged and false.
func (ic *Interceptors) ask(ctx context.Context, it *interceptor, state string, env core.Envelope) (core.Answer, core.Envelope, bool) {
	name := it.cfg.Name
	res, err := call(ctx, ic.deps.Client, it.cfg, requestOf(name, env, state, ic.deps.Now()))
	if errors.Is(context.Cause(ctx), core.ErrSuperseded) {
		return core.Answer{}, env, false // the turn starts again; nothing to count
	}
	if err != nil {
		ic.calls.With(name, outcome(err)).Inc()
		ic.deps.Logger.Warn("interceptor failed; normal route", "interceptor", name, "platform", env.Platform,
			"msg_id", env.MessageID, "err", err)
		return core.Answer{}, env, false
	}
	ic.keepState(ctx, it, state, env.Conversation(), res)
	switch {
	case res.Reply == "":
		ic.calls.With(name, "declined").Inc()
		return core.Answer{}, env, false
	case it.cfg.Mode == ModeContext:
		ic.calls.With(name, string(ModeContext)).Inc()
		env.Context = strings.TrimSpace(env.Context + "\n\nInformation from the " + name + " service:\n" + res.Reply)
		return core.Answer{}, env, false
	}
	ic.calls.With(name, string(ModeReply)).Inc()
	return core.Answer{Reply: core.Reply{Text: res.Reply, Route: core.RouteIntercept, Provider: name}}, env, true
}

// keepState sets the state res asks for, or forgets the one it held.
func (ic *Interceptors) keepState(ctx context.Context, it *interceptor, held string, conv core.ConversationKey, res Result) {
	if res.State == "" {
		if held != "" {
			ic.clear(ctx, conv)
		}
		return
	}
	st := core.ConversationState{Owner: it.cfg.Name, Name: res.State, Expires: ic.deps.Now().Add(res.TTL)}
	if err := ic.deps.States.SetState(context.WithoutCancel(ctx), conv, st); err != nil {
		ic.deps.Logger.Error("save conversation state", "interceptor", it.cfg.Name, "err", err)
	}
}

// CancelCommand is /cancel: it leaves the conversation's state, answering
// cancel_done, or cancel_nothing when there was none.
func (ic *Interceptors) CancelCommand() core.Command {
	return core.Command{
		Name: "cancel",
		Help: catalog.HelpCancel,
		Run: func(ctx context.Context, req core.CommandRequest) (string, error) {
			had, err := ic.deps.States.ClearState(ctx, req.Envelope.Conversation())
			if err != nil {
				return "", fmt.Errorf("intercept: cancel: %w", err)
			}
			if had {
				return req.Text(catalog.CancelDone), nil
			}
			return req.Text(catalog.CancelNothing), nil
		},
	}
}
