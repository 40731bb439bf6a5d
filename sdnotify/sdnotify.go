// Package sdnotify owns the daemon's side of systemd's service
// notification protocol (sd_notify): READY=1, STOPPING=1, STATUS= and the
// WATCHDOG=1 keep-alive, sent as datagrams to $NOTIFY_SOCKET.
package sdnotify

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// notifySendTimeout bounds one notification write.
const notifySendTimeout = 2 * time.Second

// maxStatusLen bounds the STATUS= text sent to systemd.
const maxStatusLen = 512

// Notifier sends service notifications to systemd (the sd_notify protocol:
// newline-separated VAR=value datagrams) over the unix datagram socket
// named by $NOTIFY_SOCKET; a name starting with "@" is in the abstract
// namespace. A nil *Notifier is valid and does nothing, which is what
// New returns outside systemd. Its methods may be called from any
// goroutine.
type Notifier struct {
	addr *net.UnixAddr
	// ping is the watchdog interval: half of $WATCHDOG_USEC, or 0 when the
	// watchdog is off or meant for another process ($WATCHDOG_PID).
	ping time.Duration
}

// New returns a Notifier for the process environment, or nil when
// NOTIFY_SOCKET is unset or not a unix socket path.
func New() *Notifier {
	return FromEnv(os.Getenv, os.Getpid())
}

// FromEnv is New reading the environment through getenv,
// for the process pid.
func FromEnv(getenv func(string) string, pid int) *Notifier {
	name := getenv("NOTIFY_SOCKET")
	if name == "" || (name[0] != '/' && name[0] != '@') {
		return nil
	}
	n := &Notifier{addr: &net.UnixAddr{Name: name, Net: "unixgram"}}
	usec, err := strconv.ParseUint(getenv("WATCHDOG_USEC"), 10, 63)
	if err != nil || usec == 0 {
		return n
	}
	if p := getenv("WATCHDOG_PID"); p != "" && p != strconv.Itoa(pid) {
		return n
	}
	n.ping = time.Duration(usec) * time.Microsecond / 2
	return n
}

// Ready tells systemd that start-up finished (READY=1); with Type=notify,
// systemctl start returns only then.
func (n *Notifier) Ready() error { return n.send("READY=1") }

// Stopping tells systemd that the service is shutting down (STOPPING=1).
func (n *Notifier) Stopping() error { return n.send("STOPPING=1") }

// Status sets the one-line status systemctl status shows. Line breaks are
// replaced, so the text cannot smuggle in other assignments, and it is cut
// to 512 bytes.
func (n *Notifier) Status(s string) error {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	if len(s) > maxStatusLen {
		s = strings.ToValidUTF8(s[:maxStatusLen], "")
	}
	return n.send("STATUS=" + s)
}

// Watchdog pings systemd (WATCHDOG=1) at half the interval systemd asked
// for, until ctx ends; it returns nil then. Before each ping it asks alive:
// while alive returns an error no ping is sent, only a STATUS= line naming
// the error, so systemd restarts a service whose main loop is wedged once
// the watchdog interval passes. A nil alive always pings. Watchdog returns
// at once, with nil, when there is no watchdog for this process, and with
// an error when a ping cannot be sent (systemd will then restart the
// service when the watchdog expires). The caller runs it and waits for it.
func (n *Notifier) Watchdog(ctx context.Context, alive func(context.Context) error) error {
	if n == nil || n.ping <= 0 {
		return nil
	}
	t := time.NewTicker(n.ping)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := n.keepAlive(ctx, alive); err != nil {
				return err
			}
		}
	}
}

// keepAlive sends one ping when alive passes, else a status naming why not.
func (n *Notifier) keepAlive(ctx context.Context, alive func(context.Context) error) error {
	if alive != nil {
		if err := alive(ctx); err != nil {
			return n.Status("watchdog ping withheld: " + err.Error())
		}
	}
	return n.send("WATCHDOG=1")
}

// send writes one notification datagram.
func (n *Notifier) send(state string) error {
	if n == nil {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer conn.Close()
	if err := conn.SetWriteDeadline(time.Now().Add(notifySendTimeout)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	if _, err := conn.Write([]byte(state)); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}
