package core

import (
	"context"
	"errors"
	"testing"

	"imbot/metric"
)

func TestDispatcherMetricsCarryThePlatform(t *testing.T) {
	reg := metric.NewRegistry()
	cfg := testConfig()
	cfg.MaxInFlight, cfg.MaxQueued = 2, 7
	h := startHarness(t, cfg, nil, WithMetrics(reg))
	h.send(msg("c1", "1", "hello"))
	h.send(msg("c1", "1", "hello"))
	h.next()
	h.stop()
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"imbot_turns_total", []string{"test", "model"}, 1},
		{"imbot_messages_total", []string{"test", "accepted"}, 1},
		{"imbot_messages_total", []string{"test", "duplicate"}, 1},
		{"imbot_queued_turns", nil, 0},
		{"imbot_queued_turns_limit", nil, 7},
	} {
		if got, ok := reg.Value(tt.name, tt.labels...); !ok || got != tt.want {
			t.Errorf("%s%q = %v, %t; want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
	if _, ok := reg.Value("imbot_turns_total", "model"); ok {
		t.Error("imbot_turns_total has a series without the platform label")
	}
}

// checkedAdapter is a fake adapter whose Check returns err.
type checkedAdapter struct {
	*fakeAdapter
	err error
}

func (a checkedAdapter) Check(context.Context) error { return a.err }

func TestAdapterConnectedFollowsCheck(t *testing.T) {
	reg := metric.NewRegistry()
	newDispatcherMetrics(reg, 1).watchAdapters([]Adapter{
		checkedAdapter{newFakeAdapter("up"), nil},
		checkedAdapter{newFakeAdapter("down"), errors.New("not connected")},
		newFakeAdapter("unchecked"),
	})
	for platform, want := range map[string]float64{"up": 1, "down": 0} {
		if got, ok := reg.Value("imbot_adapter_connected", platform); !ok || got != want {
			t.Errorf("imbot_adapter_connected{platform=%q} = %v, %t; want %v", platform, got, ok, want)
		}
	}
	if _, ok := reg.Value("imbot_adapter_connected", "unchecked"); ok {
		t.Error("an adapter without Check has a connected series")
	}
}
