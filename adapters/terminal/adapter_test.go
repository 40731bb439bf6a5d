package terminal

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"imbot/core"
)

// echoDeliver answers each envelope through a's writer, streaming the answer
// in two updates, and records what it was given.
func echoDeliver(t *testing.T, a *Adapter, got *[]core.Envelope) core.DeliverFunc {
	return func(ctx context.Context, env core.Envelope) error {
		*got = append(*got, env)
		w, err := a.Reply(ctx, env)
		if err != nil {
			return err
		}
		answer := "echo: " + env.Text
		if err := w.Update(ctx, answer[:3]); err != nil {
			t.Error(err)
		}
		return w.Finish(ctx, core.Reply{Text: answer, Route: core.RouteModel, Provider: "p", Model: "m"})
	}
}

func TestRunDeliversLinesAndEndsWithInput(t *testing.T) {
	var out bytes.Buffer
	a, err := New("notes", strings.NewReader("hello\n   \nsecond line\n"), &out, WithVersion("v1.2"))
	if err != nil {
		t.Fatal(err)
	}
	var got []core.Envelope
	if err := a.Run(context.Background(), echoDeliver(t, a, &got)); !errors.Is(err, ErrInputClosed) {
		t.Fatalf("Run at end of input = %v, want ErrInputClosed", err)
	}
	if len(got) != 2 || got[0].Text != "hello" || got[1].Text != "second line" {
		t.Fatalf("delivered %+v, want the two non-blank lines", got)
	}
	for _, env := range got {
		if env.Platform != Platform || env.ChatID != "notes" || env.ChatKind != core.ChatDirect || env.UserID != "local" || env.MessageID == "" {
			t.Fatalf("envelope %+v", env)
		}
	}
	if got[0].MessageID == got[1].MessageID {
		t.Fatalf("two messages share the id %q", got[0].MessageID)
	}
	want := "imbot v1.2 — conversation \"notes\". Type /help for commands, Ctrl-D to quit.\n" +
		"> echo: hello\n  [p/m]\n> > echo: second line\n  [p/m]\n> \n"
	if out.String() != want {
		t.Fatalf("output:\n%q\nwant\n%q", out.String(), want)
	}
}

func TestRunReturnsWhenContextEnds(t *testing.T) {
	in, feed := io.Pipe()
	defer feed.Close()
	a, err := New("s", in, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, func(context.Context, core.Envelope) error { return nil }) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after ctx ended = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
}

func TestRunStopsOnRefusedDelivery(t *testing.T) {
	a, err := New("s", strings.NewReader("hi\n"), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	refused := errors.New("store down")
	err = a.Run(context.Background(), func(context.Context, core.Envelope) error { return refused })
	if !errors.Is(err, refused) {
		t.Fatalf("Run = %v, want the delivery error", err)
	}
}

func TestNewNeedsSession(t *testing.T) {
	if _, err := New("", strings.NewReader(""), io.Discard); err == nil {
		t.Fatal("New accepted an empty session")
	}
}

// lines is a LineReader over fixed lines.
type lines []string

func (l *lines) Readline() (string, error) {
	if len(*l) == 0 {
		return "", io.EOF
	}
	line := (*l)[0]
	*l = (*l)[1:]
	return line, nil
}

func TestWriterRendersMarkdownAndRoutes(t *testing.T) {
	tests := []struct {
		name        string
		interactive bool
		updates     []string
		reply       core.Reply
		want        string
	}{
		{"faq", false, []string{"Hel", "Hello"}, core.Reply{Text: "Hello!", Route: core.RouteFAQ}, "Hello!\n  [faq]\n"},
		{"markdown rendered", false, nil, core.Reply{Text: "**Bold** and `code`", Route: core.RouteDegraded}, "Bold and code\n  [degraded]\n"},
		{"progress mark erased", true, []string{"dr", "draft"}, core.Reply{Text: "x", Route: core.RouteModel, Provider: "local", Model: "qwen"},
			progress + "\r\x1b[Kx\n  [local/qwen]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var opts []Option
			if tt.interactive {
				opts = append(opts, WithLineReader(&lines{}))
			}
			a, err := New("s", strings.NewReader(""), &out, opts...)
			if err != nil {
				t.Fatal(err)
			}
			w, err := a.Reply(context.Background(), core.Envelope{})
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range tt.updates {
				if err := w.Update(context.Background(), u); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Finish(context.Background(), tt.reply); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Fatalf("output %q, want %q", out.String(), tt.want)
			}
			select {
			case <-a.finished:
			default:
				t.Fatal("Finish did not signal Run")
			}
		})
	}
}

func TestRunReadsFromALineReaderWithoutItsOwnPrompt(t *testing.T) {
	var out bytes.Buffer
	in := lines{"hello"}
	a, err := New("s", strings.NewReader(""), &out, WithLineReader(&in), WithVersion("v1"))
	if err != nil {
		t.Fatal(err)
	}
	var got []core.Envelope
	if err := a.Run(context.Background(), echoDeliver(t, a, &got)); !errors.Is(err, ErrInputClosed) {
		t.Fatalf("Run = %v", err)
	}
	want := "imbot v1 — conversation \"s\". Type /help for commands, Ctrl-D to quit.\n" + progress + "\r\x1b[Kecho: hello\n  [p/m]\n"
	if len(got) != 1 || out.String() != want {
		t.Fatalf("delivered %d, output %q, want %q", len(got), out.String(), want)
	}
}
