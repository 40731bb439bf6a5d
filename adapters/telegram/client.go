package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core/kit"
)

// maxUpdatesBody bounds a getUpdates response: 100 updates of at most a
// few KiB each, with room to spare.
const maxUpdatesBody = 16 << 20

// pollLimit is how many updates one getUpdates call asks for (Telegram's
// maximum).
const pollLimit = 100

// allowedUpdates are the update kinds the adapter asks Telegram for.
var allowedUpdates = []string{"message", "edited_message"}

// maxIdleConns is how many idle connections to the Bot API the default
// client keeps: replies to many chats run at once, all to one host, and
// the transport's default of two would dial (and handshake) most calls
// anew.
const maxIdleConns = 64

// defaultHTTPClient returns the client used without WithHTTPClient.
func defaultHTTPClient() *http.Client {
	return &http.Client{Transport: kit.PooledTransport(maxIdleConns)}
}

// fetched is one update of a getUpdates batch. upd is nil when the update
// could not be decoded; its id still moves the offset past it.
type fetched struct {
	id  int64
	upd *models.Update
}

// getUpdates long-polls for updates from offset on. The library's own
// poller confirms a batch to Telegram as soon as it is queued in memory, so
// the adapter polls itself and asks for the next batch only once the
// current one is durably delivered.
func (a *Adapter) getUpdates(ctx context.Context, offset int64) ([]fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.PollTimeout+a.cfg.RequestTimeout)
	defer cancel()
	body, err := json.Marshal(map[string]any{
		"offset": offset, "limit": pollLimit,
		"timeout": int(a.cfg.PollTimeout / time.Second), "allowed_updates": allowedUpdates,
	})
	if err != nil {
		return nil, fmt.Errorf("telegram: get updates: %w", err)
	}
	url := strings.TrimRight(a.cfg.APIURL, "/") + "/bot" + a.cfg.Token + "/getUpdates"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, a.redact(fmt.Errorf("telegram: get updates: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.http.Do(req)
	if err != nil {
		return nil, a.redact(fmt.Errorf("telegram: get updates: %w", err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxUpdatesBody))
	if err != nil {
		return nil, fmt.Errorf("telegram: get updates: read body: %w", err)
	}
	var items []json.RawMessage
	if err := decodeResponse(raw, &items); err != nil {
		return nil, fmt.Errorf("telegram: get updates: %w", err)
	}
	return decodeUpdates(items), nil
}

// decodeUpdates decodes each update on its own, so one update of an unknown
// shape does not stall the whole batch.
func decodeUpdates(items []json.RawMessage) []fetched {
	out := make([]fetched, 0, len(items))
	for _, item := range items {
		u := new(models.Update)
		if err := json.Unmarshal(item, u); err != nil {
			var head struct {
				ID int64 `json:"update_id"`
			}
			_ = json.Unmarshal(item, &head)
			out = append(out, fetched{id: head.ID})
			continue
		}
		out = append(out, fetched{id: u.ID, upd: u})
	}
	return out
}

// apiResponse is the Bot API's response envelope.
type apiResponse struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

// decodeResponse decodes a response envelope into dest, or returns its
// error as the same error values the library returns, so one set of checks
// handles both.
func decodeResponse(raw []byte, dest any) error {
	var r apiResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("decode response: %w", err)
	}
	if !r.OK {
		return apiError(r)
	}
	if err := json.Unmarshal(r.Result, dest); err != nil {
		return fmt.Errorf("decode result: %w", err)
	}
	return nil
}

func apiError(r apiResponse) error {
	switch r.ErrorCode {
	case http.StatusTooManyRequests:
		return &bot.TooManyRequestsError{Message: bot.ErrorTooManyRequests.Error() + ", " + r.Description, RetryAfter: r.Parameters.RetryAfter}
	case http.StatusBadRequest:
		return fmt.Errorf("%w, %s", bot.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", bot.ErrorUnauthorized, r.Description)
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", bot.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", bot.ErrorConflict, r.Description)
	}
	return fmt.Errorf("error response %d %s", r.ErrorCode, r.Description)
}

// redactedError hides the bot token, which URLs in errors contain.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every occurrence of the token masked.
func (a *Adapter) redact(err error) error {
	if err == nil || a.cfg.Token == "" || !strings.Contains(err.Error(), a.cfg.Token) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), a.cfg.Token, "<token>"), err: err}
}

// retryAfter returns the wait a 429 answer asks for.
func retryAfter(err error) (time.Duration, bool) {
	var tm *bot.TooManyRequestsError
	if !errors.As(err, &tm) {
		return 0, false
	}
	return time.Duration(max(tm.RetryAfter, 1)) * time.Second, true
}

// provenUnsent reports whether err proves that Telegram did not post the
// request's message: an error answer from the API (429 included) or a
// connection that was never made. Anything else (a timeout, a connection
// lost after the request was written) leaves it unknown.
func provenUnsent(err error) bool {
	var tm *bot.TooManyRequestsError
	var me *bot.MigrateError
	var op *net.OpError
	switch {
	case errors.As(err, &tm), errors.As(err, &me),
		errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized),
		errors.Is(err, bot.ErrorForbidden), errors.Is(err, bot.ErrorNotFound),
		errors.Is(err, bot.ErrorConflict), strings.Contains(err.Error(), "error response from telegram"):
		return true
	case errors.As(err, &op):
		return op.Op == "dial"
	}
	return false
}

// isBadRequest reports a 400 answer whose description contains what.
func isBadRequest(err error, what string) bool {
	return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), what)
}

// isTransient reports an error worth retrying: network failures, timeouts
// of one call and 5xx answers, but no answer Telegram gave on purpose.
func isTransient(err error) bool {
	var tm *bot.TooManyRequestsError
	var me *bot.MigrateError
	switch {
	case errors.Is(err, context.Canceled), errors.As(err, &tm), errors.As(err, &me),
		errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized),
		errors.Is(err, bot.ErrorForbidden), errors.Is(err, bot.ErrorNotFound),
		errors.Is(err, bot.ErrorConflict):
		return false
	}
	return true
}
