package feishu

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"imbot/core"
)

// Platform is the name this adapter gives its envelopes.
const Platform core.Platform = "feishu"

const (
	eventMessageReceive = "im.message.receive_v1"
	maxContentBytes     = 256 << 10 // a message's content JSON; Feishu's own limit is 150 KB
)

// event is the part of a v2 event callback the adapter reads.
type event struct {
	Schema string      `json:"schema"`
	Header eventHeader `json:"header"`
	Event  struct {
		Sender  eventSender  `json:"sender"`
		Message eventMessage `json:"message"`
		// Operator and Action are set in card.action.trigger callbacks.
		Operator userID     `json:"operator"`
		Action   cardAction `json:"action"`
	} `json:"event"`
	// url_verification requests are flat: type, token, challenge.
	Type      string `json:"type"`
	Token     string `json:"token"`
	Challenge string `json:"challenge"`
	// repliesToBot is set by the adapter when the message replies to one of
	// the bot's messages.
	repliesToBot bool
}

type eventHeader struct {
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	CreateTime string `json:"create_time"`
	Token      string `json:"token"`
	AppID      string `json:"app_id"`
}

type userID struct {
	OpenID string `json:"open_id"`
}

type eventSender struct {
	SenderID   userID `json:"sender_id"`
	SenderType string `json:"sender_type"`
}

type eventMessage struct {
	MessageID   string    `json:"message_id"`
	RootID      string    `json:"root_id"`
	ParentID    string    `json:"parent_id"`
	CreateTime  string    `json:"create_time"`
	ChatID      string    `json:"chat_id"`
	ThreadID    string    `json:"thread_id"`
	ChatType    string    `json:"chat_type"`
	MessageType string    `json:"message_type"`
	Content     string    `json:"content"`
	Mentions    []mention `json:"mentions"`
}

type mention struct {
	Key  string `json:"key"`
	ID   userID `json:"id"`
	Name string `json:"name"`
}

// parseEvent decodes a plaintext event callback.
func parseEvent(plain []byte) (event, error) {
	var e event
	if err := json.Unmarshal(plain, &e); err != nil {
		return event{}, fmt.Errorf("feishu: decode event: %w", err)
	}
	return e, nil
}

// verdict says what to do with a received message.
type verdict uint8

const (
	verdictDeliver     verdict = iota // hand to the dispatcher
	verdictIgnore                     // not for the bot: drop quietly
	verdictOwn                        // the bot's own message
	verdictStale                      // older than the stale window
	verdictUnsupported                // addressed to the bot but not text: tell the sender
	verdictInvalid                    // missing ids
)

var verdictNames = [...]string{"deliver", "ignore", "own", "stale", "unsupported", "invalid"}

func (v verdict) String() string { return verdictNames[v] }

// inbound turns im.message.receive_v1 events into envelopes. It holds only
// configuration and is safe for concurrent use.
type inbound struct {
	inThread bool
	stale    time.Duration
}

