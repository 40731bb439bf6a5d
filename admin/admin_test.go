package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"imbot/core"
)

// fakeStore is an admin Store with fixed contents.
type fakeStore struct {
	conv      core.ConversationKey
	msgs      []core.Message
	questions []core.UnansweredQuestion
	fail      error
	forgot    []string // users erased
}

func (s *fakeStore) ForgetUser(_ context.Context, p core.Platform, u core.UserID) (core.Erased, error) {
	s.forgot = append(s.forgot, string(p)+":"+string(u))
	return core.Erased{Conversations: 1, Messages: 2}, nil
}

func (s *fakeStore) Backup(_ context.Context, w io.Writer) (int64, error) {
	if s.fail != nil {
		return 0, s.fail
	}
	n, err := io.WriteString(w, "BOLTDB")
	return int64(n), err
}

func (s *fakeStore) Export(_ context.Context, fn func(core.ConversationKey, []core.Message) error) error {
	return fn(s.conv, s.msgs)
}

func (s *fakeStore) Unanswered(_ context.Context, since time.Time) ([]core.UnansweredQuestion, error) {
	var out []core.UnansweredQuestion
	for _, q := range s.questions {
		if !q.At.Before(since) {
			out = append(out, q)
		}
	}
	return out, nil
}

func (s *fakeStore) WriteStats(_ context.Context, w io.Writer) error {
	_, err := io.WriteString(w, `{"conversations":1}`+"\n")
	return err
}

var asked = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newFakeStore() *fakeStore {
	return &fakeStore{
		conv: core.ConversationKey{Platform: "web", Chat: "s1"},
		msgs: []core.Message{{Role: core.RoleUser, Text: "hi, I am 13812345678", At: asked}, {Role: core.RoleAssistant, Text: "hello", At: asked,
			Route: core.RouteModel, Provider: "local", Model: "m", Tokens: 3}},
		questions: []core.UnansweredQuestion{{Question: "Mars? a.b@example.com", Conversation: core.ConversationKey{Platform: "web", Chat: "s1"}, Platform: "web", At: asked,
			Reason: core.ReasonDegraded, Candidates: []core.Candidate{{ID: "shipping", Score: 0.25}}}},
	}
}

// serve mounts a Server on a loopback test server and returns its URL.
func serve(t *testing.T, deps Deps) string {
	t.Helper()
	s, err := New(Config{Listen: "127.0.0.1:0"}, deps)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func usable(ok bool) ProviderReport {
	return func() (bool, []ProviderStatus) {
		state := "closed"
		if !ok {
			state = "open"
		}
		return ok, []ProviderStatus{{Chain: "general", Name: "local", Model: "m", State: state}}
	}
}

func TestReadyz(t *testing.T) {
	storeDown := Check{Name: "store", Ready: func(context.Context) error { return errors.New("store closed") }}
	storeOK := Check{Name: "store", Ready: func(context.Context) error { return nil }}
	tests := []struct {
		name       string
		checks     []Check
		providers  ProviderReport
		status     int
		components map[string]string
	}{
		{"ready", []Check{storeOK}, usable(true), 200, map[string]string{"store": "ok", "providers": "ok"}},
		{"store down", []Check{storeDown}, usable(true), 503, map[string]string{"store": "store closed", "providers": "ok"}},
		{"breakers open: degraded, still ready", []Check{storeOK}, usable(false), 200, map[string]string{"store": "ok", "providers": noModelReachable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := serve(t, Deps{Store: newFakeStore(), Checks: tt.checks, Providers: tt.providers})
			status, body := get(t, url+"/readyz")
			var rep readiness
			if err := json.Unmarshal([]byte(body), &rep); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if status != tt.status || rep.Ready != (tt.status == 200) || fmt.Sprint(rep.Components) != fmt.Sprint(tt.components) {
				t.Fatalf("/readyz = %d %+v, want %d %v", status, rep, tt.status, tt.components)
			}
			if rep.ModelsReachable != (tt.components["providers"] == "ok") {
				t.Fatalf("models_reachable = %v with providers %q", rep.ModelsReachable, tt.components["providers"])
			}
			if len(rep.Providers) != 1 || rep.Providers[0].Chain != "general" || rep.Providers[0].Name != "local" {
				t.Fatalf("providers %+v", rep.Providers)
			}
		})
	}
}

func TestHealthAndMetrics(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "imbot_up 1") })
	url := serve(t, Deps{Store: newFakeStore(), Providers: usable(true), Metrics: metrics})
	if status, body := get(t, url+"/healthz"); status != 200 || body != "ok\n" {
		t.Fatalf("/healthz = %d %q", status, body)
	}
	if status, body := get(t, url+"/metrics"); status != 200 || body != "imbot_up 1\n" {
		t.Fatalf("/metrics = %d %q", status, body)
	}
	noMetrics := serve(t, Deps{Store: newFakeStore(), Providers: usable(true)})
	if status, _ := get(t, noMetrics+"/metrics"); status != http.StatusNotFound {
		t.Fatalf("/metrics without a handler = %d, want 404", status)
	}
}

