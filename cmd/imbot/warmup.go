package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"imbot/core/kit"
	"imbot/provider/openai"
)

// warmUpTimeout bounds each provider's warm-up call.
const warmUpTimeout = 5 * time.Second

// warmUpRetry is how often the providers are probed again while none
// answered.
const warmUpRetry = time.Minute

// watchModels warms the providers up. While none answers,
// imbot_models_reachable and /readyz's models_reachable say so, and the
// providers are probed again every retry until one answers or ctx ends.
func (d *daemon) watchModels(ctx context.Context, log *slog.Logger, retry time.Duration) {
	for !warmUp(ctx, d.clients, log) {
		d.modelsDown.Store(true)
		if kit.Sleep(ctx, retry) != nil {
			return
		}
	}
	if d.modelsDown.Swap(false) {
		log.Info("warm-up: a provider answers again")
	}
}

// warmUp opens one connection to each provider, in parallel, so that the
// first user does not pay for the TLS handshake; it is meant to run in the
// background and never delays readiness. It logs which providers answered
// and warns loudly when none did, and reports whether any did.
func warmUp(ctx context.Context, clients map[string]*openai.Client, log *slog.Logger) bool {
	var mu sync.Mutex
	var answered, unreachable []string
	var wg sync.WaitGroup
	for name, c := range clients {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, warmUpTimeout)
			defer cancel()
			err := c.Ping(pctx)
			ok := reachable(err)
			if err != nil {
				log.Warn("warm-up: provider did not answer cleanly", "provider", name, "reachable", ok, "err", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if ok {
				answered = append(answered, name)
			} else {
				unreachable = append(unreachable, name)
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return false
	}
	slices.Sort(answered)
	slices.Sort(unreachable)
	if len(answered) == 0 {
		log.Error("warm-up: NO PROVIDER ANSWERED; users get the degraded reply until one does",
			"unreachable", unreachable)
		return false
	}
	log.Info("warm-up: providers answered", "answered", answered, "unreachable", unreachable)
	return true
}

// reachable reports whether a Ping error still means the provider
// answered (with an HTTP error status).
func reachable(err error) bool {
	var pe *openai.Error
	return err == nil || (errors.As(err, &pe) && pe.Status != 0)
}

// logProviderHint tells the operator how to connect a model when the
// configuration names none and the built-in local provider is in use.
func logProviderHint(log *slog.Logger, cfg Config, getenv func(string) string) {
	def := envProvider(getenv)
	if getenv("OPENAI_BASE_URL") != "" || len(cfg.Providers) != 1 || cfg.Providers[0].BaseURL != def.BaseURL ||
		cfg.Providers[0].Name != def.Name {
		return
	}
	log.Warn("no model provider configured: using the built-in local one; set OPENAI_BASE_URL, OPENAI_API_KEY "+
		"and OPENAI_MODEL, or configure [[providers]] in the config file",
		"provider", def.Name, "base_url", def.BaseURL, "model", cfg.Providers[0].Model)
}
