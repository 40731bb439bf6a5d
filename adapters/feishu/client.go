package feishu

import (
	"imbot/core/kit"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	larkcore "github.com/larksuite/oapi-sdk-go/v3/core"
)

// Feishu API error codes the adapter acts on.
const (
	codeRateLimited    = 230020   // message/card update rate limit
	codeFrequencyLimit = 99991400 // app-wide request frequency limit
	codeRecalled       = 230011   // reply target was recalled
	codeTargetGone     = 230017   // reply target cannot be found
	codeTargetDeleted  = 230040   // reply target was deleted
)

// tokenInvalidCodes mean the tenant access token was refused: refresh it.
var tokenInvalidCodes = [...]int{99991661, 99991663, 99991664, 99991668, 99991677}

const (
	callTimeout  = 10 * time.Second // one HTTP attempt
	maxAttempts  = 5                // per API call, rate-limit and transient errors
	retryBase    = 250 * time.Millisecond
	retryCap     = 4 * time.Second
	tokenPath    = "/open-apis/auth/v3/tenant_access_token/internal"
	tokenMargin  = 3 * time.Minute // refresh this long before a token expires
	maxTokenLife = 24 * time.Hour
)

// apiError is a Feishu API answer with a non-zero code or an HTTP error status.
type apiError struct {
	Status int // HTTP status
	Code   int // Feishu code; 0 when the body had none
	Msg    string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("code %d (http %d): %s", e.Code, e.Status, e.Msg)
}

// apiCode returns the Feishu code of err, or 0.
func apiCode(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// retryable reports whether a call that failed with err may be repeated
// unchanged: rate limits, server errors and network errors. Every call the
// adapter makes is idempotent (uuid, sequence or PATCH semantics).
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	var ae *apiError
	if !errors.As(err, &ae) {
		return true // transport error or timeout of one attempt
	}
	return ae.Code == codeRateLimited || ae.Code == codeFrequencyLimit ||
		ae.Status == http.StatusTooManyRequests || ae.Status >= 500
}

func tokenInvalid(err error) bool {
	c := apiCode(err)
	for _, t := range tokenInvalidCodes {
		if c == t {
			return true
		}
	}
	return false
}

// apiStatus is the part every Feishu JSON answer has.
type apiStatus struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

func (s apiStatus) status() apiStatus { return s }

type statuser interface{ status() apiStatus }

// client makes the raw API calls: one tenant token per client, retries with
// backoff, errors counted by code. It is safe for concurrent use.
type client struct {
	lark      *larkcore.Config
	appID     string
	appSecret string
	now       func() time.Time
	log       *slog.Logger
	metrics   *metrics
	retry     kit.Backoff // equal jitter before each retry

	mu      sync.Mutex // guards token, expires; held while fetching one
	token   string
	expires time.Time
}

func newClient(cfg Config, hc *http.Client, now func() time.Time, log *slog.Logger, m *metrics) *client {
	return &client{lark: larkConfig(cfg, hc, log), appID: cfg.AppID, appSecret: cfg.AppSecret, now: now, log: log,
		metrics: m, retry: kit.Backoff{Base: retryBase, Max: retryCap}}
}

// larkConfig is the SDK configuration for larkcore.Request, built as
// lark.NewClient would build it. The SDK's root package is not used: it links
// every one of the SDK's service packages, megabytes of code the adapter never
// calls (docs/performance.md).
func larkConfig(cfg Config, hc *http.Client, log *slog.Logger) *larkcore.Config {
	c := &larkcore.Config{
		BaseUrl:   cfg.BaseURL,
		AppId:     cfg.AppID,
		AppSecret: cfg.AppSecret,
		AppType:   larkcore.AppTypeSelfBuilt,
		// The SDK's token cache is one package-level map shared by every
		// client in the process; this client keeps its own token instead.
		EnableTokenCache: false,
		HttpClient:       hc,
		Logger:           larkLogger{log},
		LogLevel:         larkcore.LogLevelWarn,
	}
	larkcore.NewLogger(c)
	larkcore.NewSerialization(c)
	return c
}

