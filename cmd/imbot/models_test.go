package main

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"
)

// waitReachable waits until d.modelsReachable reports want.
func waitReachable(t *testing.T, d *daemon, want float64) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for d.modelsReachable() != want {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("imbot_models_reachable = %v, want %v", d.modelsReachable(), want)
		}
	}
}

func TestModelsReachableFollowsTheWarmUp(t *testing.T) {
	addr := freeAddr(t) // nothing listens there yet: the provider is down
	in := startServe(t, writeConfig(t, t.TempDir(), testSetup{model: "http://" + addr + "/v1"}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); in.d.watchModels(ctx, quiet(), 5*time.Millisecond) }()
	waitReachable(t, in.d, 0)

	ln, err := net.Listen("tcp", addr) // the provider comes up: any HTTP answer counts
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	go srv.Serve(ln)
	defer srv.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the warm-up did not stop once the provider answered")
	}
	waitReachable(t, in.d, 1)
}
