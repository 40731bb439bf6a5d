package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"imbot/core"
	"imbot/core/kit"
)

// maxWebhookBody bounds one webhook request; an update is a few KiB.
const maxWebhookBody = 1 << 20

// secretHeader carries the webhook secret token in Telegram's requests.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// runWebhook registers the webhook with Telegram and serves updates from
// the mounted handler until ctx ends. The webhook stays registered after
// Run returns, so updates queue at Telegram until the next start.
func (a *Adapter) runWebhook(ctx context.Context, deliver core.DeliverFunc) error {
	err := a.retry(ctx, "setWebhook", func(ctx context.Context) error {
		_, err := a.bot.SetWebhook(ctx, &bot.SetWebhookParams{
			URL: a.cfg.WebhookURL, SecretToken: a.cfg.WebhookSecret, AllowedUpdates: allowedUpdates,
		})
		return err
	})
	if err != nil || ctx.Err() != nil {
		return err
	}
	a.deliver.Store(&deliver)
	a.ready.Store(true)
	a.log.Info("webhook registered", "path", a.cfg.WebhookPath)
	<-ctx.Done()
	a.deliver.Store(nil)
	return nil
}

// serveWebhook handles one update from Telegram. It answers 401 to a
// request without the right secret token, 200 once the update is durably
// delivered (or is not for the bot), and 5xx when it could not be
// delivered, so that Telegram sends it again.
func (a *Adapter) serveWebhook(w http.ResponseWriter, r *http.Request) {
	// The listener has no read timeout (WebSockets share it): bound how long
	// a client may take to send its body, also when it is refused and the
	// server discards the rest.
	kit.BodyDeadline(w, a.bodyTimeout)
	if r.Method != http.MethodPost {
		a.m.webhook.With("method").Inc()
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if !validSecret(r.Header.Get(secretHeader), a.cfg.WebhookSecret) {
		a.m.webhook.With("secret").Inc()
		a.log.Warn("webhook request with a wrong secret token", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	deliver := a.deliver.Load()
	if deliver == nil {
		a.m.webhook.With("not_running").Inc()
		http.Error(w, "not running", http.StatusServiceUnavailable)
		return
	}
	u, status := a.readUpdate(w, r)
	if u == nil {
		a.m.webhook.With("body").Inc()
		http.Error(w, http.StatusText(status), status)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.cfg.RequestTimeout)
	defer cancel()
	if chat := chatOf(u); chat != 0 {
		defer a.chats.lock(chat)()
	}
	if err := a.handle(ctx, *deliver, u); err != nil {
		a.log.Warn("webhook update not delivered; Telegram will resend it", "update_id", u.ID, "err", err)
		http.Error(w, "not delivered", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// validSecret compares the secret token a request presents with the
// configured one as SHA-256 digests in constant time, so that neither its
// content nor its length can be learnt from response times. An empty
// configured secret accepts nothing.
func validSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1 && want != ""
}

// readUpdate decodes the request body. An update of a shape the models
// cannot decode but with an id is answered 200 and skipped, as polling
// skips it; a body that is no update at all is a bad request.
func (a *Adapter) readUpdate(w http.ResponseWriter, r *http.Request) (*models.Update, int) {
	body, err := kit.ReadBody(w, r, maxWebhookBody, a.bodyTimeout)
	if err != nil {
		return nil, kit.BodyStatus(err)
	}
	f := decodeUpdates([]json.RawMessage{body})[0]
	switch {
	case f.upd != nil && f.upd.ID != 0:
		return f.upd, http.StatusOK
	case f.id != 0:
		a.m.updates.With("undecodable").Inc()
		a.log.Warn("update skipped: cannot decode it", "update_id", f.id)
		return &models.Update{ID: f.id}, http.StatusOK
	}
	return nil, http.StatusBadRequest
}
