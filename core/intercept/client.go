package intercept

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"imbot/core"
)

// Headers of a request to an interceptor.
const (
	// HeaderSignature carries "sha256=" and the hex HMAC-SHA256 of the body
	// under the interceptor's secret.
	HeaderSignature = "X-Imbot-Signature"
	// HeaderTimestamp carries the Unix time the request was made, which the
	// signed body repeats as "timestamp", so a receiver can refuse replays.
	HeaderTimestamp = "X-Imbot-Timestamp"
)

// maxAnswerBytes bounds an interceptor's answer body.
const maxAnswerBytes = 64 << 10

// Request is the JSON body POSTed to an interceptor.
type Request struct {
	Interceptor  string    `json:"interceptor"`
	Conversation string    `json:"conversation"`
	Platform     string    `json:"platform"`
	ChatID       string    `json:"chat_id"`
	ChatKind     string    `json:"chat_kind"`
	ThreadID     string    `json:"thread_id,omitempty"`
	UserID       string    `json:"user_id"`
	UserName     string    `json:"user_name,omitempty"`
	MessageID    string    `json:"message_id"`
	Text         string    `json:"text"`
	Received     time.Time `json:"received"`
	// State is the conversation's state set by this interceptor, "" when
	// none holds.
	State     string `json:"state,omitempty"`
	Timestamp int64  `json:"timestamp"`
}

// Result is an interceptor's parsed answer.
type Result struct {
	// Reply is the answer's text; "" declines the message (the normal route
	// answers it).
	Reply string
	// State, when set, puts the conversation in that state for TTL; ""
	// leaves any state of this interceptor.
	State string
	TTL   time.Duration
}

// answer is the JSON an interceptor answers with.
type answer struct {
	Reply string `json:"reply"`
	State string `json:"state"`
	TTL   string `json:"ttl"`
}

// Failure kinds, the outcome label of a failed call.
var (
	errStatus  = errors.New("bad_status")
	errAnswer  = errors.New("bad_answer")
	errTimeout = errors.New("timeout")
)

// ParseResult decodes an interceptor's answer: {"reply": "…", "state":
// "…", "ttl": "10m"}. A state without a ttl lasts 10 minutes; a ttl is at
// most 24 hours; a state name is at most 64 bytes of printable ASCII.
func ParseResult(body []byte) (Result, error) {
	var a answer
	if err := json.Unmarshal(body, &a); err != nil {
		return Result{}, fmt.Errorf("%w: %w", errAnswer, err)
	}
	r := Result{Reply: a.Reply, State: a.State}
	if !validStateName(a.State) {
		return Result{}, fmt.Errorf("%w: state name must be at most %d printable ASCII bytes", errAnswer, maxStateName)
	}
	if a.State == "" {
		return r, nil
	}
	r.TTL = defaultStateTTL
	if a.TTL != "" {
		d, err := time.ParseDuration(a.TTL)
		if err != nil || d <= 0 || d > maxStateTTL {
			return Result{}, fmt.Errorf("%w: ttl %q is not a duration in (0, %s]", errAnswer, a.TTL, maxStateTTL)
		}
		r.TTL = d
	}
	return r, nil
}

// validStateName reports whether s may name a state.
func validStateName(s string) bool {
	if len(s) > maxStateName {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// Sign returns the signature header value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// requestOf builds the body for env, in state (or "") at now.
func requestOf(name string, env core.Envelope, state string, now time.Time) Request {
	return Request{Interceptor: name, Conversation: env.Conversation().String(), Platform: string(env.Platform),
		ChatID: string(env.ChatID), ChatKind: env.ChatKind.String(), ThreadID: string(env.ThreadID),
		UserID: string(env.UserID), UserName: env.UserName, MessageID: string(env.MessageID), Text: env.Text,
		Received: env.Received, State: state, Timestamp: now.Unix()}
}

// call POSTs req to c's endpoint within its timeout and parses the answer.
func call(ctx context.Context, hc *http.Client, c Config, req Request) (Result, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return Result{}, fmt.Errorf("encode request: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("new request: %w", err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set(HeaderTimestamp, strconv.FormatInt(req.Timestamp, 10))
	if c.Secret != "" {
		hreq.Header.Set(HeaderSignature, Sign(c.Secret, body))
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, fmt.Errorf("%w: %w", errTimeout, err)
		}
		return Result{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	switch {
	case err != nil && ctx.Err() != nil:
		return Result{}, fmt.Errorf("%w: read answer: %w", errTimeout, err)
	case err != nil:
		return Result{}, fmt.Errorf("read answer: %w", err)
	case resp.StatusCode == http.StatusNoContent:
		return Result{}, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return Result{}, fmt.Errorf("%w: %d", errStatus, resp.StatusCode)
	case len(data) > maxAnswerBytes:
		return Result{}, fmt.Errorf("%w: longer than %d bytes", errAnswer, maxAnswerBytes)
	}
	return ParseResult(data)
}

// outcome is the metric label of a call's error.
func outcome(err error) string {
	for _, e := range []error{errTimeout, errStatus, errAnswer} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "error"
}
