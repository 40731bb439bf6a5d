package postgres

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"imbot/metric"
	"imbot/store/storetest"
)

// TestMetrics checks that the PostgreSQL store reports the series the bbolt
// store does, counted alike, and its pool's gauges.
func TestMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	clock := storetest.NewClock()
	s := openTest(t, WithClock(clock.Now), WithMetrics(reg))
	ctx := context.Background()
	env := storetest.Envelope("c1", 1)
	for _, want := range []bool{true, false} {
		if ok, err := s.Accept(ctx, env); ok != want || err != nil {
			t.Fatalf("Accept = %v, %v; want %v, nil", ok, err, want)
		}
	}
	bad := storetest.Envelope("c1", 2)
	bad.MessageID = ""
	if _, err := s.Accept(ctx, bad); err == nil {
		t.Fatal("Accept took an envelope without a message id")
	}
	if err := s.SetCursor(ctx, "telegram", "1"); err != nil {
		t.Fatal(err)
	}
	// A constraint no row meets makes the server refuse every later write.
	if _, err := s.pool.Exec(ctx, `ALTER TABLE cursors ADD CONSTRAINT refuse_writes CHECK (false) NOT VALID`); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCursor(ctx, "telegram", "2"); err == nil {
		t.Fatal("SetCursor succeeded against a constraint refusing every row")
	}
	clock.Advance(49 * time.Hour) // past the dedup marks' 48h
	if _, err := s.Sweep(ctx, clock.Now()); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, label string
		want        float64
	}{
		{"imbot_store_accepts_total", "accepted", 1},
		{"imbot_store_accepts_total", "duplicate", 1},
		{"imbot_store_write_errors_total", "accept", 0}, // neither a duplicate nor a rejected envelope failed
		{"imbot_store_write_errors_total", "cursor", 1},
		{"imbot_store_write_errors_total", "sweep", 0},
		{"imbot_store_swept_total", "dedup", 2}, // the message's and the event's marks
		{"imbot_store_pool_connections", "in_use", 0},
	} {
		if got, ok := reg.Value(tt.name, tt.label); !ok || got != tt.want {
			t.Errorf("%s{%s} = %v, %t; want %v", tt.name, tt.label, got, ok, tt.want)
		}
	}
	if idle, ok := reg.Value("imbot_store_pool_connections", "idle"); !ok || idle < 1 {
		t.Errorf("idle pool connections = %v, %t; want at least the one the calls used", idle, ok)
	}
	if most, ok := reg.Value("imbot_store_pool_max_connections"); !ok || most < 1 {
		t.Errorf("pool max connections = %v, %t; want at least 1", most, ok)
	}
	var text bytes.Buffer
	if err := reg.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{`imbot_store_write_seconds_count{op="accept"} 2`,
		`imbot_store_write_seconds_count{op="cursor"} 2`} {
		if !strings.Contains(text.String(), line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, text.String())
		}
	}
}
