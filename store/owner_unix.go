//go:build unix

package store

import (
	"fmt"
	"os"
	"syscall"
)

// copyOwner gives the file at dst the owner and group of the file at src,
// so that a compaction run as root leaves the file to the daemon's user.
func copyOwner(src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("store: compact: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := os.Lchown(dst, int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("store: compact: give the copy the original's owner: %w", err)
	}
	return nil
}
