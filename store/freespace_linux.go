package store

import (
	"path/filepath"
	"syscall"
)

// freeSpace returns the bytes an unprivileged writer may still use on the
// filesystem holding path.
func freeSpace(path string) (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(path), &st); err != nil {
		return 0, err
	}
	return st.Bavail * uint64(st.Bsize), nil
}
