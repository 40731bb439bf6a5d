package store

import (
	"context"
	"testing"
	"time"

	"imbot/core"
	"imbot/store/storetest"
)

func TestSeenMatchesAcceptAndRecordsNothing(t *testing.T) {
	clock := storetest.NewClock()
	s := openTest(t, testConfig(t), WithClock(clock.Now))
	ctx := context.Background()
	env := envelope("c", 1)
	sameEvent := envelope("c", 2)
	sameEvent.EventID = env.EventID

	for range 2 { // asking twice records nothing
		if seen, err := s.Seen(ctx, env); err != nil || seen {
			t.Fatalf("Seen before Accept = %v, %v; want false", seen, err)
		}
	}
	if ok, err := s.Accept(ctx, env); err != nil || !ok {
		t.Fatalf("Accept after Seen = %v, %v; want a fresh envelope", ok, err)
	}
	if seen, err := s.Seen(ctx, env); err != nil || !seen {
		t.Fatalf("Seen of a pending envelope = %v, %v; want true", seen, err)
	}
	if seen, _ := s.Seen(ctx, sameEvent); !seen {
		t.Error("Seen misses an envelope with an accepted event id")
	}
	if err := s.Drop(ctx, env); err != nil {
		t.Fatal(err)
	}
	if seen, _ := s.Seen(ctx, env); !seen {
		t.Error("Seen misses a dropped envelope whose marks are in force")
	}
	clock.Advance(s.cfg.DedupTTL + time.Second)
	if seen, _ := s.Seen(ctx, env); seen {
		t.Error("Seen holds an envelope whose marks expired")
	}
	if _, err := s.Seen(ctx, core.Envelope{}); err == nil {
		t.Error("Seen accepted an envelope without ids")
	}
}
