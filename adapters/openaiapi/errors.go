package openaiapi

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// apiError is an error in OpenAI's shape:
// {"error":{"message","type","param","code"}}.
type apiError struct {
	status  int
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

// newError returns an error with status, type and code ("" for null).
func newError(status int, typ, code, param, format string, args ...any) *apiError {
	e := &apiError{status: status, Message: fmt.Sprintf(format, args...), Type: typ}
	if code != "" {
		e.Code = &code
	}
	if param != "" {
		e.Param = &param
	}
	return e
}

// invalid is a 400 for a request imbot cannot take, naming param.
func invalid(param, format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, "invalid_request_error", "", param, format, args...)
}

// The errors the endpoint answers besides invalid requests.
func errBadKey() *apiError {
	return newError(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key", "",
		"Incorrect API key provided. Send one of the chat's tokens as \"Authorization: Bearer <key>\".")
}

func errRateLimited() *apiError {
	return newError(http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded", "",
		"Rate limit reached for this key. Retry after the time in the Retry-After header.")
}

func errTooLarge() *apiError {
	return newError(http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large", "", "The request body is too large.")
}

func errNoModel(model string) *apiError {
	return newError(http.StatusNotFound, "invalid_request_error", "model_not_found", "model",
		"The model %q does not exist. GET /v1/models lists the models.", truncate(model, 64))
}

func errUpstream(status int) *apiError {
	return newError(status, "server_error", "upstream_error", "", "The model provider did not answer. Please try again later.")
}

// writeError answers e as JSON.
func writeError(w http.ResponseWriter, e *apiError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="imbot"`)
	}
	writeJSON(w, e.status, struct {
		Error *apiError `json:"error"`
	}{e})
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do then
}
