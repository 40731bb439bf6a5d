package sdnotify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// notifySocket is a fake systemd end of NOTIFY_SOCKET: a unix datagram
// socket that hands back what it receives.
type notifySocket struct {
	t    *testing.T
	conn *net.UnixConn
	name string
}

func listenNotify(t *testing.T, name string) *notifySocket {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &notifySocket{t: t, conn: conn, name: name}
}

// next returns the next datagram, failing the test after a deadline.
func (s *notifySocket) next() string {
	s.t.Helper()
	if err := s.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		s.t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := s.conn.Read(buf)
	if err != nil {
		s.t.Fatalf("read notification: %v", err)
	}
	return string(buf[:n])
}

func notifyEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestNotifierFromEnv(t *testing.T) {
	const pid = 4242
	tests := []struct {
		name     string
		vars     map[string]string
		wantNil  bool
		wantPing time.Duration
	}{
		{"no socket", map[string]string{}, true, 0},
		{"not a unix path", map[string]string{"NOTIFY_SOCKET": "vsock:2:1234"}, true, 0},
		{"socket without watchdog", map[string]string{"NOTIFY_SOCKET": "/run/systemd/notify"}, false, 0},
		{"watchdog at half the interval", map[string]string{"NOTIFY_SOCKET": "@notify", "WATCHDOG_USEC": "30000000"},
			false, 15 * time.Second},
		{"watchdog for this pid", map[string]string{"NOTIFY_SOCKET": "/n", "WATCHDOG_USEC": "2000000",
			"WATCHDOG_PID": fmt.Sprint(pid)}, false, time.Second},
		{"watchdog for another pid", map[string]string{"NOTIFY_SOCKET": "/n", "WATCHDOG_USEC": "2000000",
			"WATCHDOG_PID": "1"}, false, 0},
		{"bad watchdog interval", map[string]string{"NOTIFY_SOCKET": "/n", "WATCHDOG_USEC": "-5"}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := FromEnv(notifyEnv(tt.vars), pid)
			if (n == nil) != tt.wantNil {
				t.Fatalf("notifier = %+v, want nil %v", n, tt.wantNil)
			}
			if n != nil && n.ping != tt.wantPing {
				t.Errorf("ping = %v, want %v", n.ping, tt.wantPing)
			}
		})
	}
}

func TestNotifierSends(t *testing.T) {
	for _, name := range []string{
		filepath.Join(t.TempDir(), "notify.sock"),
		fmt.Sprintf("@imbot-test-%d", time.Now().UnixNano()), // abstract namespace
	} {
		t.Run(name, func(t *testing.T) {
			sock := listenNotify(t, name)
			n := FromEnv(notifyEnv(map[string]string{"NOTIFY_SOCKET": name}), 1)
			steps := []struct {
				send func() error
				want string
			}{
				{n.Ready, "READY=1"},
				{func() error { return n.Status("serving 3 adapters") }, "STATUS=serving 3 adapters"},
				{func() error { return n.Status("a\nREADY=1\r\n") }, "STATUS=a READY=1  "},
				{n.Stopping, "STOPPING=1"},
			}
			for _, s := range steps {
				if err := s.send(); err != nil {
					t.Fatal(err)
				}
				if got := sock.next(); got != s.want {
					t.Errorf("got %q, want %q", got, s.want)
				}
			}
		})
	}
}

func TestNotifierStatusIsBounded(t *testing.T) {
	name := filepath.Join(t.TempDir(), "notify.sock")
	sock := listenNotify(t, name)
	n := FromEnv(notifyEnv(map[string]string{"NOTIFY_SOCKET": name}), 1)
	if err := n.Status(strings.Repeat("状", 400)); err != nil {
		t.Fatal(err)
	}
	got := strings.TrimPrefix(sock.next(), "STATUS=")
	if len(got) > maxStatusLen || !strings.HasPrefix(got, "状状") || strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("status of %d bytes, want at most %d of whole characters", len(got), maxStatusLen)
	}
}

func TestNotifierWatchdog(t *testing.T) {
	name := filepath.Join(t.TempDir(), "notify.sock")
	sock := listenNotify(t, name)
	n := FromEnv(notifyEnv(map[string]string{"NOTIFY_SOCKET": name, "WATCHDOG_USEC": "20000"}), 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Watchdog(ctx, nil) }()
	for range 3 {
		if got := sock.next(); got != "WATCHDOG=1" {
			t.Fatalf("got %q, want WATCHDOG=1", got)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Watchdog = %v after ctx ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Watchdog did not return after ctx ended")
	}
}

func TestNotifierWatchdogFailsWhenSocketIsGone(t *testing.T) {
	name := filepath.Join(t.TempDir(), "gone.sock")
	n := FromEnv(notifyEnv(map[string]string{"NOTIFY_SOCKET": name, "WATCHDOG_USEC": "2000"}), 1)
	err := n.Watchdog(context.Background(), nil)
	var opErr *net.OpError
	if !errors.As(err, &opErr) || !strings.HasPrefix(err.Error(), "sd_notify: ") {
		t.Errorf("Watchdog = %v, want a wrapped *net.OpError", err)
	}
}

func TestNilNotifierDoesNothing(t *testing.T) {
	var n *Notifier
	for _, err := range []error{n.Ready(), n.Stopping(), n.Status("x"), n.Watchdog(context.Background(), nil)} {
		if err != nil {
			t.Errorf("nil notifier returned %v", err)
		}
	}
	off := FromEnv(notifyEnv(map[string]string{"NOTIFY_SOCKET": "/n"}), 1)
	if err := off.Watchdog(context.Background(), nil); err != nil {
		t.Errorf("Watchdog without WATCHDOG_USEC = %v, want nil at once", err)
	}
}

// TestWatchdogWithholdsPingsWhileNotAlive: while the main loop's heartbeat
// is stale no WATCHDOG=1 is sent (only a status saying why), and the pings
// resume when it beats again.
func TestWatchdogWithholdsPingsWhileNotAlive(t *testing.T) {
	name := filepath.Join(t.TempDir(), "notify.sock")
	sock := listenNotify(t, name)
	n := FromEnv(notifyEnv(map[string]string{"NOTIFY_SOCKET": name, "WATCHDOG_USEC": "20000"}), 1)
	var wedged atomic.Bool
	alive := func(context.Context) error {
		if wedged.Load() {
			return errors.New("dispatcher wedged")
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- n.Watchdog(ctx, alive) }()
	defer func() {
		cancel()
		<-done
	}()
	if got := sock.next(); got != "WATCHDOG=1" {
		t.Fatalf("alive: got %q, want WATCHDOG=1", got)
	}
	wedged.Store(true)
	for sock.next() == "WATCHDOG=1" { // at most the ping already on its way
	}
	for range 3 {
		if got := sock.next(); got != "STATUS=watchdog ping withheld: dispatcher wedged" {
			t.Fatalf("wedged: got %q, want the withheld status", got)
		}
	}
	wedged.Store(false)
	for sock.next() != "WATCHDOG=1" { // statuses sent before the loop recovered
	}
}
