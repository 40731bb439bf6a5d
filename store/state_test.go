package store

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"imbot/core"
	"imbot/core/catalog"
	"imbot/core/intercept"
)

// TestInterceptorStateSurvivesRestartAndExpires: a state an interceptor
// set routes the next message to it after the store is reopened, and the
// conversation returns to the normal route with the state_expired notice
// once its TTL passed.
func TestInterceptorStateSurvivesRestartAndExpires(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req intercept.Request
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("request body: %v", err)
		}
		if req.State == "awaiting_order_id" {
			_, _ = io.WriteString(w, `{"reply":"order `+req.Text+` ships today"}`)
			return
		}
		_, _ = io.WriteString(w, `{"reply":"Which order?","state":"awaiting_order_id","ttl":"10m"}`)
	}))
	defer srv.Close()
	cfg := testConfig(t)
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	ask := func(s *Store, text string) string {
		ic, err := intercept.New([]intercept.Config{{Name: "orders", Keywords: []string{"order"}, URL: srv.URL}},
			intercept.Deps{States: s, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		env := core.Envelope{Platform: "telegram", ChatID: "c1", UserID: "u1", MessageID: "m", Text: text}
		return ic.Wrap(fixedAnswerer{}).Answer(context.Background(), env, nil).Reply.Text
	}
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := ask(s, "where is my order?"); got != "Which order?" {
		t.Fatalf("first answer = %q", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openTest(t, cfg)
	if got := ask(s, "4711"); got != "order 4711 ships today" {
		t.Fatalf("after a restart = %q, want the interceptor's answer in its state", got)
	}
	ask(s, "and another order")
	now = now.Add(10 * time.Minute)
	got := ask(s, "4712")
	if !strings.HasPrefix(got, (*catalog.Catalog)(nil).Text(catalog.EN, catalog.StateExpired)) || !strings.HasSuffix(got, "42") {
		t.Errorf("after the TTL = %q, want the state_expired notice and the normal answer", got)
	}
}

func TestStateRecordsRoundTripAndClear(t *testing.T) {
	s := openTest(t, testConfig(t))
	ctx := context.Background()
	conv := core.ConversationKey{Platform: "web", Chat: "s1"}
	if had, err := s.ClearState(ctx, conv); had || err != nil {
		t.Fatalf("ClearState of none = %v, %v", had, err)
	}
	st := core.ConversationState{Owner: "o", Name: "n", Expires: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)}
	if err := s.SetState(ctx, conv, st); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.State(ctx, conv); !ok || err != nil || got != st {
		t.Fatalf("State = %+v, %v, %v", got, ok, err)
	}
	if had, err := s.ClearState(ctx, conv); !had || err != nil {
		t.Fatalf("ClearState = %v, %v", had, err)
	}
	if _, ok, _ := s.State(ctx, conv); ok {
		t.Error("state kept after ClearState")
	}
}
