//go:build drills

package drills

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// clockTicks is the unit of CPU times in /proc/PID/stat (USER_HZ, 100 on
// Linux).
const clockTicks = 100

// cpuSplit is the CPU time, so far, of the parts that share the machine in
// a replica benchmark.
type cpuSplit struct {
	replicas time.Duration // the imbot processes
	database time.Duration // the PostgreSQL server and its backends
	driver   time.Duration // this process: load generator, fakes, model
}

// sub returns the CPU time spent between earlier and s.
func (s cpuSplit) sub(earlier cpuSplit) cpuSplit {
	return cpuSplit{s.replicas - earlier.replicas, s.database - earlier.database, s.driver - earlier.driver}
}

// measureCPU reads the CPU time of the replicas' processes pids, of the
// PostgreSQL server at dsn (0 when dsn is empty) and of this process.
func measureCPU(b *testing.B, pids []int, dsn string) cpuSplit {
	var s cpuSplit
	for _, pid := range pids {
		s.replicas += procCPU(pid, false)
	}
	if dsn != "" {
		s.database = serverCPU(b, dsn)
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		s.driver = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return s
}

// serverCPU returns the CPU time of the PostgreSQL server at dsn: its
// postmaster, the backends it has reaped and those still running.
func serverCPU(b *testing.B, dsn string) time.Duration {
	var dataDir string
	queryOne(b, dsn, "SHOW data_directory", &dataDir)
	pidFile, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		b.Fatal(err)
	}
	postmaster, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidFile), "\n", 2)[0]))
	if err != nil {
		b.Fatalf("postmaster.pid: %v", err)
	}
	total := procCPU(postmaster, true)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil && parentOf(pid) == postmaster {
			total += procCPU(pid, false)
		}
	}
	return total
}

// statFields returns the fields of /proc/PID/stat after the command name.
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	return strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
}

// parentOf returns the parent of process pid, or 0.
func parentOf(pid int) int {
	f := statFields(pid)
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// procCPU returns the user and system time of process pid, with that of
// its reaped children when children is set.
func procCPU(pid int, children bool) time.Duration {
	f := statFields(pid) // f[11] utime, f[12] stime, f[13] cutime, f[14] cstime
	if len(f) < 15 {
		return 0
	}
	fields := f[11:13]
	if children {
		fields = f[11:15]
	}
	var ticks int64
	for _, v := range fields {
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks
}
