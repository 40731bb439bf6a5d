package web

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"imbot/core"
)

// idleConns is how many idle connections the memory benchmarks hold open.
const idleConns = 2000

// inUse returns the bytes of heap and goroutine stacks in use after a full
// collection.
func inUse() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// measurePerConn opens n connections with open, and reports the growth of
// heap+stack in use and of goroutines, per connection.
func measurePerConn(b *testing.B, n int, open func(i int) net.Conn, settled func() bool) {
	b.Helper()
	for b.Loop() {
		before, goroutines := inUse(), runtime.NumGoroutine()
		conns := make([]net.Conn, 0, n)
		for i := range n {
			conns = append(conns, open(i))
		}
		deadline := time.Now().Add(30 * time.Second)
		for !settled() {
			if time.Now().After(deadline) {
				b.Fatal("connections did not settle")
			}
			<-time.After(time.Millisecond)
		}
		after := inUse()
		b.ReportMetric(float64(after-before)/float64(n), "B/conn")
		b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/float64(n), "goroutines/conn")
		for _, c := range conns {
			_ = c.Close()
		}
	}
}

// BenchmarkIdleWebSocketMemory measures what one idle web chat connection
// costs: the server's part (gorilla conn, buffers, queue, reader and writer
// goroutines) plus both kernel-socket wrappers of a bare loopback TCP client
// (net.Conn, no client library). Subtract BenchmarkIdleTCPMemory for the
// adapter's own share.
func BenchmarkIdleWebSocketMemory(b *testing.B) {
	cfg := DefaultConfig()
	cfg.MaxConnections = idleConns
	e := newTestEnv(b, cfg, true)
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	measurePerConn(b, idleConns, func(i int) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(c, "GET /ws?session=idle-%d HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", i, addr)
		// Read the 101 response and the ready frame, so that the server's
		// goroutines are parked waiting for the next frame.
		br := bufio.NewReaderSize(c, 512)
		var got []byte
		for !bytes.Contains(got, []byte(`"ready"`)) {
			line, err := br.ReadSlice('}')
			if err != nil {
				b.Fatalf("handshake %d: %v (%q)", i, err, got)
			}
			got = append(got, line...)
		}
		return c
	}, func() bool {
		return e.a.hub.connections() == idleConns
	})
	b.StopTimer()
	deadline := time.Now().Add(30 * time.Second)
	for e.a.hub.connections() != 0 && time.Now().Before(deadline) {
		<-time.After(time.Millisecond)
	}
}

// BenchmarkIdleTCPMemory is the baseline: a loopback TCP connection whose
// both ends are held open and idle, with no HTTP or WebSocket on top.
func BenchmarkIdleTCPMemory(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var (
		mu       sync.Mutex
		accepted []net.Conn
		wg       sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			accepted = append(accepted, c)
			mu.Unlock()
		}
	}()
	measurePerConn(b, idleConns, func(int) net.Conn {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		return c
	}, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(accepted)%idleConns == 0 && len(accepted) > 0
	})
	_ = ln.Close()
	wg.Wait()
	for _, c := range accepted {
		_ = c.Close()
	}
}

// BenchmarkReplyLatency measures the time from the dispatcher's Finish (and
// Update) to the frame arriving at a WebSocket client over loopback. The
// reported p50/p99 are per frame; the target is well under 20 ms.
func BenchmarkReplyLatency(b *testing.B) {
	e := newTestEnv(b, testConfig(), true)
	c := e.dial(b, nil, nil)
	session := expect(b, c, "ready").Session
	ctx := context.Background()
	var samples []time.Duration
	i := 0
	for b.Loop() {
		i++
		env := e.a.envelope(core.ChatID(session), core.MessageID(fmt.Sprint("bench-", i)), "q", peer{})
		w, err := e.a.Reply(ctx, env)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := w.Update(ctx, "The answer is"); err != nil {
			b.Fatal(err)
		}
		expect(b, c, "delta")
		samples = append(samples, time.Since(start))
		start = time.Now()
		if err := w.Finish(ctx, core.Reply{Text: "The answer is 42.", Route: core.RouteModel, Provider: "p", Model: "m"}); err != nil {
			b.Fatal(err)
		}
		expect(b, c, "done")
		samples = append(samples, time.Since(start))
	}
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Microseconds()), "p50-µs/frame")
	b.ReportMetric(float64(samples[len(samples)*99/100].Microseconds()), "p99-µs/frame")
}
