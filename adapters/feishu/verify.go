package feishu

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"imbot/core/metric"
)

// BotInfo is what Feishu says about the app's bot.
type BotInfo struct {
	OpenID  string
	AppName string
}

// Verify checks cfg's app id and secret: it fetches a tenant access token
// and reads the bot's info, one attempt each without retries, each bounded
// by the client's call timeout and by ctx. hc nil uses the adapter's
// default client.
func Verify(ctx context.Context, cfg Config, hc *http.Client) (BotInfo, error) {
	if hc == nil {
		hc = defaultHTTPClient()
	}
	c := newClient(cfg, hc, time.Now, slog.New(slog.DiscardHandler), newMetrics(metric.Discard()))
	tok, err := c.tenantToken(ctx)
	if err != nil {
		return BotInfo{}, err
	}
	var out botInfoAnswer
	if err := c.once(ctx, http.MethodGet, botInfoPath, nil, nil, tok, &out); err != nil {
		return BotInfo{}, fmt.Errorf("feishu: bot info: %w", err)
	}
	if out.Bot.OpenID == "" {
		return BotInfo{}, errors.New("feishu: bot info: answer without open_id (is the bot capability enabled?)")
	}
	return BotInfo{OpenID: out.Bot.OpenID, AppName: out.Bot.AppName}, nil
}