// tenantToken returns a valid tenant access token, fetching one when none is
// cached or the cached one is about to expire.
func (c *client) tenantToken(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	var out struct {
		apiStatus
		Token  string `json:"tenant_access_token"`
		Expire int64  `json:"expire"`
	}
	body := map[string]string{"app_id": c.appID, "app_secret": c.appSecret}
	err := c.once(ctx, http.MethodPost, tokenPath, nil, body, "", &out)
	if err == nil && (out.Token == "" || out.Expire <= 0) {
		err = errors.New("answer without a token")
	}
	if err != nil {
		return "", fmt.Errorf("feishu: tenant token: %w", err)
	}
	life := min(time.Duration(out.Expire)*time.Second, maxTokenLife)
	margin := min(tokenMargin, life/2)
	c.token, c.expires = out.Token, c.now().Add(life-margin)
	return c.token, nil
}

// dropToken forgets tok if it is still the cached token.
func (c *client) dropToken(tok string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == tok {
		c.token = ""
	}
}

// call makes one API call with the tenant token, retrying rate limits and
// transient failures with capped exponential backoff, and refreshing a
// refused token once. out must embed apiStatus.
func (c *client) call(ctx context.Context, op, method, path string, params larkcore.PathParams, body any, out statuser) error {
	refreshed := false
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			if werr := kit.Sleep(ctx, c.retry.Equal(attempt-1)); werr != nil {
				return fmt.Errorf("feishu: %s: %w (after %w)", op, werr, err)
			}
		}
		tok, terr := c.tenantToken(ctx)
		if terr != nil {
			if err = terr; !retryable(terr) {
				return err
			}
			continue
		}
		err = c.once(ctx, method, path, params, body, tok, out)
		if err == nil {
			return nil
		}
		c.metrics.apiErrors.With(op, strconv.Itoa(apiCode(err))).Inc()
		switch {
		case tokenInvalid(err) && !refreshed:
			refreshed = true
			c.dropToken(tok)
			attempt-- // a refreshed token is not a retry
		case !retryable(err):
			return fmt.Errorf("feishu: %s: %w", op, err)
		}
		c.log.Debug("feishu api call failed", "op", op, "attempt", attempt+1, "err", err)
	}
	return fmt.Errorf("feishu: %s: %w", op, err)
}

// once makes one HTTP attempt and decodes the JSON answer into out.
func (c *client) once(ctx context.Context, method, path string, params larkcore.PathParams, body any, tok string, out statuser) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req := &larkcore.ApiReq{HttpMethod: method, ApiPath: path, Body: body, PathParams: params,
		SupportedAccessTokenTypes: []larkcore.AccessTokenType{larkcore.AccessTokenTypeNone}}
	var opts []larkcore.RequestOptionFunc
	if tok != "" {
		req.SupportedAccessTokenTypes = []larkcore.AccessTokenType{larkcore.AccessTokenTypeTenant}
		opts = append(opts, larkcore.WithTenantAccessToken(tok))
	}
	resp, err := larkcore.Request(ctx, req, c.lark, opts...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.RawBody, out); err != nil {
		if resp.StatusCode >= 400 {
			return &apiError{Status: resp.StatusCode, Msg: http.StatusText(resp.StatusCode)}
		}
		return fmt.Errorf("decode answer (http %d): %w", resp.StatusCode, err)
	}
	if s := out.status(); s.Code != 0 || resp.StatusCode >= 400 {
		return &apiError{Status: resp.StatusCode, Code: s.Code, Msg: s.Msg}
	}
	return nil
}

// larkLogger sends the SDK's log lines to slog.
type larkLogger struct{ l *slog.Logger }

func (g larkLogger) Debug(ctx context.Context, args ...any) {
	g.l.DebugContext(ctx, fmt.Sprint(args...))
}
func (g larkLogger) Info(ctx context.Context, args ...any) { g.l.InfoContext(ctx, fmt.Sprint(args...)) }
func (g larkLogger) Warn(ctx context.Context, args ...any) { g.l.WarnContext(ctx, fmt.Sprint(args...)) }
func (g larkLogger) Error(ctx context.Context, args ...any) {
	g.l.ErrorContext(ctx, fmt.Sprint(args...))
}

// botInfoPath is where the bot's own identity is read.
const botInfoPath = "/open-apis/bot/v3/info"

