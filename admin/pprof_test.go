package admin

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// serveWith mounts a Server for cfg on a loopback test server.
func serveWith(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	s, err := New(cfg, Deps{Store: newFakeStore(), Providers: usable(true)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// profileStatus fetches the heap profile's text form with the given headers.
func profileStatus(t *testing.T, url string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url+"/debug/pprof/heap?debug=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
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

func TestProfilesBehindTheGuard(t *testing.T) {
	_, noToken := serveWith(t, Config{Listen: "127.0.0.1:0"})
	_, withToken := serveWith(t, Config{Listen: "127.0.0.1:0", Token: "s3cret"})
	tests := []struct {
		name   string
		url    string
		header map[string]string
		want   int
	}{
		{"local request, no token configured", noToken, nil, http.StatusOK},
		{"proxied request, no token configured", noToken, map[string]string{"X-Forwarded-For": "203.0.113.7"}, http.StatusUnauthorized},
		{"browser cross-site request", noToken, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusUnauthorized},
		{"token configured, none sent", withToken, nil, http.StatusUnauthorized},
		{"token configured, wrong one", withToken, map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized},
		{"token configured and sent", withToken, map[string]string{"Authorization": "Bearer s3cret"}, http.StatusOK},
		{"token sent through a proxy", withToken, map[string]string{"Authorization": "Bearer s3cret", "X-Forwarded-For": "203.0.113.7"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := profileStatus(t, tt.url, tt.header)
			if status != tt.want {
				t.Fatalf("status %d, want %d (%.80q)", status, tt.want, body)
			}
			if status == http.StatusOK && !strings.Contains(body, "heap profile") {
				t.Fatalf("body %.80q is not a heap profile", body)
			}
		})
	}
}

func TestProfilesRemotePeerRefused(t *testing.T) {
	s, err := New(Config{Listen: "127.0.0.1:8080"}, Deps{Store: newFakeStore(), Providers: usable(true)})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	s.Mount(mux)
	r := httptest.NewRequest(http.MethodGet, "/debug/pprof/", nil)
	r.RemoteAddr, r.Host = "203.0.113.7:50000", "127.0.0.1:8080"
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("remote /debug/pprof/ = %d, want 401", w.Code)
	}
}

func TestSetTokenTakesEffect(t *testing.T) {
	s, url := serveWith(t, Config{Listen: "127.0.0.1:0", Token: "old"})
	s.SetToken("new")
	if status, _ := profileStatus(t, url, map[string]string{"Authorization": "Bearer old"}); status != http.StatusUnauthorized {
		t.Fatalf("old token after SetToken: %d, want 401", status)
	}
	if status, _ := profileStatus(t, url, map[string]string{"Authorization": "Bearer new"}); status != http.StatusOK {
		t.Fatalf("new token after SetToken: %d, want 200", status)
	}
}
