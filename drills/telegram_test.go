//go:build drills

package drills

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"imbot/adapters/telegram/telegramtest"
	"imbot/provider/openai/openaitest"
)

// telegramExtra enables only Telegram, polling the fake.
func telegramExtra(api string) string {
	return fmt.Sprintf(`
[adapters.web]
enabled = false
[adapters.telegram]
enabled = true
mode = "polling"
token_env = "DRILL_TELEGRAM_TOKEN"
api_url = %q
poll_timeout = "2s"
[dispatcher]
# The drills count one answer per message; burst coalescing, which answers a
# burst once, has its own tests.
coalesce = false
rate_per_minute = 0
drain_timeout = "20s"
`, api)
}

// answers counts, per marker, the bot's messages in the users' chats that
// carry it.
func answers(tg *telegramtest.Server, users []models.User, markers []string) map[string]int {
	seen := map[string]int{}
	for _, u := range users {
		for _, m := range tg.Sent(u.ID) {
			for _, mk := range markers {
				if containsWord(m.Plain, mk) {
					seen[mk]++
				}
			}
		}
	}
	return seen
}

// A burst of Telegram messages survives kill -9 at random points and a
// SIGTERM with turns in flight: every message is answered and recorded once.
func TestDrillTelegramKillBurst(t *testing.T) {
	rounds, n := envInt("DRILL_ROUNDS", 3), envInt("DRILL_MESSAGES", 60)
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Response{Echo: true, ChunkDelay: 30 * time.Millisecond}))
	tg := telegramtest.New()
	defer tg.Close()
	s := newSetup(t, model.URL(), telegramExtra(tg.URL))
	cfg := s.config(t, s.dir)
	env := "DRILL_TELEGRAM_TOKEN=" + telegramtest.Token
	users := make([]models.User, 6)
	for i := range users {
		users[i] = telegramtest.User(int64(1000+i), fmt.Sprint("user", i))
	}
	markers := make([]string, n)
	for i := range markers {
		markers[i] = fmt.Sprintf("q%04d", i)
		u := users[i%len(users)]
		tg.PushMessage(tg.NewMessage(telegramtest.PrivateChat(u), u, markers[i]))
	}
	started := time.Now()
	done := func() int {
		lost, _ := tally(markers, answers(tg, users, markers))
		return n - lost
	}
	for r := range rounds {
		p := start(t, s, cfg, env)
		target := min(n, done()+1+rand.IntN(max(1, n/rounds)))
		waitFor(t, 60*time.Second, func() bool { return done() >= target })
		<-time.After(time.Duration(rand.IntN(300)) * time.Millisecond) // a random point, not just after a reply
		p.kill()
		t.Logf("round %d: kill -9 after %d answered", r+1, done())
	}
	p := start(t, s, cfg, env)
	waitFor(t, 120*time.Second, func() bool { return done() == n })
	// SIGTERM with turns in flight: a second burst, stopped after its first answer.
	more := make([]string, n/4+1)
	for i := range more {
		more[i] = fmt.Sprintf("r%04d", i)
		u := users[i%len(users)]
		tg.PushMessage(tg.NewMessage(telegramtest.PrivateChat(u), u, more[i]))
	}
	all := append(markers, more...)
	waitFor(t, 60*time.Second, func() bool { lost, _ := tally(more, answers(tg, users, more)); return lost < len(more) })
	stopIn := p.term()
	p = start(t, s, cfg, env)
	waitFor(t, 120*time.Second, func() bool { lost, _ := tally(all, answers(tg, users, all)); return lost == 0 })
	p.term()
	lost, doubled := tally(all, answers(tg, users, all))
	history, unanswered := historyCounts(t, s, cfg, env)
	hLost, hDoubled := tally(all, history)
	t.Logf("drill telegram kill burst: messages=%d kills=%d answered=%d lost=%d doubled=%d history_lost=%d history_doubled=%d unanswered_in_history=%d sigterm_exit=%s elapsed=%s",
		len(all), rounds, len(all)-lost, lost, doubled, hLost, hDoubled, unanswered, stopIn.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	if lost != 0 || hLost != 0 || hDoubled != 0 || unanswered != 0 {
		t.Fatalf("lost %d, history lost %d doubled %d unanswered %d; want 0", lost, hLost, hDoubled, unanswered)
	}
	// A kill between a sent reply and its record sends the same answer
	// again (the designed at-least-once edge): at most the turns in flight
	// at each kill.
	if doubled > rounds*4 {
		t.Fatalf("doubled %d answers in %d kills", doubled, rounds)
	}
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.After(d)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("condition not met within %s", d)
		case <-tick.C:
		}
	}
}
