package feishutest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	larkws "github.com/larksuite/oapi-sdk-go/v3/ws"
)

const wsPath = "/callback/ws/connect"

// longConn is one client connection to the fake long-connection gateway.
type longConn struct {
	sock    *websocket.Conn
	closed  chan struct{} // closed when the connection's read loop ends
	writeMu sync.Mutex    // one writer at a time
	mu      sync.Mutex
	acks    map[string]chan int
}

func (c *longConn) write(f *larkws.Frame) error {
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.sock.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.sock.WriteMessage(websocket.BinaryMessage, b)
}

// wsEndpoint answers the long connection's bootstrap: the socket URL and a
// client config that reconnects at once, forever.
func (s *Server) wsEndpoint(w http.ResponseWriter, r *http.Request) {
	var req struct {
		AppID     string `json:"AppID"`
		AppSecret string `json:"AppSecret"`
	}
	if !s.decode(w, r, &req) {
		return
	}
	if req.AppID != s.appID || req.AppSecret != s.appSecret {
		answer(w, http.StatusOK, map[string]any{"code": 514, "msg": "auth failed"})
		return
	}
	u := "ws" + strings.TrimPrefix(s.URL, "http") + wsPath + "?device_id=dev&service_id=1"
	answer(w, http.StatusOK, map[string]any{"code": 0, "msg": "ok", "data": map[string]any{"URL": u,
		"ClientConfig": map[string]int{"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0, "PingInterval": 120}}})
}

// wsConnect upgrades a long connection and reads its frames until it closes:
// pings are answered, event acks handed to PushEvent.
func (s *Server) wsConnect(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	sock, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &longConn{sock: sock, closed: make(chan struct{}), acks: map[string]chan int{}}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.connects++
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		for i, x := range s.conns {
			if x == c {
				s.conns = append(s.conns[:i], s.conns[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		close(c.closed)
		sock.Close()
	}()
	for {
		_, b, err := sock.ReadMessage()
		if err != nil {
			return
		}
		var f larkws.Frame
		if err := f.Unmarshal(b); err != nil {
			s.t.Errorf("feishutest: undecodable frame: %v", err)
			return
		}
		hs := larkws.Headers(f.Headers)
		switch {
		case f.Method == int32(larkws.FrameTypeControl) && hs.GetString(larkws.HeaderType) == string(larkws.MessageTypePing):
			pong := larkws.NewPingFrame(f.Service)
			pong.Headers = larkws.Headers{{Key: larkws.HeaderType, Value: string(larkws.MessageTypePong)}}
			_ = c.write(pong)
		case f.Method == int32(larkws.FrameTypeData):
			var resp larkws.Response
			_ = json.Unmarshal(f.Payload, &resp)
			c.mu.Lock()
			if ch, ok := c.acks[hs.GetString(larkws.HeaderMessageID)]; ok {
				ch <- resp.StatusCode
			}
			c.mu.Unlock()
		}
	}
}

// Connects returns how many long connections the fake has accepted.
func (s *Server) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// Connected reports whether a long connection is open.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns) > 0
}

// OpenConnections returns how many long connections are open.
func (s *Server) OpenConnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// DropConnections closes every open long connection, as a network fault would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.sock.Close()
	}
}

// PushEvent sends an event (plain JSON, as Event.JSON makes) over the open
// long connection and returns the status code the client acknowledged it
// with (200 accepted, 500 not).
func (s *Server) PushEvent(ctx context.Context, event []byte) (int, error) {
	s.mu.Lock()
	if len(s.conns) == 0 {
		s.mu.Unlock()
		return 0, errors.New("feishutest: no long connection")
	}
	c := s.conns[len(s.conns)-1]
	s.mu.Unlock()
	return s.push(ctx, c, event)
}

// DeliverEvent hands an event to one of the open long connections, as
// Feishu hands each event of an app to one of its connected clients: the
// connections take turns, and an event a client does not acknowledge with
// 200 within ackTimeout (a refusal, a closed connection, no answer) goes to
// the next one, after retryInterval when no connection is open, until it is
// accepted or ctx ends. It returns how many clients the event was handed to.
func (s *Server) DeliverEvent(ctx context.Context, event []byte, ackTimeout, retryInterval time.Duration) (attempts int, err error) {
	for {
		if c := s.nextConn(); c != nil {
			attempts++
			pushCtx, cancel := context.WithTimeout(ctx, ackTimeout)
			code, _ := s.push(pushCtx, c, event)
			cancel()
			if code == http.StatusOK {
				return attempts, nil
			}
			if ctx.Err() == nil {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return attempts, fmt.Errorf("feishutest: deliver event: %w", ctx.Err())
		case <-time.After(retryInterval):
		}
	}
}

// nextConn returns the open long connection whose turn it is, or nil.
func (s *Server) nextConn() *longConn {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) == 0 {
		return nil
	}
	s.turn++
	return s.conns[s.turn%len(s.conns)]
}

// push sends event over c and waits for its acknowledgement.
func (s *Server) push(ctx context.Context, c *longConn, event []byte) (int, error) {
	s.mu.Lock()
	s.seq++
	id := "msg_" + strconv.Itoa(s.seq)
	s.mu.Unlock()
	ack := make(chan int, 1)
	c.mu.Lock()
	c.acks[id] = ack
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.acks, id)
		c.mu.Unlock()
	}()
	f := &larkws.Frame{Method: int32(larkws.FrameTypeData), Service: 1, Payload: event, Headers: larkws.Headers{
		{Key: larkws.HeaderType, Value: string(larkws.MessageTypeEvent)},
		{Key: larkws.HeaderMessageID, Value: id},
		{Key: larkws.HeaderSum, Value: "1"},
		{Key: larkws.HeaderSeq, Value: "0"},
		{Key: larkws.HeaderTraceID, Value: "trace-" + id},
	}}
	if err := c.write(f); err != nil {
		return 0, fmt.Errorf("feishutest: push event: %w", err)
	}
	select {
	case code := <-ack:
		return code, nil
	case <-c.closed:
		return 0, errors.New("feishutest: push event: connection closed before the ack")
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
