package terminal

import (
	"context"
	"fmt"
	"io"

	"imbot/core"
	"imbot/markdown"
)

// progress is what an interactive terminal shows while a reply streams:
// one line, erased when the rendered reply replaces it.
const progress = "…"

// writer shows one reply: a progress mark while it streams (on an
// interactive terminal), then the whole reply, rendered from Markdown to
// plain text, and its route.
type writer struct {
	a      *Adapter
	marked bool
}

// Update shows the progress mark once, on an interactive terminal.
func (w *writer) Update(context.Context, string) error {
	if w.marked || !w.a.interactive {
		return nil
	}
	w.marked = true
	_, err := io.WriteString(w.a.out, progress)
	return err
}

// Finish erases the progress mark, prints the rendered reply and its
// route, and lets Run read the next line.
func (w *writer) Finish(_ context.Context, r core.Reply) error {
	defer w.a.done()
	if w.marked {
		if _, err := io.WriteString(w.a.out, "\r\x1b[K"); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w.a.out, "%s\n  [%s]\n", markdown.Parse(r.Text).Plain(), routeLabel(r))
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
