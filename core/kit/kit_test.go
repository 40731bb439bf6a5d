package kit

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if err := Sleep(context.Background(), time.Millisecond); err != nil {
		t.Fatalf("Sleep = %v, want nil", err)
	}
	if err := Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep(0) on a cancelled context = %v", err)
	}
}

func TestBackoffCeilingIsCapped(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, w := range want {
		if got := b.Ceiling(i); got != w*time.Millisecond {
			t.Errorf("Ceiling(%d) = %v, want %v", i, got, w*time.Millisecond)
		}
	}
	if got := b.Ceiling(100); got != time.Second {
		t.Errorf("Ceiling(100) = %v, want the cap", got)
	}
	if got := (Backoff{}).Full(3); got != 0 {
		t.Errorf("zero Backoff waits %v", got)
	}
}

func TestBackoffJitterStaysInRange(t *testing.T) {
	top := func(n int64) int64 { return n - 1 }
	b := Backoff{Base: 100 * time.Millisecond, Max: time.Second, Rand: top}
	if got := b.Full(2); got != 400*time.Millisecond {
		t.Errorf("Full(2) with the largest draw = %v", got)
	}
	b.Rand = func(int64) int64 { return 0 }
	if got := b.Full(2); got != 0 {
		t.Errorf("Full(2) with the smallest draw = %v", got)
	}
	if got := b.Equal(2); got != 200*time.Millisecond {
		t.Errorf("Equal(2) with the smallest draw = %v", got)
	}
	b.Rand = nil
	for i := range 50 {
		if d := b.Equal(i % 6); d < b.Ceiling(i%6)/2 || d > b.Ceiling(i%6) {
			t.Fatalf("Equal(%d) = %v out of range", i%6, d)
		}
	}
}

func TestReadBody(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		limit  int64
		status int
	}{
		{"fits", "hello", 5, http.StatusOK},
		{"too large", "hello!", 5, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := ReadBody(w, r, tc.limit, time.Second)
				if err != nil {
					w.WriteHeader(BodyStatus(err))
					return
				}
				_, _ = w.Write(body)
			}))
			defer srv.Close()
			resp, err := http.Post(srv.URL, "text/plain", strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}

func TestReadBodyTimesOutOnAStalledClient(t *testing.T) {
	got := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := ReadBody(w, r, 1<<20, 50*time.Millisecond)
		got <- err
		w.WriteHeader(BodyStatus(err))
	}))
	defer srv.Close()
	pr, pw := newStalledBody()
	defer pw.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL, pr)
	req.ContentLength = 100
	status := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()
	select {
	case err := <-got:
		if !errors.Is(err, ErrBodyTimeout) || BodyStatus(err) != http.StatusRequestTimeout {
			t.Fatalf("err = %v, want ErrBodyTimeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadBody did not time out")
	}
	// The answer must reach the client although the body never ends: the
	// server must not wait for the rest of it.
	select {
	case code := <-status:
		if code != http.StatusRequestTimeout {
			t.Fatalf("client got status %d, want 408", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the answer to a stalled body never arrived")
	}
}

// newStalledBody is a body that sends a few bytes and then nothing.
func newStalledBody() (*stalled, *stalled) {
	s := &stalled{data: bytes.NewBufferString("abc"), stop: make(chan struct{})}
	return s, s
}

type stalled struct {
	data *bytes.Buffer
	stop chan struct{}
}

func (s *stalled) Read(p []byte) (int, error) {
	if s.data.Len() > 0 {
		return s.data.Read(p)
	}
	<-s.stop
	return 0, errors.New("closed")
}

func (s *stalled) Close() error {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	return nil
}
