package store

import (
	"context"
	"testing"

	"imbot/metric"
)

func TestWriteMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	s, err := Open(testConfig(t), WithMetrics(reg))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Accept(ctx, envelope("c1", 1)); err != nil {
		t.Fatal(err)
	}
	bad := envelope("c1", 2)
	bad.MessageID = ""
	if _, err := s.Accept(ctx, bad); err == nil {
		t.Fatal("Accept took an envelope without a message id")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Accept(ctx, envelope("c1", 3)); err == nil {
		t.Fatal("Accept on a closed store succeeded")
	}
	for _, tt := range []struct {
		name, label string
		want        float64
	}{
		{"imbot_store_accepts_total", "accepted", 1},
		{"imbot_store_write_errors_total", "accept", 1}, // the closed store, not the rejected envelope
		{"imbot_store_write_errors_total", "complete", 0},
	} {
		if got, ok := reg.Value(tt.name, tt.label); !ok || got != tt.want {
			t.Errorf("%s{%s} = %v, %t; want %v", tt.name, tt.label, got, ok, tt.want)
		}
	}
}
