package terminal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"imbot/core"
)

// TestRemoteTurn runs `imbot chat`'s side (RemoteDeliver) against the
// daemon's side (Remote) over HTTP: the message reaches the dispatcher as
// a terminal message of the session, and the streamed reply is shown.
func TestRemoteTurn(t *testing.T) {
	remote := NewRemote()
	got := make(chan core.Envelope, 1)
	dispatch := func(ctx context.Context, env core.Envelope) error {
		got <- env
		w, err := remote.Reply(ctx, env)
		if err != nil {
			return err
		}
		go func() {
			_ = w.Update(ctx, "**hi")
			_ = w.Finish(ctx, core.Reply{Text: "**hi** there", Route: core.RouteFAQ})
		}()
		return nil
	}
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error, 1)
	go func() { ran <- remote.Run(ctx, dispatch) }()
	srv := httptest.NewServer(remote)
	defer srv.Close()

	var out bytes.Buffer
	a, err := New("notes", strings.NewReader("hello daemon\n"), &out)
	if err != nil {
		t.Fatal(err)
	}
	post := func(ctx context.Context, body io.Reader) (io.ReadCloser, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, body)
		if err != nil {
			return nil, err
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, errors.New(resp.Status)
		}
		return resp.Body, nil
	}
	if err := a.Run(t.Context(), RemoteDeliver(a, post)); !errors.Is(err, ErrInputClosed) {
		t.Fatalf("Run = %v", err)
	}
	env := <-got
	if env.Platform != Platform || env.ChatID != "notes" || env.UserID != localUser || env.Text != "hello daemon" {
		t.Fatalf("envelope %+v", env)
	}
	if !strings.Contains(out.String(), "> hi there\n  [faq]\n") {
		t.Fatalf("output %q", out.String())
	}
	cancel()
	if err := <-ran; err != nil {
		t.Fatal(err)
	}
}
