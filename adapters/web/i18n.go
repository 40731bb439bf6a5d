package web

import (
	"net/http"

	"imbot/core/catalog"
)

// textsBody is the body of GET /i18n.json: the page's texts in one language.
type textsBody struct {
	Lang  catalog.Lang      `json:"lang"`
	Texts map[string]string `json:"texts"`
}

// serveTexts handles GET /i18n.json?lang=zh|en: every text of the page
// (the catalogue's web_ ids), with the operator's overrides. Without lang
// the Accept-Language header picks; the fallback is English.
func (a *Adapter) serveTexts(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	body := textsBody{Lang: lang, Texts: make(map[string]string)}
	for _, id := range catalog.PageIDs() {
		body.Texts[string(id)] = a.texts.Text(lang, id)
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Vary", "Accept-Language")
	writeJSON(w, http.StatusOK, body)
}
