package terminal

import (
	"context"
	"fmt"
	"io"
	"strings"

	"imbot/core"
)

// writer streams one reply to the terminal.
type writer struct {
	a     *Adapter
	shown string
}

// Update prints what text adds to what is shown; text that does not extend
// it starts on a new line.
func (w *writer) Update(_ context.Context, text string) error {
	var err error
	if rest, ok := strings.CutPrefix(text, w.shown); ok {
		_, err = io.WriteString(w.a.out, rest)
	} else {
		_, err = io.WriteString(w.a.out, "\n"+text)
	}
	w.shown = text
	return err
}

// Finish prints the rest of the reply and its route, and lets Run read the
// next line.
func (w *writer) Finish(ctx context.Context, r core.Reply) error {
	err := w.Update(ctx, r.Text)
	fmt.Fprintf(w.a.out, "\n  [%s]\n", routeLabel(r))
	select {
	case w.a.finished <- struct{}{}:
	default:
	}
	return err
}

// routeLabel is the short tag shown under a reply: faq, the model, or
// degraded.
func routeLabel(r core.Reply) string {
	if r.Route == core.RouteModel {
		return r.Provider + "/" + r.Model
	}
	return string(r.Route)
}
