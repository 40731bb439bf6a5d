package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"imbot/metric"
)

func TestWriteMetrics(t *testing.T) {
	reg := metric.NewRegistry()
	diskFull := func(op string) error {
		if op == "complete" {
			return errors.New("no space left on device")
		}
		return nil
	}
	s := openTest(t, testConfig(t), WithMetrics(reg), WithWriteFault(diskFull))
	ctx := context.Background()
	env := envelope("c1", 1)
	if _, err := s.Accept(ctx, env); err != nil {
		t.Fatal(err)
	}
	bad := envelope("c1", 2)
	bad.MessageID = ""
	if _, err := s.Accept(ctx, bad); err == nil {
		t.Fatal("Accept took an envelope without a message id")
	}
	if err := s.Complete(ctx, turnFor(env, time.Now())); err == nil {
		t.Fatal("Complete succeeded through the write fault")
	}
	for _, tt := range []struct {
		name, label string
		want        float64
	}{
		{"imbot_store_accepts_total", "accepted", 1},
		{"imbot_store_write_errors_total", "accept", 0}, // a rejected envelope is not a failed write
		{"imbot_store_write_errors_total", "complete", 1},
		{"imbot_store_write_errors_total", "sweep", 0},
	} {
		if got, ok := reg.Value(tt.name, tt.label); !ok || got != tt.want {
			t.Errorf("%s{%s} = %v, %t; want %v", tt.name, tt.label, got, ok, tt.want)
		}
	}
}
