package openai

import (
	"errors"
	"sync"
	"testing"

	"imbot/provider/openai/openaitest"
)

const rotatedKey = "sk-test-rotated-9876543210"

// TestSetAPIKeyNextCall checks that a replaced key is sent with the next
// call, and the old one no longer.
func TestSetAPIKeyNextCall(t *testing.T) {
	srv := newFake(t, openaitest.WithAPIKey(testKey, rotatedKey))
	c := newTestClient(t, testConfig("p", srv))
	ctx := testContext(t)
	if _, err := c.Stream(ctx, userRequest("one"), func(string) {}); err != nil {
		t.Fatalf("stream with the first key: %v", err)
	}
	c.SetAPIKey(rotatedKey)
	if _, err := c.Stream(ctx, userRequest("two"), func(string) {}); err != nil {
		t.Fatalf("stream with the rotated key: %v", err)
	}
	if _, err := c.Embed(ctx, "embed-model", []string{"three"}); err != nil {
		t.Fatalf("embed with the rotated key: %v", err)
	}
	var got []string
	for _, r := range srv.Requests() {
		got = append(got, r.Authorization)
	}
	want := []string{"Bearer " + testKey, "Bearer " + rotatedKey, "Bearer " + rotatedKey}
	if len(got) != len(want) {
		t.Fatalf("Authorization headers = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: Authorization = %q, want %q", i, got[i], want[i])
		}
	}
}

// TestSetAPIKeyConcurrentStreams replaces the key while streams run (run it
// with -race): every call succeeds and carries one of the two whole keys.
func TestSetAPIKeyConcurrentStreams(t *testing.T) {
	srv := newFake(t, openaitest.WithAPIKey(testKey, rotatedKey))
	c := newTestClient(t, testConfig("p", srv))
	ctx := testContext(t)
	const streams = 16
	var wg sync.WaitGroup
	errs := make(chan error, streams)
	for range streams {
		wg.Go(func() {
			_, err := c.Stream(ctx, userRequest("hi"), func(string) {})
			errs <- err
		})
	}
	for i := range streams {
		c.SetAPIKey([]string{testKey, rotatedKey}[i%2])
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("stream during key changes: %v", err)
		}
	}
	c.SetAPIKey(rotatedKey)
	if _, err := c.Stream(ctx, userRequest("after"), func(string) {}); err != nil {
		t.Fatalf("stream after the key changes: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != streams+1 {
		t.Fatalf("fake saw %d requests, want %d", len(reqs), streams+1)
	}
	if got, want := reqs[len(reqs)-1].Authorization, "Bearer "+rotatedKey; got != want {
		t.Errorf("last request Authorization = %q, want %q", got, want)
	}
}

// TestSetAPIKeyRedactsNewKey checks that errors hide the key in use.
func TestSetAPIKeyRedactsNewKey(t *testing.T) {
	srv := newFake(t, openaitest.WithAPIKey(testKey, rotatedKey))
	c := newTestClient(t, testConfig("p", srv))
	c.SetAPIKey(rotatedKey)
	err := c.keyed.Load().cls.final(errors.New("bad key " + rotatedKey))
	if got, want := err.Error(), "provider p: bad key [redacted]"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
}
