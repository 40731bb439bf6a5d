package feishu

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"imbot/core"
	"imbot/markdown"
)

const (
	// cardBudget is the answer text one card holds, counted as JSON-escaped
	// bytes: Feishu refuses cards over 30 KB (code 230025), and the card's own
	// JSON needs the rest.
	cardBudget = 28_000
	// textBudget is the text one plain message holds (Feishu's limit: 150 KB).
	textBudget = 100_000

	answerElement = "answer"
	routeElement  = "route"
	summaryRunes  = 60
)

// Footer glyphs while an answer streams and on a card continued in the next.
const (
	footerPending   = "…"
	footerContinued = "↓"
)

type cardElement struct {
	Tag       string `json:"tag"`
	ElementID string `json:"element_id"`
	Content   string `json:"content"`
	TextSize  string `json:"text_size,omitempty"`
}

type cardSummary struct {
	Content string `json:"content"`
}

type cardConfig struct {
	StreamingMode bool         `json:"streaming_mode"`
	UpdateMulti   bool         `json:"update_multi"`
	Summary       *cardSummary `json:"summary,omitempty"`
}

type card struct {
	Schema string     `json:"schema"`
	Config cardConfig `json:"config"`
	Body   struct {
		Elements []any `json:"elements"` // cardElement or voteRow
	} `json:"body"`
}

// buildCard renders a JSON 2.0 card: the answer as markdown and, when footer
// is set, a small grey line under it, then the extra elements (the vote
// buttons). streaming sets CardKit's streaming mode.
func buildCard(answer, footer string, streaming bool, extra ...any) string {
	c := card{Schema: "2.0", Config: cardConfig{StreamingMode: streaming, UpdateMulti: true}}
	if !streaming {
		c.Config.Summary = &cardSummary{Content: summary(answer)}
	}
	c.Body.Elements = append(c.Body.Elements, cardElement{Tag: "markdown", ElementID: answerElement, Content: answerMarkdown(answer)})
	if footer != "" {
		c.Body.Elements = append(c.Body.Elements,
			cardElement{Tag: "markdown", ElementID: routeElement, Content: footerMarkdown(footer), TextSize: "notation"})
	}
	c.Body.Elements = append(c.Body.Elements, extra...)
	return marshal(c)
}

// closingSettings turns a card's streaming mode off and sets its preview.
func closingSettings(answer string) string {
	return marshal(map[string]cardConfig{"config": {UpdateMulti: true, Summary: &cardSummary{Content: summary(answer)}}})
}

// cardRef is the content of a message that shows a CardKit card entity.
func cardRef(cardID string) string {
	return marshal(map[string]any{"type": "card", "data": map[string]string{"card_id": cardID}})
}

// textContent is the content of a plain text message.
func textContent(text string) string { return marshal(map[string]string{"text": text}) }

func footerMarkdown(label string) string {
	return "<font color='grey'>" + strings.NewReplacer("<", "", ">", "").Replace(label) + "</font>"
}

// routeLabel is the footer text for a finished reply, or "" for none.
func routeLabel(r core.Reply) string {
	if r.Refusal != "" {
		return ""
	}
	switch r.Route {
	case core.RouteFAQ:
		return "FAQ"
	case core.RouteDegraded:
		return "degraded"
	case core.RouteFAQGuess:
		return "FAQ (best guess)"
	case core.RouteCache:
		return "cached"
	case core.RouteModel:
		for _, s := range []string{r.Model, r.Provider} {
			if s != "" {
				return s
			}
		}
		return "model"
	}
	return ""
}

// answerMarkdown renders the model's Markdown as card markdown.
func answerMarkdown(answer string) string {
	return nonEmpty(markdown.Parse(answer).Feishu())
}

// plainText renders the model's Markdown as the text of a plain message.
func plainText(answer string) string {
	return markdown.Parse(answer).Plain()
}

func nonEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return footerPending
	}
	return s
}

func summary(s string) string {
	s = strings.Join(strings.Fields(plainText(s)), " ")
	if utf8.RuneCountInString(s) <= summaryRunes {
		return s
	}
	r := []rune(s)
	return string(r[:summaryRunes]) + "…"
}

func marshal(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // only maps and structs of strings and bools
	return strings.TrimSuffix(b.String(), "\n")
}

// replyUUID derives the idempotency uuid of one message or card operation
// from what it answers, so a repeated send (a retry, or a turn replayed after
// a restart) cannot post twice within Feishu's one-hour window.
func replyUUID(parent core.MessageID, purpose string, n int) string {
	sum := sha256.Sum256([]byte("imbot\x00" + string(parent) + "\x00" + purpose + "\x00" + strconv.Itoa(n)))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// escapedLen is the size of r inside a JSON string, counting HTML escapes.
func escapedLen(r rune) int {
	switch {
	case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
		return 2
	case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029' || r == utf8.RuneError:
		return 6
	}
	return utf8.RuneLen(r)
}

// fitPoint returns how many bytes of the answer s one part of kind k
// shows: like splitPoint, but what must fit the budget is the part as
// rendered, which escaping and table layout may make longer than s. A cut
// inside a code block moves to before the block, unless the block alone
// is larger than a part.
func fitPoint(s string, k renderKind) int {
	budget := k.budget()
	for b := budget; ; {
		cut := splitPoint(s, b)
		size := renderedSize(s[:cut], k)
		if size <= budget || b <= 1 {
			if open := openFence(s[:cut]); cut < len(s) && open > 0 {
				return open
			}
			return cut
		}
		b = max(1, min(b-1, b*budget/size))
	}
}

// openFence returns the offset of the line that opens a code fence still
// open at the end of s, or -1.
func openFence(s string) int {
	open, fence := -1, ""
	for pos := 0; pos < len(s); {
		line, _, _ := strings.Cut(s[pos:], "\n")
		t := strings.TrimLeft(line, " ")
		run := 0
		for run < len(t) && (t[run] == '`' || t[run] == '~') && t[run] == t[0] {
			run++
		}
		switch {
		case len(line)-len(t) > 3 || run < 3:
		case fence == "" && !(t[0] == '`' && strings.Contains(t[run:], "`")):
			open, fence = pos, t[:run]
		case fence != "" && t[0] == fence[0] && run >= len(fence) && strings.TrimSpace(t[run:]) == "":
			open, fence = -1, ""
		}
		pos += len(line) + 1
	}
	return open
}

// renderedSize is the size of answer rendered for kind k, counted as
// JSON-escaped bytes.
func renderedSize(answer string, k renderKind) int {
	shown := plainText(answer)
	if k != kindText {
		shown = answerMarkdown(answer)
	}
	n := 0
	for _, r := range shown {
		n += escapedLen(r)
	}
	return n
}

// splitPoint returns how many bytes of s fit in budget escaped bytes: all of
// s when it fits, otherwise a cut on a rune boundary, preferably after a
// paragraph, line or word break in the last quarter of what fits.
func splitPoint(s string, budget int) int {
	size, fit := 0, len(s)
	for i, r := range s {
		if size += escapedLen(r); size > budget {
			fit = i
			break
		}
	}
	if fit == len(s) {
		return fit
	}
	floor := fit * 3 / 4
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(s[:fit], sep); i >= floor && i > 0 {
			return i + len(sep)
		}
	}
	if fit == 0 { // budget smaller than one rune: take the rune anyway
		_, n := utf8.DecodeRuneInString(s)
		return n
	}
	return fit
}
