package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-telegram/bot"
)

// Identity is what the Bot API says about the bot and its webhook.
type Identity struct {
	// Username is the bot's @username, without the @.
	Username string
	// WebhookURL is the webhook Telegram delivers to; empty in polling mode.
	WebhookURL string
	// PendingUpdates is how many updates wait to be delivered.
	PendingUpdates int
	// WebhookError is the last delivery error Telegram reported, if any.
	WebhookError string
}

// String describes the identity in one line for an operator.
func (id Identity) String() string {
	s := fmt.Sprintf("@%s, %d pending update(s)", id.Username, id.PendingUpdates)
	if id.WebhookURL != "" {
		s += ", webhook " + id.WebhookURL
	}
	if id.WebhookError != "" {
		s += ", last webhook error: " + id.WebhookError
	}
	return s
}

// Verify checks cfg's token against the Bot API with getMe and reads
// getWebhookInfo, each call bounded by cfg.RequestTimeout. hc nil uses the
// adapter's default client. Errors never contain the token.
func Verify(ctx context.Context, cfg Config, hc *http.Client) (Identity, error) {
	if hc == nil {
		hc = defaultHTTPClient()
	}
	a := &Adapter{cfg: cfg}
	b, err := bot.New(cfg.Token, bot.WithSkipGetMe(), bot.WithServerURL(strings.TrimRight(cfg.APIURL, "/")),
		bot.WithHTTPClient(cfg.RequestTimeout, hc))
	if err != nil {
		return Identity{}, a.redact(fmt.Errorf("telegram: %w", err))
	}
	var id Identity
	err = verifyCall(ctx, a, "getMe", func(ctx context.Context) error {
		me, err := b.GetMe(ctx)
		if err == nil {
			id.Username = me.Username
		}
		return err
	})
	if err != nil {
		return id, err
	}
	err = verifyCall(ctx, a, "getWebhookInfo", func(ctx context.Context) error {
		info, err := b.GetWebhookInfo(ctx)
		if err == nil {
			id.WebhookURL, id.PendingUpdates, id.WebhookError = info.URL, info.PendingUpdateCount, info.LastErrorMessage
		}
		return err
	})
	return id, err
}

// verifyCall runs one Bot API call within the request timeout and returns
// its error prefixed and with the token redacted.
func verifyCall(ctx context.Context, a *Adapter, method string, call func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	if err := call(ctx); err != nil {
		return a.redact(fmt.Errorf("telegram: %s: %w", method, err))
	}
	return nil
}
