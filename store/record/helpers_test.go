package record

import (
	"fmt"
	"slices"
	"time"

	"imbot/core"
)

// envelope returns a Telegram-like direct message numbered n in chat.
func envelope(chat string, n int) core.Envelope {
	return core.Envelope{Platform: "telegram", ChatID: core.ChatID(chat), ChatKind: core.ChatDirect,
		UserID: core.UserID("u-" + chat), UserName: "Ada", MessageID: core.MessageID(fmt.Sprint(n)),
		EventID: fmt.Sprint(1_000_000 + n), Text: fmt.Sprintf("question %d", n),
		Received: time.Date(2026, 3, 14, 9, 0, n%60, 0, time.UTC)}
}

func sameEnvelope(a, b core.Envelope) bool {
	ra, rb := a.Received, b.Received
	a.Received, b.Received = time.Time{}, time.Time{}
	return a == b && ra.Equal(rb)
}

func sameMessages(a, b []core.Message) bool {
	return slices.EqualFunc(a, b, func(x, y core.Message) bool {
		xt, yt := x.At, y.At
		x.At, y.At = time.Time{}, time.Time{}
		return x == y && xt.Equal(yt)
	})
}