// botInfoAnswer is the answer at botInfoPath.
type botInfoAnswer struct {
	apiStatus
	Bot struct {
		OpenID  string `json:"open_id"`
		AppName string `json:"app_name"`
	} `json:"bot"`
}

// botOpenID returns the bot's own open_id (GET /open-apis/bot/v3/info).
func (c *client) botOpenID(ctx context.Context) (string, error) {
	var out botInfoAnswer
	if err := c.call(ctx, "bot info", http.MethodGet, botInfoPath, nil, nil, &out); err != nil {
		return "", err
	}
	if out.Bot.OpenID == "" {
		return "", errors.New("feishu: bot info: answer without open_id")
	}
	return out.Bot.OpenID, nil
}

// outMessage is one message to send: type, content JSON and idempotency uuid.
type outMessage struct {
	MsgType string `json:"msg_type"`
	Content string `json:"content"`
	UUID    string `json:"uuid,omitempty"`
}

type messageAnswer struct {
	apiStatus
	Data struct {
		MessageID string `json:"message_id"`
	} `json:"data"`
}

// reply posts m as a reply to message parent and returns the new message id.
// A repeated uuid within an hour returns the first message instead.
func (c *client) reply(ctx context.Context, parent string, m outMessage, inThread bool) (string, error) {
	body := struct {
		outMessage
		ReplyInThread bool `json:"reply_in_thread"`
	}{m, inThread}
	var out messageAnswer
	err := c.call(ctx, "reply message", http.MethodPost, "/open-apis/im/v1/messages/:message_id/reply",
		larkcore.PathParams{"message_id": parent}, body, &out)
	return out.Data.MessageID, err
}

// send posts m into chat chatID and returns the new message id.
func (c *client) send(ctx context.Context, chatID string, m outMessage) (string, error) {
	body := struct {
		ReceiveID string `json:"receive_id"`
		outMessage
	}{chatID, m}
	var out messageAnswer
	err := c.call(ctx, "send message", http.MethodPost, "/open-apis/im/v1/messages?receive_id_type=chat_id", nil, body, &out)
	return out.Data.MessageID, err
}

// patchCard replaces the card of an interactive message (update_multi cards).
func (c *client) patchCard(ctx context.Context, messageID, cardJSON string) error {
	var out apiStatus
	return c.call(ctx, "patch card", http.MethodPatch, "/open-apis/im/v1/messages/:message_id",
		larkcore.PathParams{"message_id": messageID}, map[string]string{"content": cardJSON}, &out)
}

// createCard creates a CardKit card entity from a JSON 2.0 card.
func (c *client) createCard(ctx context.Context, cardJSON string) (string, error) {
	var out struct {
		apiStatus
		Data struct {
			CardID string `json:"card_id"`
		} `json:"data"`
	}
	err := c.call(ctx, "create card", http.MethodPost, "/open-apis/cardkit/v1/cards", nil,
		map[string]string{"type": "card_json", "data": cardJSON}, &out)
	if err == nil && out.Data.CardID == "" {
		err = errors.New("feishu: create card: answer without card_id")
	}
	return out.Data.CardID, err
}

// cardOp is the idempotency and ordering part of every CardKit update.
type cardOp struct {
	UUID     string `json:"uuid"`
	Sequence int    `json:"sequence"`
}

// setElement replaces the text of one card element (the streaming call).
func (c *client) setElement(ctx context.Context, cardID, elementID, text string, op cardOp) error {
	body := struct {
		Content string `json:"content"`
		cardOp
	}{text, op}
	var out apiStatus
	return c.call(ctx, "card content", http.MethodPut, "/open-apis/cardkit/v1/cards/:card_id/elements/:element_id/content",
		larkcore.PathParams{"card_id": cardID, "element_id": elementID}, body, &out)
}

// setCardSettings replaces a card's config (used to close streaming mode).
func (c *client) setCardSettings(ctx context.Context, cardID, settingsJSON string, op cardOp) error {
	body := struct {
		Settings string `json:"settings"`
		cardOp
	}{settingsJSON, op}
	var out apiStatus
	return c.call(ctx, "card settings", http.MethodPatch, "/open-apis/cardkit/v1/cards/:card_id/settings",
		larkcore.PathParams{"card_id": cardID}, body, &out)
}
