package store

import (
	"testing"
	"time"

	"imbot/store/storage"
	"imbot/store/storetest"
)

// TestConformance runs the suite every store backend passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, clock func() time.Time, ret storage.Retention) storage.Backend {
		cfg := testConfig(t)
		cfg.DedupTTL, cfg.BotMessageTTL, cfg.Retention = ret.DedupTTL, ret.BotMessageTTL, ret.Retention
		cfg.MaxMessages, cfg.VectorRetention = ret.MaxMessages, ret.VectorRetention
		return openTest(t, cfg, WithClock(clock))
	})
}
