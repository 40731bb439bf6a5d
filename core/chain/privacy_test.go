package chain

import (
	"errors"
	"strings"
	"testing"

	"imbot/core"
)

// restorer puts "555" back for [PHONE_1].
type restorer struct{ held string }

func (r *restorer) Write(chunk string) string {
	r.held += chunk
	if strings.HasSuffix(r.held, "[PHONE_") || strings.HasSuffix(r.held, "[") {
		return ""
	}
	out := strings.ReplaceAll(r.held, "[PHONE_1]", "555")
	r.held = ""
	return out
}

func (r *restorer) Flush() string { out := r.held; r.held = ""; return out }

func TestEachMemberGetsTheFormItsFlagAsksFor(t *testing.T) {
	f := newFixture(t, []string{"local", "cloud"}, func(p *Policy) { p.ThirdParty = p.Name == "cloud"; p.MaxRetries = 0 })
	f.streamers[0].steps = []scriptStep{failing(errors.New("local model down"))}
	f.streamers[1].steps = []scriptStep{answer("cloud", "call [PHONE_1] now")}
	req := core.ModelRequest{
		Messages: []core.ModelMessage{{Role: "user", Content: "my number is 555"}},
		Masked: &core.MaskedRequest{Messages: []core.ModelMessage{{Role: "user", Content: "my number is [PHONE_1]"}},
			Restore: func() core.TextStream { return &restorer{} }},
	}
	var streamed strings.Builder
	res, err := f.chain.Stream(t.Context(), req, func(c string) { streamed.WriteString(c) })
	if err != nil {
		t.Fatal(err)
	}
	if got := f.streamers[0].reqs[0].Messages[0].Content; got != "my number is 555" {
		t.Errorf("the local member got %q, want the raw text", got)
	}
	cloud := f.streamers[1].reqs[0]
	if got := cloud.Messages[0].Content; got != "my number is [PHONE_1]" || cloud.Masked != nil {
		t.Errorf("the third-party member got %q (masked form passed on: %v)", got, cloud.Masked != nil)
	}
	if res.Text != "call 555 now" || streamed.String() != "call 555 now" {
		t.Errorf("result %q, streamed %q; want the value restored", res.Text, streamed.String())
	}
}
