//go:build drills

package drills

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"imbot/provider/openai/openaitest"
)

// smallDisk mounts a tmpfs of sizeMB under t's temporary directory and
// unmounts it when the drill ends; it skips the drill when mounting is not
// possible (not root, no mount permission in the container).
func smallDisk(t *testing.T, sizeMB int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "disk")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("full-disk drill skipped: cannot mount a %d MiB tmpfs (needs root): %v %s", sizeMB, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file on dir's filesystem until it is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for {
		if _, err := f.Write(block); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("fill: %v", err)
			}
			return path
		}
	}
}

// The store's disk fills up while users chat: messages that cannot be
// stored are answered with the service problem text (none is left without
// a final frame), and once space is freed messages are answered again.
func TestDrillFullDisk(t *testing.T) {
	disk := smallDisk(t, 24)
	model := openaitest.New(t, openaitest.WithDefault(openaitest.Echo()))
	s := newSetup(t, model.URL(), webExtra("rate_per_minute = 0"))
	cfg := s.config(t, disk)
	p := start(t, s, cfg)
	c := dial(t, s, "disk")
	counts := map[string]int{}
	pad := strings.Repeat("x", 3000) // fills pages fast, so a full disk shows soon
	ask := func(phase string, n int) {
		for i := range n {
			f, _, err := c.ask(fmt.Sprintf("%s%d", phase, i), fmt.Sprintf("%s question %d %s", phase, i, pad))
			switch {
			case err != nil:
				counts[phase+"_lost"]++
			case f.Type == "done" && f.Route == "model":
				counts[phase+"_answered"]++
			default:
				counts[phase+"_refused"]++
			}
		}
	}
	n := max(5, envInt("DRILL_MESSAGES", 60)/6)
	ask("before", n)
	filler := fill(t, disk)
	ask("full", 4*n)
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	ask("after", n)
	p.term()
	t.Logf("drill full disk: per phase %d messages; %v", n, counts)
	if counts["before_answered"] != n || counts["after_answered"] != n {
		t.Fatalf("answered %d before and %d after the disk was full, want %d", counts["before_answered"], counts["after_answered"], n)
	}
	if lost := counts["before_lost"] + counts["full_lost"] + counts["after_lost"]; lost != 0 {
		t.Fatalf("%d messages got no final frame", lost)
	}
	if counts["full_refused"] == 0 {
		t.Fatalf("no message was refused on a full disk: %v", counts)
	}
}