// envelope converts e for a bot whose open_id is botID, received at now.
func (in inbound) envelope(e event, botID string, now time.Time) (core.Envelope, verdict) {
	m := e.Event.Message
	if m.MessageID == "" || m.ChatID == "" || e.Header.EventID == "" {
		return core.Envelope{}, verdictInvalid
	}
	env := core.Envelope{
		Platform:  Platform,
		ChatID:    core.ChatID(m.ChatID),
		ChatKind:  core.ChatDirect,
		UserID:    core.UserID(e.Event.Sender.SenderID.OpenID),
		MessageID: core.MessageID(m.MessageID),
		EventID:   e.Header.EventID,
		Received:  now,
	}
	if m.ChatType != "p2p" {
		env.ChatKind = core.ChatGroup
	}
	if in.inThread {
		// Our reply opens (or continues) a thread rooted at the first
		// message; every message in it carries that root as root_id.
		env.ThreadID = core.ThreadID(cmp(m.RootID, m.MessageID))
	}
	for _, mn := range m.Mentions {
		if botID != "" && mn.ID.OpenID == botID {
			env.MentionsBot = true
		}
	}
	if botID != "" && string(env.UserID) == botID {
		return env, verdictOwn
	}
	if ms, err := strconv.ParseInt(m.CreateTime, 10, 64); err == nil && now.Sub(time.UnixMilli(ms)) > in.stale {
		return env, verdictStale
	}
	text, ok := messageText(m.MessageType, m.Content)
	env.Text = stripMentions(text, m.Mentions, botID)
	env.RepliesToBot = e.repliesToBot
	// The dispatcher applies the group trigger. Only an unreadable message
	// is judged here: it gets a notice when it was plainly meant for the
	// bot, and is ignored otherwise, whatever the trigger.
	addressed := env.ChatKind == core.ChatDirect || env.MentionsBot || env.RepliesToBot
	switch {
	case !ok && addressed:
		return env, verdictUnsupported
	case !ok, env.Text == "":
		return env, verdictIgnore
	}
	return env, verdictDeliver
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// messageText extracts readable text from a message's content JSON; ok is
// false for message types the bot cannot read.
func messageText(msgType, content string) (string, bool) {
	if len(content) > maxContentBytes {
		return "", false
	}
	switch msgType {
	case "text":
		var c struct {
			Text string `json:"text"`
		}
		if json.Unmarshal([]byte(content), &c) != nil {
			return "", false
		}
		return c.Text, true
	case "post":
		return postText([]byte(content))
	}
	return "", false
}

// postBody is one language of a rich-text ("post") message.
type postBody struct {
	Title   string          `json:"title"`
	Content [][]postElement `json:"content"`
}

type postElement struct {
	Tag      string `json:"tag"`
	Text     string `json:"text"`
	Href     string `json:"href"`
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
}

// postText flattens a post: either {title, content} or the same wrapped in
// a locale key ({"zh_cn": {...}}); the first locale in key order wins.
func postText(raw []byte) (string, bool) {
	var flat postBody
	if json.Unmarshal(raw, &flat) == nil && (flat.Title != "" || len(flat.Content) > 0) {
		return flat.render(), true
	}
	var locales map[string]postBody
	if json.Unmarshal(raw, &locales) != nil || len(locales) == 0 {
		return "", false
	}
	keys := make([]string, 0, len(locales))
	for k := range locales {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return locales[keys[0]].render(), true
}

func (p postBody) render() string {
	var b strings.Builder
	if p.Title != "" {
		b.WriteString(p.Title)
		b.WriteByte('\n')
	}
	for i, line := range p.Content {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, el := range line {
			switch el.Tag {
			case "text", "md", "code_block":
				b.WriteString(el.Text)
			case "a":
				b.WriteString(cmp(el.Text, el.Href))
			case "at":
				if strings.HasPrefix(el.UserID, "@_") {
					b.WriteString(el.UserID) // a placeholder, resolved by stripMentions
				} else if el.UserName != "" {
					b.WriteString("@" + el.UserName)
				}
			}
		}
	}
	return b.String()
}

// stripMentions removes the bot's @-placeholders from text and spells out
// everyone else's as @name.
func stripMentions(text string, mentions []mention, botID string) string {
	if !strings.Contains(text, "@_") {
		return strings.TrimSpace(text)
	}
	keys := make([]mention, 0, len(mentions)+1)
	for _, m := range mentions {
		if strings.HasPrefix(m.Key, "@_") {
			keys = append(keys, m)
		}
	}
	// Longest key first, so @_user_1 does not match inside @_user_10.
	slices.SortFunc(keys, func(a, b mention) int { return len(b.Key) - len(a.Key) })
	pairs := make([]string, 0, 2*len(keys)+2)
	for _, m := range keys {
		repl := "@" + m.Name
		if botID != "" && m.ID.OpenID == botID {
			repl = ""
		}
		pairs = append(pairs, m.Key, repl)
	}
	pairs = append(pairs, "@_all", "@all")
	return strings.TrimSpace(strings.NewReplacer(pairs...).Replace(text))
}
