package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"imbot/core"
	"imbot/provider/openai/openaitest"
	"imbot/store/postgres/pgtest"
)

// replicaSetup is a config of replica web-1 with more [cluster] keys.
func replicaSetup(t *testing.T, cluster string) testSetup {
	t.Helper()
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	return testSetup{model: model.URL(), extra: "[cluster]\nreplica_id = \"web-1\"\n" + cluster}
}

// TestServeRefusesAReplicaIDInUse starts a second `imbot serve` with the
// replica_id of one that runs: it waits its (short) lease, exits 1 and says
// which process holds the id and what to do, and the first one serves on.
func TestServeRefusesAReplicaIDInUse(t *testing.T) {
	t.Setenv("IMBOT_TEST_PG_DSN", pgtest.NewDatabase(t))
	first := startServeEnv(t, writePostgresConfig(t, replicaSetup(t, "")), envLookup)
	second := writePostgresConfig(t, replicaSetup(t, "lease = \"200ms\"\n"))
	code, out := runArgs("serve", "-config", second)
	for _, want := range []string{
		`imbot: `, `replica_id "web-1" is in use by another imbot process`,
		fmt.Sprintf("pid %d", os.Getpid()), "give each replica its own replica_id, or stop the other process first",
	} {
		if code != 1 || !strings.Contains(out, want) {
			t.Fatalf("second serve: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
	if status, body := httpGet(t, "http://"+first.addr+"/readyz"); status != http.StatusOK {
		t.Errorf("the first serve after the refusal: /readyz = %d %s", status, body)
	}
}

// TestServeStopsWhenItsReplicaIDIsTakenOver hands the presence of a running
// replica to another process, as one started with its id during a pause
// longer than a lease would take it: serve stops with the error and leaves
// the id to the other process.
func TestServeStopsWhenItsReplicaIDIsTakenOver(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	t.Setenv("IMBOT_TEST_PG_DSN", dsn)
	serve := startServeEnv(t, writePostgresConfig(t, replicaSetup(t, "lease = \"1s\"\n")), envLookup)
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(context.Background(), `UPDATE replicas
		SET instance = 'another', host = 'elsewhere', pid = 7, started = now(), lease_until = now() + interval '1 minute'
		WHERE id = 'web-1'`); err != nil {
		t.Fatal(err)
	}
	err = serve.stopped()
	var inUse *core.ReplicaIDInUseError
	if !errors.Is(err, core.ErrReplicaIDInUse) || !errors.As(err, &inUse) || inUse.Host != "elsewhere" || inUse.PID != 7 {
		t.Fatalf("serve = %v, want the replica id in use by elsewhere's pid 7", err)
	}
	var holder string
	if err := pool.QueryRow(context.Background(), `SELECT instance FROM replicas WHERE id = 'web-1'`).Scan(&holder); err != nil || holder != "another" {
		t.Errorf("the id's holder after the stop = %q, %v; want it left to the other process", holder, err)
	}
}
