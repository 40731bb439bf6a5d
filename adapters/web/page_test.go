package web

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func getPage(t *testing.T, e *testEnv, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestPage(t *testing.T) {
	e := newTestEnv(t, testConfig(), false) // the page is served before Run too
	resp, html := getPage(t, e, "/", nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(html) > 48<<10 {
		t.Errorf("page is %d bytes; keep it small", len(html))
	}
	for _, want := range []string{`name="viewport"`, `name="imbot-auth" content="none"`, `name="imbot-max-bytes" content="32768"`, `rel = 'noopener noreferrer'`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(html, "{{") {
		t.Error("page has an unfilled placeholder")
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`).FindString(html); m != "" {
		t.Errorf("page loads something from elsewhere: %s", m)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for tag, directive := range map[string]string{"script": "script-src", "style": "style-src"} {
		m := regexp.MustCompile(`(?s)<` + tag + `>(.*?)</` + tag + `>`).FindStringSubmatch(html)
		if m == nil {
			t.Fatalf("no inline <%s>", tag)
		}
		sum := sha256.Sum256([]byte(m[1]))
		want := directive + " 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q does not allow the inline %s (%s)", csp, tag, want)
		}
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
	again, _ := getPage(t, e, "/", http.Header{"If-None-Match": {resp.Header.Get("ETag")}})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET: %d, want 304", again.StatusCode)
	}
	if other, _ := getPage(t, e, "/index.php", nil); other.StatusCode != http.StatusNotFound {
		t.Errorf("GET /index.php: %d, want 404", other.StatusCode)
	}
}

func TestPageAnnouncesToken(t *testing.T) {
	cfg := testConfig()
	cfg.Tokens = []string{"page-token-0123456789"}
	e := newTestEnv(t, cfg, false)
	_, html := getPage(t, e, "/", nil)
	if !strings.Contains(html, `name="imbot-auth" content="token"`) {
		t.Fatal("page does not know a token is required")
	}
	if strings.Contains(html, "page-token-0123456789") {
		t.Fatal("page leaks the token")
	}
}
