// Package pgtest starts a throwaway PostgreSQL server for tests: initdb into
// a temporary directory, a free loopback port, run as a non-root user. It is
// the real engine, never a mock; each test gets a database of its own.
//
// A package that uses it calls Main from its TestMain, so the server started
// by the first test that needs it is stopped when the package's tests end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// When no PostgreSQL installation can be found, tests that need it are
// skipped with a message saying how to install one, unless the environment
// variable CI is set, in which case they fail.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Superuser is the role initdb creates; tests connect as it.
const Superuser = "imbot"

var (
	mu      sync.Mutex
	running *Server
	failed  error
	dbSeq   atomic.Int64
)

// Main runs the package's tests and stops the server if one was started.
func Main(m *testing.M) {
	code := m.Run()
	mu.Lock()
	if running != nil {
		running.Stop()
	}
	mu.Unlock()
	os.Exit(code)
}

// NewDatabase returns the DSN of a new, empty database on the package's
// server, starting the server on first use. The database is dropped when
// the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return shared(t).NewDatabase(t)
}

// NewDatabase returns the DSN of a new, empty database on s, dropped when
// the test ends.
func (s *Server) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	if err := s.exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		_ = s.exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return s.DSN(name)
}

// Shared returns the package's server, starting it on first use.
func Shared(t testing.TB) *Server { t.Helper(); return shared(t) }

func shared(t testing.TB) *Server {
	mu.Lock()
	defer mu.Unlock()
	if running == nil && failed == nil {
		running, failed = Start()
	}
	if errors.Is(failed, errNotInstalled) && os.Getenv("CI") == "" {
		t.Skipf("pgtest: %v (install the Debian package postgresql to run these tests)", failed)
	}
	if failed != nil {
		t.Fatalf("pgtest: %v", failed)
	}
	return running
}

var errNotInstalled = errors.New("no PostgreSQL server binaries (initdb, postgres) found")

// Server is one running throwaway PostgreSQL cluster.
type Server struct {
	Port int
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *bytes.Buffer
}

// Start creates and starts a cluster. Stop removes it. The server trades
// durability for speed (fsync, synchronous commit and full page writes off);
// settings ("name=value") are given after those and override them, e.g.
// "fsync=on" for a benchmark that must wait for the disk as production does.
func Start(settings ...string) (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "imbot-pg-")
	if err != nil {
		return nil, err
	}
	cred, err := runAs(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", Superuser,
		"--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.SysProcAttr = cred
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{Port: port, dir: dir, done: make(chan struct{}), log: new(bytes.Buffer)}
	args := []string{"-D", data, "-p", strconv.Itoa(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"}
	for _, kv := range settings {
		args = append(args, "-c", kv)
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	s.cmd.SysProcAttr = cred
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	if err := s.waitReady(20 * time.Second); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// DSN returns a connection string for database db as the superuser.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", Superuser, s.Port, db)
}

// Stop shuts the server down fast and removes its files.
func (s *Server) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}

func (s *Server) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		err := s.exec(context.Background(), "SELECT 1")
		if err == nil {
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited: %s", s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres not ready after %s: %v: %s", limit, err, s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DSN("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// findBinaries looks for initdb and postgres on PATH, then in Debian's
// versioned directories, newest first.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	return "", errNotInstalled
}

func version(binDir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return n
}

// runAs returns the credentials to run the server with: PostgreSQL refuses
// to run as root, so as root it runs as the postgres user (or nobody) and
// dir is handed to that user.
func runAs(dir string) (*syscall.SysProcAttr, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("running as root and no non-root user to run postgres as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		return nil, err
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
