package core

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"imbot/core/safety/pii"
)

// scriptedStreamer records the request it got and streams its chunks.
type scriptedStreamer struct {
	chunks []string
	got    []ModelMessage
}

func (s *scriptedStreamer) Stream(_ context.Context, req ModelRequest, onDelta DeltaFunc) (ModelResult, error) {
	s.got = req.Messages
	var b strings.Builder
	for _, c := range s.chunks {
		b.WriteString(c)
		onDelta(c)
	}
	return ModelResult{Text: b.String()}, nil
}

func TestStreamAsMasksForThirdPartyOnly(t *testing.T) {
	m, err := pii.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	msgs := []ModelMessage{
		{Role: "system", Content: "be brief"},
		{Role: "user", Content: "call 13812345678 or mail a.b@example.com"},
	}
	for _, tc := range []struct {
		name       string
		thirdParty bool
		restore    bool
		wantSent   string
		wantReply  string
	}{
		{"local", false, true, "call 13812345678 or mail a.b@example.com", "I will call 13812345678."},
		{"third party", true, true, "call [PHONE_1] or mail [EMAIL_1]", "I will call 13812345678."},
		{"third party, no restore", true, false, "call [PHONE_1] or mail [EMAIL_1]", "I will call [PHONE_1]."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := (&Privacy{Masker: m, Restore: tc.restore}).request(msgs, false)
			s := &scriptedStreamer{chunks: []string{"I will call [PHO", "NE_1]."}}
			if !tc.thirdParty {
				s.chunks = []string{"I will call 1381234", "5678."}
			}
			var streamed strings.Builder
			res, err := StreamAs(t.Context(), s, tc.thirdParty, req, func(c string) { streamed.WriteString(c) })
			if err != nil {
				t.Fatal(err)
			}
			if got := s.got[1].Content; got != tc.wantSent {
				t.Errorf("provider got %q, want %q", got, tc.wantSent)
			}
			if tc.thirdParty && !strings.Contains(s.got[0].Content, "[PHONE_1]") {
				t.Errorf("system message %q lacks the placeholder hint", s.got[0].Content)
			}
			if streamed.String() != tc.wantReply || res.Text != tc.wantReply {
				t.Errorf("streamed %q, result %q, want %q", streamed.String(), res.Text, tc.wantReply)
			}
			if msgs[1].Content != "call 13812345678 or mail a.b@example.com" {
				t.Error("masking changed the caller's messages")
			}
		})
	}
}

func TestPrivacyWithoutPersonalDataSendsOneForm(t *testing.T) {
	m, err := pii.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	req := (&Privacy{Masker: m, Restore: true}).request([]ModelMessage{{Role: "user", Content: "hello"}}, false)
	if req.Masked != nil {
		t.Fatalf("a request without personal data has a masked form: %+v", req.Masked)
	}
	var nilPrivacy *Privacy
	if r := nilPrivacy.request([]ModelMessage{{Role: "user", Content: "13812345678"}}, true); r.Masked != nil {
		t.Fatal("a nil Privacy masked the request")
	}
}

func TestPrivacyWithOnlyLocalProvidersScansWhatCouldBeCached(t *testing.T) {
	m, err := pii.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	local := &Privacy{Masker: m, Local: true}
	msgs := []ModelMessage{{Role: "system", Content: "be brief"}, {Role: "user", Content: "call 13812345678"}}
	if req := local.request(msgs, false); req.Masked != nil {
		t.Errorf("an answer that cannot be cached, with no third-party provider, was masked: %+v", req.Masked)
	}
	if req := local.request(msgs, true); req.Masked == nil {
		t.Error("a question whose answer could be cached was not scanned for personal data")
	}
	if req := (&Privacy{Masker: m}).request(msgs, false); req.Masked == nil {
		t.Error("without Local, a prompt with personal data has no masked form for third-party providers")
	}
}

func TestRouterNeverCachesAnswersAboutPersonalData(t *testing.T) {
	for _, local := range []bool{false, true} {
		t.Run(fmt.Sprintf("local=%v", local), func(t *testing.T) {
			f := newRouterFixture(t, KnowledgeMatch{}, func(c *RouterConfig) { c.CacheServe = true })
			m, err := pii.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			f.r.deps.Privacy = &Privacy{Masker: m, Restore: true, Local: local}
			f.ask("a", "call 13812345678 please")
			if got := f.ask("b", "call 13812345678 please"); got.Route == RouteCache || len(f.general.reqs) != 2 {
				t.Fatalf("reply = %+v after %d calls: an answer about a phone number was served from the cache", got, len(f.general.reqs))
			}
			if f.general.reqs[0].Masked == nil {
				t.Fatal("the first question about a phone number was not found to hold personal data")
			}
			f.ask("a", "what is imbot?")
			if got := f.ask("b", "what is imbot?"); got.Route != RouteCache {
				t.Fatalf("reply = %+v: a question without personal data is cached as before", got)
			}
		})
	}
}
