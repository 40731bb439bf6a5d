package check

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"imbot/adapters/feishu"
	"imbot/adapters/telegram"
	"imbot/provider/openai"
	"imbot/store"
	"imbot/store/postgres"
)

// Provider checks a model provider with a one-token completion: base URL,
// key and model name together.
func Provider(cfg openai.Config) Probe {
	return Probe{Name: "provider " + cfg.Name, Run: func(ctx context.Context) (string, error) {
		c, err := openai.NewClient(cfg)
		if err != nil {
			return "", err
		}
		if err := c.Verify(ctx); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s at %s answers", cfg.Model, cfg.BaseURL), nil
	}}
}

// Telegram checks the bot token with getMe and reads getWebhookInfo.
func Telegram(cfg telegram.Config) Probe {
	return Probe{Name: "telegram", Run: func(ctx context.Context) (string, error) {
		id, err := telegram.Verify(ctx, cfg, nil)
		if err != nil {
			return "", err
		}
		return id.String(), nil
	}}
}

// Feishu checks the app id and secret with a tenant token and the bot info.
func Feishu(cfg feishu.Config) Probe {
	return Probe{Name: "feishu", Run: func(ctx context.Context) (string, error) {
		info, err := feishu.Verify(ctx, cfg, nil)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("app %s, bot open_id %s", info.AppName, info.OpenID), nil
	}}
}

// Store looks at the store file without changing it.
func Store(path string, lockTimeout time.Duration) Probe {
	return Probe{Name: "store " + path, Run: func(context.Context) (string, error) {
		info, err := store.Inspect(path, lockTimeout)
		switch {
		case err != nil:
			return "", err
		case !info.Exists:
			return "not created yet; serve creates it", nil
		case info.Held:
			return fmt.Sprintf("%s, held by the running daemon", size(info.Size)), nil
		}
		return fmt.Sprintf("%s, schema %d, not in use", size(info.Size), info.Schema), nil
	}}
}

// Database checks that the PostgreSQL database dsn names answers, and
// compares its schema version with this release's. dsnEnv names the
// variable dsn came from, for the probe's name: the DSN holds a password.
func Database(dsn, dsnEnv string) Probe {
	return Probe{Name: "store postgres ($" + dsnEnv + ")", Run: func(ctx context.Context) (string, error) {
		v, latest, err := postgres.Inspect(ctx, dsn)
		switch {
		case err != nil:
			return "", err
		case v < latest:
			return fmt.Sprintf("reachable, schema %d of %d: imbot migrate (or serve) applies the rest", v, latest), nil
		case v > latest+1:
			return "", fmt.Errorf("schema %d is newer than this release can use (%d): upgrade imbot", v, latest)
		}
		return fmt.Sprintf("reachable, schema %d", v), nil
	}}
}

// Listen checks that the listen address is free, or held by a running
// imbot (its /healthz answers).
func Listen(addr string) Probe {
	return Probe{Name: "listen " + addr, Run: func(ctx context.Context) (string, error) {
		l, err := net.Listen("tcp", addr)
		if err == nil {
			return "free", l.Close()
		}
		if DaemonAnswers(ctx, addr) {
			return "held by the running daemon (/healthz answers)", nil
		}
		return "", fmt.Errorf("in use by another program: %w", err)
	}}
}

// DaemonAnswers reports whether an imbot daemon answers /healthz at addr.
func DaemonAnswers(ctx context.Context, addr string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// size formats a byte count for people.
func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
