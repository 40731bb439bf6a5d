package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// static holds the chat page: an HTML shell, its stylesheet and its scripts
// (the Markdown renderer and the app), which newPage inlines so that the page
// is one request.
//
//go:embed static/index.html static/app.css static/md.js static/app.js
var static embed.FS

// page is the assembled chat page and the headers it is served with.
type page struct {
	html []byte
	csp  string
	etag string
}

// newPage assembles the page. The Content-Security-Policy allows exactly the
// inlined script and stylesheet (by hash) and connections to this origin.
func newPage(tokenRequired bool, maxBytes int) (page, error) {
	read := func(name string) (string, error) {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			return "", fmt.Errorf("web: page: %w", err)
		}
		return string(b), nil
	}
	shell, err := read("index.html")
	if err != nil {
		return page{}, err
	}
	css, err := read("app.css")
	if err != nil {
		return page{}, err
	}
	md, err := read("md.js")
	if err != nil {
		return page{}, err
	}
	app, err := read("app.js")
	if err != nil {
		return page{}, err
	}
	js := md + "\n" + app
	auth := "none"
	if tokenRequired {
		auth = "token"
	}
	html := strings.NewReplacer("{{AUTH}}", auth, "{{MAX_BYTES}}", strconv.Itoa(maxBytes),
		"{{CSS}}", css, "{{JS}}", js).Replace(shell)
	sum := sha256.Sum256([]byte(html))
	return page{
		html: []byte(html),
		csp: "default-src 'none'; script-src '" + hash(js) + "'; style-src '" + hash(css) + "'; " +
			"connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
	}, nil
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// servePage handles GET /.
func (a *Adapter) servePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", a.page.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.page.etag)
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(a.page.html))
}

// Mount registers the chat page (GET /) and its texts (GET /i18n.json), the
// WebSocket (GET /ws) and the chat API (POST /api/chat) on mux.
func (a *Adapter) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", a.servePage)
	mux.HandleFunc("GET /ws", a.serveWS)
	mux.HandleFunc("GET /i18n.json", a.serveTexts)
	mux.HandleFunc("POST /api/chat", a.serveChat)
}
