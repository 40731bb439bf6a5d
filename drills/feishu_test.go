//go:build drills

package drills

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/adapters/feishu/feishutest"
	"imbot/provider/openai/openaitest"
)

const (
	feishuApp    = "cli_drill"
	feishuSecret = "drill-secret"
	feishuToken  = "drill-verification-token"
	feishuKey    = "drill-encrypt-key"
	feishuBot    = "ou_drill_bot"
)

// feishuExtra enables only Feishu, in webhook mode against the fake.
func feishuExtra(api string) string {
	return fmt.Sprintf(`
[adapters.web]
enabled = false
[adapters.feishu]
enabled = true
mode = "webhook"
app_id = %q
app_secret_env = "DRILL_FEISHU_SECRET"
verification_token_env = "DRILL_FEISHU_TOKEN"
encrypt_key_env = "DRILL_FEISHU_KEY"
base_url = %q
[dispatcher]
# The drills count one answer per message; burst coalescing, which answers a
# burst once, has its own tests.
coalesce = false
rate_per_minute = 0
drain_timeout = "20s"
`, feishuApp, api)
}

// feishuEvent is the message marker from user number chat in their direct
// chat with the bot; its event and message ids carry the marker.
func feishuEvent(marker string, chat int) feishutest.Event {
	return feishutest.Event{EventID: "ev_" + marker, Token: feishuToken, MessageID: "om_" + marker,
		ChatID: fmt.Sprintf("oc_chat%d", chat), ChatType: "p2p", MsgType: "text",
		Content: feishutest.TextContent(marker), SenderOpenID: fmt.Sprintf("ou_user%d", chat), Created: time.Now()}
}

// finishedCards counts, per marker, the finished answers to its message.
func finishedCards(fake *feishutest.Server) map[string]int {
	seen := map[string]int{}
	for _, m := range fake.Messages() {
		if c, ok := fake.Card(m.ID); ok && c.Streaming {
			continue // a streamed card counts once it is finished
		}
		// An answer complete before the first update goes out as one card
		// message; a longer one streams through a CardKit card.
		if marker, ok := strings.CutPrefix(m.ParentID, "om_"); ok && containsWord(fake.Shown(m, "answer"), marker) {
			seen[marker]++
		}
	}
	return seen
}

// streamingCards counts the cards still streaming: answers never finished.
func streamingCards(fake *feishutest.Server) int {
	n := 0
	for _, m := range fake.Messages() {
		if c, ok := fake.Card(m.ID); ok && c.Streaming {
			n++
		}
	}
	return n
}

// platform plays Feishu's event delivery: it posts each event to the
// webhook until it is answered 200, as Feishu retries an unacknowledged one.
type platform struct {
	url  string
	wg   sync.WaitGroup
	stop chan struct{}
}

func (p *platform) deliver(e feishutest.Event) {
	p.wg.Go(func() {
		for {
			req := feishutest.WebhookRequest(context.Background(), p.url, feishuKey, e.JSON(), time.Now())
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return
				}
			}
			select {
			case <-p.stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// A Feishu burst survives kill -9 at random points, a SIGTERM with turns in
// flight, and every event delivered again afterwards in shuffled order: each
// message gets one finished card and one history turn.
func TestDrillFeishuKillBurst(t *testing.T) {
	rounds, n := envInt("DRILL_ROUNDS", 3), envInt("DRILL_MESSAGES", 60)
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Response{Echo: true, ChunkDelay: 30 * time.Millisecond}))
	fake := feishutest.New(t, feishuApp, feishuSecret, feishuBot)
	s := newSetup(t, model.URL(), feishuExtra(fake.URL))
	cfg := s.config(t, s.dir)
	env := []string{"DRILL_FEISHU_SECRET=" + feishuSecret, "DRILL_FEISHU_TOKEN=" + feishuToken, "DRILL_FEISHU_KEY=" + feishuKey}
	pf := &platform{url: "http://" + s.listen + "/feishu/events", stop: make(chan struct{})}
	defer func() { close(pf.stop); pf.wg.Wait() }()
	events := make([]feishutest.Event, n)
	markers := make([]string, n)
	for i := range events {
		markers[i] = fmt.Sprintf("q%04d", i)
		events[i] = feishuEvent(markers[i], i%6)
	}
	finished := func() map[string]int { return finishedCards(fake) }
	answered := func() int { lost, _ := tally(markers, finished()); return len(markers) - lost }
	started := time.Now()
	for _, e := range events {
		pf.deliver(e)
	}
	for r := range rounds {
		p := start(t, s, cfg, env...)
		target := min(n, answered()+1+rand.IntN(max(1, n/rounds)))
		waitFor(t, 60*time.Second, func() bool { return answered() >= target })
		<-time.After(time.Duration(rand.IntN(300)) * time.Millisecond) // a random point, not just after a reply
		p.kill()
		t.Logf("round %d: kill -9 after %d answered", r+1, answered())
	}
	p := start(t, s, cfg, env...)
	waitFor(t, 120*time.Second, func() bool { return answered() == n })
	// SIGTERM with turns in flight: a second burst, stopped after its first answer.
	more := make([]feishutest.Event, n/4+1)
	for i := range more {
		mk := fmt.Sprintf("r%04d", i)
		markers = append(markers, mk)
		more[i] = feishuEvent(mk, i%6)
		pf.deliver(more[i])
	}
	events = append(events, more...)
	waitFor(t, 60*time.Second, func() bool { return answered() > n })
	stopIn := p.term()
	n = len(markers)
	p = start(t, s, cfg, env...)
	waitFor(t, 120*time.Second, func() bool { return answered() == n })
	for _, i := range rand.Perm(n) { // Feishu redelivers, in any order
		pf.deliver(events[i])
	}
	pf.wg.Wait()
	p.term()
	lost, doubled := tally(markers, finished())
	stuck := streamingCards(fake)
	history, unanswered := historyCounts(t, s, cfg, env...)
	hLost, hDoubled := tally(markers, history)
	t.Logf("drill feishu kill burst: messages=%d kills=%d redelivered=%d answered=%d lost=%d doubled=%d stuck_streaming=%d history_lost=%d history_doubled=%d unanswered_in_history=%d sigterm_exit=%s elapsed=%s",
		n, rounds, n, n-lost, lost, doubled, stuck, hLost, hDoubled, unanswered, stopIn.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	if lost != 0 || hLost != 0 || hDoubled != 0 || unanswered != 0 {
		t.Fatalf("lost %d, history lost %d doubled %d unanswered %d; want 0", lost, hLost, hDoubled, unanswered)
	}
	if doubled > rounds*4 {
		t.Fatalf("doubled %d answers in %d kills", doubled, rounds)
	}
}
