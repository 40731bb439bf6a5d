package web

import (
	"reflect"
	"testing"

	"imbot/core"
)

func TestCompletePrefix(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"ab\xe4", 2},            // first byte of a three-byte rune
		{"ab\xe4\xb8", 2},        // two of three bytes
		{"ab\xe4\xb8\x96", 5},    // whole rune
		{"😀", 4},                 // four-byte rune
		{"a\xf0\x9f\x98", 1},     // three of four bytes
		{"a\x80", 2},             // stray continuation byte: not held back
		{"\xff", 1},              // invalid byte: not held back
		{"x\xe4\xb8\x96\xe4", 4}, // complete rune, then a new one starts
	}
	for _, tt := range tests {
		if got := completePrefix(tt.in); got != tt.want {
			t.Errorf("completePrefix(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestFinalFrame(t *testing.T) {
	tests := []struct {
		name  string
		reply core.Reply
		want  any
	}{
		{"model", core.Reply{Text: "t", Route: core.RouteModel, Provider: "p", Model: "m"},
			doneFrame{Type: "done", ReplyTo: "id", Text: "t", Route: "model", Provider: "p", Model: "m"}},
		{"command", core.Reply{Text: "reset", Route: core.RouteCommand},
			doneFrame{Type: "done", ReplyTo: "id", Text: "reset", Route: "command"}},
		{"busy with text", core.Reply{Text: "later please", Refusal: core.RefusalBusy},
			errorFrame{Type: "error", ReplyTo: "id", Code: "busy", Message: "later please"}},
		{"rate limited without text", core.Reply{Refusal: core.RefusalRateLimited},
			errorFrame{Type: "error", ReplyTo: "id", Code: "rate_limited", Message: "too many messages; slow down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := finalFrame("id", tt.reply); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