func TestAdminCallsOverHTTPMatchLocalAnswers(t *testing.T) {
	st := newFakeStore()
	url := serve(t, Deps{Store: st, Providers: usable(true)})
	since, err := Unanswered(asked.Add(-time.Hour), "csv")
	if err != nil {
		t.Fatal(err)
	}
	later, err := Unanswered(asked.Add(time.Hour), "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	all, err := Unanswered(time.Time{}, "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	forgetAlice, err := ForgetUser("telegram:42")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ForgetUser("42"); err == nil {
		t.Fatal("a user without a platform was accepted")
	}
	tests := []struct {
		name string
		call Call
		want string
	}{
		{"backup", Backup(), "BOLTDB"},
		{"stats", Stats(), `{"conversations":1}` + "\n"},
		{"export", Export(), `{"conversation":"web/s1","messages":[{"role":"user","text":"hi, I am [PHONE_1]","at":"2026-03-01T12:00:00Z"},` +
			`{"role":"assistant","text":"hello","at":"2026-03-01T12:00:00Z","route":"model","provider":"local","model":"m","tokens":3}]}` + "\n"},
		{"export raw", Export().Raw(), `{"conversation":"web/s1","messages":[{"role":"user","text":"hi, I am 13812345678","at":"2026-03-01T12:00:00Z"},` +
			`{"role":"assistant","text":"hello","at":"2026-03-01T12:00:00Z","route":"model","provider":"local","model":"m","tokens":3}]}` + "\n"},
		{"unanswered jsonl", all, `{"question":"Mars? [EMAIL_1]","conversation":"web/s1","platform":"web","at":"2026-03-01T12:00:00Z",` +
			`"reason":"degraded","candidates":[{"ID":"shipping","Score":0.25}]}` + "\n"},
		{"unanswered raw", all.Raw(), `{"question":"Mars? a.b@example.com","conversation":"web/s1","platform":"web","at":"2026-03-01T12:00:00Z",` +
			`"reason":"degraded","candidates":[{"ID":"shipping","Score":0.25}]}` + "\n"},
		{"unanswered csv since", since, "at,platform,conversation,reason,question,candidates\n" +
			"2026-03-01T12:00:00Z,web,web/s1,degraded,Mars? [EMAIL_1],shipping:0.250\n"},
		{"forget user", forgetAlice, `{"user":"telegram:42","Conversations":1,"Messages":2,"Unanswered":0,"Usage":0,"Pending":0}` + "\n"},
		{"unanswered later", later, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var local, remote bytes.Buffer
			if err := tt.call.Answer(context.Background(), st, &local); err != nil {
				t.Fatal(err)
			}
			if local.String() != tt.want {
				t.Fatalf("local answer %q, want %q", local.String(), tt.want)
			}
			if err := NewClient(Config{Listen: strings.TrimPrefix(url, "http://")}).Do(context.Background(), tt.call, &remote); err != nil {
				t.Fatal(err)
			}
			if remote.String() != tt.want {
				t.Fatalf("answer over HTTP %q, want %q", remote.String(), tt.want)
			}
		})
	}
}

func TestAdminCallErrors(t *testing.T) {
	st := newFakeStore()
	url := serve(t, Deps{Store: st, Providers: usable(true)})
	if status, body := get(t, url+"/admin/unanswered?since=yesterday"); status != http.StatusBadRequest || !strings.Contains(body, "since") {
		t.Fatalf("bad since = %d %q, want 400 naming since", status, body)
	}
	if status, _ := get(t, url+"/admin/unanswered?format=xml"); status != http.StatusBadRequest {
		t.Fatalf("bad format = %d, want 400", status)
	}
	st.fail = errors.New("disk on fire")
	status, body := get(t, url+"/admin/backup")
	if status != http.StatusInternalServerError || strings.Contains(body, "disk on fire") {
		t.Fatalf("failed backup = %d %q, want 500 without the cause", status, body)
	}
	if _, err := Unanswered(time.Time{}, "xml"); err == nil {
		t.Fatal("Unanswered accepted format xml")
	}
	if _, err := New(Config{}, Deps{}); err == nil {
		t.Fatal("New accepted no store")
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"2026-01-05", time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), false},
		{"2026-01-05T10:00:00Z", time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC), false},
		{"last week", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseSince(tt.in, now)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
