//go:build drills

package drills

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"imbot/provider/openai/openaitest"
)

// webExtra enables only the web chat.
func webExtra(dispatcher string) string {
	return `
[adapters.web]
enabled = true
[dispatcher]
# The drills count one answer per message; burst coalescing, which answers a
# burst once, has its own tests.
coalesce = false
drain_timeout = "20s"
` + dispatcher
}

// wsFrame is any server frame of the web protocol.
type wsFrame struct {
	Type    string   `json:"type"`
	ReplyTo string   `json:"reply_to"`
	Text    string   `json:"text"`
	Route   string   `json:"route"`
	Code    string   `json:"code"`
	Also    []string `json:"also"`
}

// client is one web chat connection.
type client struct {
	t    *testing.T
	conn *websocket.Conn
}

func dial(t *testing.T, s setup, session string) *client {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.Dial("ws://"+s.listen+"/ws?session="+session, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn}
	if f, err := c.read(10 * time.Second); err != nil || f.Type != "ready" {
		t.Fatalf("first frame %+v, %v; want ready", f, err)
	}
	return c
}

func (c *client) send(id, text string) error {
	return c.conn.WriteJSON(map[string]string{"type": "message", "id": id, "text": text})
}

func (c *client) read(d time.Duration) (wsFrame, error) {
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
	var f wsFrame
	_, data, err := c.conn.ReadMessage()
	if err == nil {
		err = json.Unmarshal(data, &f)
	}
	return f, err
}

// ask sends a message and waits for its final frame; it returns the frame
// and the time it took.
func (c *client) ask(id, text string) (wsFrame, time.Duration, error) {
	start := time.Now()
	if err := c.send(id, text); err != nil {
		return wsFrame{}, 0, err
	}
	for {
		f, err := c.read(30 * time.Second)
		if err != nil {
			return f, 0, err
		}
		if (f.Type == "done" || f.Type == "error") && f.ReplyTo == id {
			return f, time.Since(start), nil
		}
	}
}

// p99 returns the 99th percentile of ds.
func p99(ds []time.Duration) time.Duration { return percentile(ds, 99) }

// percentile returns the pth percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(0, (len(s)*p+99)/100-1)]
}

