package feishu

import (
	"imbot/core/kit"

	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"
)

const (
	maxBodyBytes  = 1 << 20         // a webhook request body
	maxClockSkew  = 5 * time.Minute // X-Lark-Request-Timestamp vs our clock
	headerTime    = "X-Lark-Request-Timestamp"
	headerNonce   = "X-Lark-Request-Nonce"
	headerSig     = "X-Lark-Signature"
	typeChallenge = "url_verification"
)

// bodyRefusal is the status and answer to a body that could not be read.
func bodyRefusal(err error) (int, []byte) {
	status := kit.BodyStatus(err)
	switch status {
	case http.StatusRequestEntityTooLarge:
		return status, []byte(`{"msg":"body too large"}`)
	case http.StatusRequestTimeout:
		return status, []byte(`{"msg":"body too slow"}`)
	}
	return status, []byte(`{"msg":"bad request"}`)
}

// Errors of webhook verification; each is answered with 401.
var (
	errUnencrypted  = errors.New("feishu: webhook: body is not encrypted")
	errUnsigned     = errors.New("feishu: webhook: signature headers missing")
	errStale        = errors.New("feishu: webhook: timestamp outside the allowed window")
	errBadSignature = errors.New("feishu: webhook: signature mismatch")
	errBadToken     = errors.New("feishu: webhook: verification token mismatch")
)

// Mount registers the webhook on the daemon's listener (webhook mode only).
func (a *Adapter) Mount(mux *http.ServeMux) {
	if a.cfg.Mode == ModeWebhook {
		mux.HandleFunc("POST "+a.cfg.WebhookPath, a.serveWebhook)
	}
}

func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	// The listener has no read timeout (WebSockets share it) and the body
	// is read before it can be verified: bound how long a client may take
	// to send it, so that slow senders cannot pile up connections.
	body, err := kit.ReadBody(w, r, maxBodyBytes, a.bodyTimeout)
	var status int
	var answer []byte
	if err != nil {
		status, answer = bodyRefusal(err)
	} else {
		status, answer = a.handleWebhook(r.Context(), r.Header, body)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
	a.metrics.acks.With(strconv.Itoa(status)).Inc()
	a.metrics.ackSeconds.With().Observe(time.Since(start).Seconds())
}

// handleWebhook verifies and handles one callback body and returns the HTTP
// status and JSON answer. 200 means handled (or deliberately ignored); 401 a
// request that failed verification; 500 a message that was not accepted, so
// Feishu delivers it again.
func (a *Adapter) handleWebhook(ctx context.Context, h http.Header, body []byte) (int, []byte) {
	e, signed, err := a.openCallback(h, body)
	token := a.secrets.Load().verificationToken
	if err != nil {
		a.log.Warn("feishu webhook rejected", "err", err)
		return http.StatusUnauthorized, []byte(`{"msg":"unauthorized"}`)
	}
	if e.Type == typeChallenge {
		if !equalSecret(e.Token, token) {
			a.log.Warn("feishu webhook rejected", "err", errBadToken)
			return http.StatusUnauthorized, []byte(`{"msg":"unauthorized"}`)
		}
		answer, _ := json.Marshal(map[string]string{"challenge": e.Challenge})
		return http.StatusOK, answer
	}
	switch {
	case !signed:
		err = errUnsigned
	case !equalSecret(e.Header.Token, token):
		err = errBadToken
	}
	if err != nil {
		a.log.Warn("feishu webhook rejected", "err", err)
		return http.StatusUnauthorized, []byte(`{"msg":"unauthorized"}`)
	}
	if e.Header.EventType == eventCardAction {
		return a.cardAction(ctx, e)
	}
	if e.Header.EventType != eventMessageReceive {
		a.log.Debug("feishu event ignored", "event_type", e.Header.EventType)
		return http.StatusOK, []byte(`{"msg":"ignored"}`)
	}
	if err := a.accept(ctx, e); err != nil {
		a.log.Error("feishu event not accepted", "err", err)
		return http.StatusInternalServerError, []byte(`{"msg":"not accepted"}`)
	}
	return http.StatusOK, []byte(`{"msg":"success"}`)
}

// openCallback checks the signature (when the headers are present), decrypts
// the body and decodes the event. signed reports whether a valid signature
// was checked: only the url_verification challenge may arrive without one.
func (a *Adapter) openCallback(h http.Header, body []byte) (e event, signed bool, err error) {
	var wrapper struct {
		Encrypt string `json:"encrypt"`
	}
	if json.Unmarshal(body, &wrapper) != nil || wrapper.Encrypt == "" {
		return event{}, false, errUnencrypted
	}
	key := a.secrets.Load().encryptKey
	ts, nonce, sig := h.Get(headerTime), h.Get(headerNonce), h.Get(headerSig)
	if ts != "" || nonce != "" || sig != "" {
		if err := a.checkSignature(ts, nonce, sig, key, body); err != nil {
			return event{}, false, err
		}
		signed = true
	}
	plain, err := decrypt(wrapper.Encrypt, key)
	if err != nil {
		return event{}, false, err
	}
	e, err = parseEvent(plain)
	return e, signed, err
}

// checkSignature verifies hex(sha256(timestamp+nonce+encryptKey+body)) in
// constant time and that the timestamp is within maxClockSkew of our clock.
func (a *Adapter) checkSignature(ts, nonce, sig, encryptKey string, body []byte) error {
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 || sec > math.MaxInt64/int64(time.Second) {
		return errStale
	}
	if skew := a.now().Sub(time.Unix(sec, 0)); skew > maxClockSkew || skew < -maxClockSkew {
		return errStale
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return errBadSignature
	}
	if want := signature(ts, nonce, encryptKey, body); subtle.ConstantTimeCompare(got, want[:]) != 1 {
		return errBadSignature
	}
	return nil
}

// signature is Feishu's webhook signature: sha256(timestamp + nonce +
// encryptKey + body), sent hex-encoded in X-Lark-Signature.
func signature(timestamp, nonce, encryptKey string, body []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte(timestamp))
	h.Write([]byte(nonce))
	h.Write([]byte(encryptKey))
	h.Write(body)
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// decrypt opens an encrypted callback: base64(IV || AES-256-CBC(plain)) with
// key sha256(encryptKey) and PKCS#7 padding. Like Feishu's own SDK it keeps
// only the outermost JSON object of the plaintext.
func decrypt(b64, encryptKey string) ([]byte, error) {
	buf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("feishu: decrypt: %w", err)
	}
	if len(buf) < 2*aes.BlockSize || len(buf)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("feishu: decrypt: %d bytes is not IV plus whole blocks", len(buf))
	}
	key := sha256.Sum256([]byte(encryptKey))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("feishu: decrypt: %w", err)
	}
	plain := make([]byte, len(buf)-aes.BlockSize)
	cipher.NewCBCDecrypter(block, buf[:aes.BlockSize]).CryptBlocks(plain, buf[aes.BlockSize:])
	if n := int(plain[len(plain)-1]); n >= 1 && n <= aes.BlockSize &&
		bytes.Count(plain[len(plain)-n:], plain[len(plain)-1:]) == n {
		plain = plain[:len(plain)-n]
	}
	i, j := bytes.IndexByte(plain, '{'), bytes.LastIndexByte(plain, '}')
	if i < 0 || j < i {
		return nil, errors.New("feishu: decrypt: no JSON object in the plaintext (wrong encrypt key?)")
	}
	return plain[i : j+1], nil
}

// equalSecret compares two secrets in constant time (length included).
func equalSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && want != ""
}
