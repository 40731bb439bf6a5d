package feishutest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// Event describes one im.message.receive_v1 callback.
type Event struct {
	EventID      string
	Token        string // header.token: the app's verification token
	MessageID    string
	RootID       string
	ParentID     string // the message this one replies to
	ThreadID     string
	ChatID       string
	ChatType     string // "p2p" or "group"
	MsgType      string // "text", "post", "image", …
	Content      string // the message's content JSON, e.g. TextContent("hi")
	SenderOpenID string
	SenderType   string // "user" (default) or "app"
	Mentions     []Mention
	Created      time.Time
}

// Mention is one @-mention: its placeholder key (@_user_1) and who it names.
type Mention struct {
	Key    string
	OpenID string
	Name   string
}

type jsonID struct {
	OpenID string `json:"open_id"`
}

type jsonMention struct {
	Key  string `json:"key"`
	ID   jsonID `json:"id"`
	Name string `json:"name"`
}

// JSON renders the event as Feishu sends it (schema 2.0), unencrypted.
func (e Event) JSON() []byte {
	senderType := e.SenderType
	if senderType == "" {
		senderType = "user"
	}
	mentions := make([]jsonMention, len(e.Mentions))
	for i, m := range e.Mentions {
		mentions[i] = jsonMention{Key: m.Key, ID: jsonID{m.OpenID}, Name: m.Name}
	}
	ms := strconv.FormatInt(e.Created.UnixMilli(), 10)
	v := map[string]any{
		"schema": "2.0",
		"header": map[string]any{"event_id": e.EventID, "event_type": "im.message.receive_v1", "create_time": ms,
			"token": e.Token, "app_id": "cli_test", "tenant_key": "tenant"},
		"event": map[string]any{
			"sender": map[string]any{"sender_id": jsonID{e.SenderOpenID}, "sender_type": senderType, "tenant_key": "tenant"},
			"message": map[string]any{"message_id": e.MessageID, "root_id": e.RootID, "parent_id": e.ParentID, "thread_id": e.ThreadID,
				"create_time": ms, "chat_id": e.ChatID, "chat_type": e.ChatType, "message_type": e.MsgType,
				"content": e.Content, "mentions": mentions},
		},
	}
	b, _ := json.Marshal(v)
	return b
}

// TextContent is the content JSON of a text message.
func TextContent(text string) string {
	b, _ := json.Marshal(map[string]string{"text": text})
	return string(b)
}

// Challenge is the url_verification request Feishu sends when a webhook URL
// is saved.
func Challenge(token, challenge string) []byte {
	b, _ := json.Marshal(map[string]string{"type": "url_verification", "token": token, "challenge": challenge})
	return b
}

// Encrypt encrypts plain as Feishu does: base64(IV || AES-256-CBC) with key
// sha256(encryptKey), a random IV and PKCS#7 padding.
func Encrypt(encryptKey string, plain []byte) string {
	key := sha256.Sum256([]byte(encryptKey))
	block, _ := aes.NewCipher(key[:])
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, aes.BlockSize+len(padded))
	_, _ = rand.Read(out[:aes.BlockSize])
	cipher.NewCBCEncrypter(block, out[:aes.BlockSize]).CryptBlocks(out[aes.BlockSize:], padded)
	return base64.StdEncoding.EncodeToString(out)
}

// EncryptedBody is a webhook body carrying plain encrypted: {"encrypt": …}.
func EncryptedBody(encryptKey string, plain []byte) []byte {
	b, _ := json.Marshal(map[string]string{"encrypt": Encrypt(encryptKey, plain)})
	return b
}

// Sign returns X-Lark-Signature: hex(sha256(timestamp + nonce + encryptKey + body)).
func Sign(timestamp, nonce, encryptKey string, body []byte) string {
	h := sha256.New()
	h.Write([]byte(timestamp + nonce + encryptKey))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// WebhookRequest builds the POST Feishu makes to url: plain encrypted with
// encryptKey and signed with a timestamp of at.
func WebhookRequest(ctx context.Context, url, encryptKey string, plain []byte, at time.Time) *http.Request {
	body := EncryptedBody(encryptKey, plain)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	ts, nonce := strconv.FormatInt(at.Unix(), 10), "nonce-"+strconv.FormatInt(at.UnixNano(), 36)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Lark-Request-Timestamp", ts)
	req.Header.Set("X-Lark-Request-Nonce", nonce)
	req.Header.Set("X-Lark-Signature", Sign(ts, nonce, encryptKey, body))
	return req
}