// SIGTERM with web turns in flight: every client gets its answer's done
// frame before the server closes the connection with 1001.
func TestDrillWebSIGTERMInFlight(t *testing.T) {
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Response{
		Chunks: []string{"one ", "two ", "three ", "four ", "five"}, ChunkDelay: 300 * time.Millisecond}))
	s := newSetup(t, model.URL(), webExtra("rate_per_minute = 0"))
	cfg := s.config(t, s.dir)
	p := start(t, s, cfg)
	const n = 5
	clients := make([]*client, n)
	for i := range clients {
		clients[i] = dial(t, s, fmt.Sprint("term", i))
		if err := clients[i].send("m1", fmt.Sprint("question ", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range clients { // every turn is streaming
		if f, err := c.read(10 * time.Second); err != nil || f.Type != "delta" {
			t.Fatalf("client %d: %+v, %v; want a delta", i, f, err)
		}
	}
	stopped := make(chan time.Duration, 1)
	go func() { stopped <- p.term() }()
	var done, goingAway int
	for _, c := range clients {
		for {
			f, err := c.read(30 * time.Second)
			if websocket.IsCloseError(err, websocket.CloseGoingAway) {
				goingAway++
				break
			}
			if err != nil {
				break
			}
			if f.Type == "done" && f.ReplyTo == "m1" {
				done++
			}
		}
	}
	took := <-stopped
	t.Logf("drill web sigterm: in_flight=%d done_before_close=%d closed_1001=%d lost=%d exit=%s", n, done, goingAway, n-done, took.Round(time.Millisecond))
	if done != n || goingAway != n {
		t.Fatalf("done %d and 1001 %d of %d clients", done, goingAway, n)
	}
}

// One client floods while others chat: the flooder gets a final frame for
// every message (answers, coalesced refusals) and no reset; the others are
// all answered. Their p99 with and without the flood is printed.
func TestDrillWebFlood(t *testing.T) {
	floodN := envInt("DRILL_MESSAGES", 60) * 5
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Response{Echo: true, ChunkDelay: 20 * time.Millisecond}))
	s := newSetup(t, model.URL(), webExtra("rate_per_minute = 30\nrate_burst = 5"))
	cfg := s.config(t, s.dir)
	p := start(t, s, cfg)
	chat := func(tag string) (answered int, lat []time.Duration) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		for u := range 3 {
			wg.Go(func() {
				c := dial(t, s, fmt.Sprintf("%s%d", tag, u))
				for i := range 4 {
					f, d, err := c.ask(fmt.Sprint("m", i), fmt.Sprintf("%s %d %d", tag, u, i))
					mu.Lock()
					if err == nil && f.Type == "done" {
						answered++
						lat = append(lat, d)
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return answered, lat
	}
	quietAnswered, quietLat := chat("quiet")
	flooder := dial(t, s, "flood")
	finalised := map[string]bool{}
	var refused, answered atomic.Int64
	var end string
	read := make(chan struct{})
	go func() {
		defer close(read)
		for len(finalised) < floodN {
			f, err := flooder.read(5 * time.Second)
			if err != nil {
				end = fmt.Sprint(err)
				if websocket.IsCloseError(err, websocket.ClosePolicyViolation, websocket.CloseTryAgainLater) {
					end = "close_frame: " + end
				}
				return
			}
			switch f.Type {
			case "done":
				answered.Add(1)
				finalised[f.ReplyTo] = true
			case "error":
				for _, id := range append([]string{f.ReplyTo}, f.Also...) {
					refused.Add(1)
					finalised[id] = true
				}
			}
		}
		end = "open"
	}()
	sent := 0
	for i := range floodN {
		if flooder.send(fmt.Sprint("f", i), fmt.Sprint("flood ", i)) != nil {
			break
		}
		sent++
	}
	busyAnswered, busyLat := chat("busy")
	<-read
	p.term()
	t.Logf("drill web flood: flood_sent=%d finalised=%d answered=%d refused=%d end=%q others_answered=%d/%d p99_unloaded=%s p99_flooded=%s",
		sent, len(finalised), answered.Load(), refused.Load(), end, busyAnswered, 12,
		p99(quietLat).Round(time.Millisecond), p99(busyLat).Round(time.Millisecond))
	if quietAnswered != 12 || busyAnswered != 12 {
		t.Fatalf("others answered %d unloaded and %d during the flood, want 12 each", quietAnswered, busyAnswered)
	}
	if end != "open" || len(finalised) != floodN {
		t.Fatalf("flooder: %d of %d finalised, connection %s", len(finalised), floodN, end)
	}
}

// Provider faults (500, 429, a hang, a dropped stream) between good
// answers: every message gets exactly one final answer and one history turn.
func TestDrillProviderFaults(t *testing.T) {
	var calls atomic.Int64
	faults := []openaitest.Response{
		openaitest.Fail(500), openaitest.RateLimited(1), openaitest.Hang(),
		{Chunks: []string{"cut ", "off"}, Drop: true, DropAfter: 1}, openaitest.Echo(),
	}
	model := openaitest.New(t, openaitest.WithScript(func(openaitest.Request) openaitest.Response {
		return faults[int(calls.Add(1)-1)%len(faults)]
	}))
	s := newSetup(t, model.URL(), webExtra("rate_per_minute = 0"))
	cfg := s.config(t, s.dir)
	p := start(t, s, cfg)
	n := envInt("DRILL_MESSAGES", 60) / 4
	var mu sync.Mutex
	finals := map[string]int{}
	routes := map[string]int{}
	var wg sync.WaitGroup
	started := time.Now()
	for u := range 3 {
		wg.Go(func() {
			c := dial(t, s, fmt.Sprint("faults", u))
			for i := range n {
				id := fmt.Sprintf("u%dm%d", u, i)
				f, _, err := c.ask(id, fmt.Sprintf("question %d from %d", i, u))
				mu.Lock()
				if err == nil {
					finals[id]++
					routes[f.Route+f.Code]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	p.term()
	var markers []string
	for u := range 3 {
		for i := range n {
			markers = append(markers, fmt.Sprintf("u%dm%d", u, i))
		}
	}
	lost, doubled := tally(markers, finals)
	history, unanswered := historyCounts(t, s, cfg)
	turns := 0
	for _, c := range history {
		turns += c
	}
	t.Logf("drill provider faults: messages=%d answered=%d lost=%d doubled=%d routes=%v model_calls=%d history_turns=%d unanswered_in_history=%d elapsed=%s",
		len(markers), len(markers)-lost, lost, doubled, routes, calls.Load(), turns, unanswered, time.Since(started).Round(time.Millisecond))
	if lost != 0 || doubled != 0 || turns != len(markers) || unanswered != 0 {
		t.Fatalf("lost %d doubled %d history %d of %d", lost, doubled, turns, len(markers))
	}
}
