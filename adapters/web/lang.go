package web

import (
	"net/http"
	"strings"

	"imbot/core/catalog"
)

// WithTexts sets the message catalogue and the language picker of the
// errors a user reads (default: the built-in texts, Chinese as the last
// resort).
func WithTexts(c *catalog.Catalog, p *catalog.Picker) Option {
	return func(a *Adapter) { a.texts, a.picker = c, p }
}

// localize returns e with its message in the language hint names (the
// browser's), or in the default language; an error with no catalogue text
// (a protocol mistake, for developers) is returned as is.
func (a *Adapter) localize(e *requestError, hint string) *requestError {
	if e.id == "" {
		return e
	}
	out := *e
	out.message = a.texts.Text(a.picker.Pick("", "", hint), e.id)
	return &out
}

// langHint is the language the page asked for (?lang=), else the
// browser's first preferred language from Accept-Language
// ("zh-CN,zh;q=0.9,en;q=0.8" gives "zh-CN"), or "".
func langHint(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return l
	}
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	first, _, _ = strings.Cut(first, ";")
	return strings.TrimSpace(first)
}
