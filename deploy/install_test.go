// Package deploy holds tests of what ships beside the binary: the install
// layout, the systemd units, the dashboards and the alerting rules.
package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the module root, one folder up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
	return root
}

// makeInstall runs `make install` into destdir with vars, building the
// binary into bin (the Go build cache keeps a second build fast).
func makeInstall(t *testing.T, root, destdir, bin string, vars ...string) string {
	t.Helper()
	args := append([]string{"-C", root, "--no-print-directory", "install", "DESTDIR=" + destdir, "BIN=" + bin}, vars...)
	out, err := exec.Command("make", args...).CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// unitValues returns every value of key in a unit file, in order.
func unitValues(t *testing.T, path, key string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vals []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == key {
			vals = append(vals, strings.TrimSpace(v))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vals
}

func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root := repoRoot(t)
	tmp := t.TempDir()
	dest := filepath.Join(tmp, "root")
	bin := filepath.Join(tmp, "build", "imbot")

	makeInstall(t, root, dest, bin)

	const unitDir = "/etc/systemd/system"
	files := []struct {
		path string
		mode os.FileMode
	}{
		{"/usr/local/bin/imbot", 0o755},
		{unitDir + "/imbot.service", 0o644},
		{unitDir + "/imbot-backup.service", 0o644},
		{unitDir + "/imbot-backup.timer", 0o644},
		{"/etc/sysusers.d/imbot.conf", 0o644},
		{"/etc/imbot/config.toml", 0o640},
		{"/etc/imbot/env", 0o600},
	}
	for _, f := range files {
		st, err := os.Stat(filepath.Join(dest, f.path))
		if err != nil {
			t.Errorf("%s: %v", f.path, err)
			continue
		}
		if got := st.Mode().Perm(); got != f.mode {
			t.Errorf("%s: mode %04o, want %04o", f.path, got, f.mode)
		}
	}

	t.Run("config and env are never overwritten", func(t *testing.T) {
		cfg := filepath.Join(dest, "/etc/imbot/config.toml")
		env := filepath.Join(dest, "/etc/imbot/env")
		mine := []byte("# edited by the operator\n[server]\nlisten = \"127.0.0.1:9090\"\n")
		secret := []byte("TELEGRAM_BOT_TOKEN=123:abc\n")
		if err := os.WriteFile(cfg, mine, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(env, secret, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(cfg, 0o600); err != nil {
			t.Fatal(err)
		}
		out := makeInstall(t, root, dest, bin)
		for path, want := range map[string][]byte{cfg: mine, env: secret} {
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Errorf("second install replaced %s:\n%s\noutput:\n%s", path, got, out)
			}
		}
		if st, _ := os.Stat(cfg); st.Mode().Perm() != 0o600 {
			t.Errorf("second install changed the mode of the config to %04o", st.Mode().Perm())
		}
	})

	t.Run("unit paths exist in the installed tree", func(t *testing.T) {
		svc := filepath.Join(dest, unitDir, "imbot.service")
		cmd := unitValues(t, svc, "ExecStart")
		if len(cmd) != 1 {
			t.Fatalf("ExecStart: %q", cmd)
		}
		fields := strings.Fields(cmd[0])
		if len(fields) < 4 || fields[1] != "serve" || fields[2] != "-config" {
			t.Fatalf("ExecStart = %q, want <binary> serve -config <file>", cmd[0])
		}
		for _, p := range []string{fields[0], fields[3]} {
			if _, err := os.Stat(filepath.Join(dest, p)); err != nil {
				t.Errorf("ExecStart names %s, which make install did not install: %v", p, err)
			}
		}
		if fields[0] != "/usr/local/bin/imbot" || fields[3] != "/etc/imbot/config.toml" {
			t.Errorf("ExecStart = %q, want /usr/local/bin/imbot serve -config /etc/imbot/config.toml", cmd[0])
		}
		for _, unit := range []string{"imbot.service", "imbot-backup.service"} {
			path := filepath.Join(dest, unitDir, unit)
			envs := unitValues(t, path, "EnvironmentFile")
			if len(envs) != 1 || strings.TrimPrefix(envs[0], "-") != "/etc/imbot/env" {
				t.Errorf("%s: EnvironmentFile = %q, want -/etc/imbot/env", unit, envs)
			}
			if got := unitValues(t, path, "ConfigurationDirectory"); len(got) != 1 || got[0] != "imbot" {
				t.Errorf("%s: ConfigurationDirectory = %q, want imbot (/etc/imbot)", unit, got)
			}
			if got := unitValues(t, path, "StateDirectory"); len(got) != 1 || strings.Fields(got[0])[0] != "imbot" {
				t.Errorf("%s: StateDirectory = %q, want imbot (/var/lib/imbot)", unit, got)
			}
			if got := unitValues(t, path, "User"); len(got) != 1 || got[0] != "imbot" {
				t.Errorf("%s: User = %q, want imbot (the sysusers.d user)", unit, got)
			}
			start := strings.Join(unitValues(t, path, "ExecStart"), " ")
			if !strings.Contains(start, "/usr/local/bin/imbot ") || !strings.Contains(start, "-config /etc/imbot/config.toml") {
				t.Errorf("%s: ExecStart = %q does not run the installed binary with the installed config", unit, start)
			}
		}
	})

	t.Run("docs name the same paths", func(t *testing.T) {
		docs := map[string][]string{
			"systemd/README.md": {"/etc/imbot/config.toml", "/var/lib/imbot/data/imbot.db"},
			"README.md":         {"/etc/imbot/config.toml", "/var/lib/imbot/data/imbot.db"},
			"docs/store.md":     {"/var/lib/imbot/data/imbot.db"},
		}
		for doc, paths := range docs {
			b, err := os.ReadFile(filepath.Join(root, doc))
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			for _, p := range paths {
				if !strings.Contains(text, p) {
					t.Errorf("%s does not mention %s", doc, p)
				}
			}
			if strings.Contains(text, "/var/lib/imbot/imbot.db") {
				t.Errorf("%s names /var/lib/imbot/imbot.db; the default store is /var/lib/imbot/data/imbot.db", doc)
			}
		}
		b, err := os.ReadFile(filepath.Join(root, "systemd/README.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/usr/local/bin/imbot", "/etc/imbot/env", unitDir, "make install", "make uninstall"} {
			if !strings.Contains(string(b), p) {
				t.Errorf("systemd/README.md does not mention %s", p)
			}
		}
	})

	t.Run("PREFIX moves the binary and the unit follows", func(t *testing.T) {
		dest2 := filepath.Join(tmp, "root2")
		makeInstall(t, root, dest2, bin, "PREFIX=/opt/imbot")
		if _, err := os.Stat(filepath.Join(dest2, "/opt/imbot/bin/imbot")); err != nil {
			t.Fatal(err)
		}
		for _, unit := range []string{"imbot.service", "imbot-backup.service"} {
			start := strings.Join(unitValues(t, filepath.Join(dest2, unitDir, unit), "ExecStart"), " ")
			if !strings.Contains(start, "/opt/imbot/bin/imbot ") || strings.Contains(start, "/usr/local/bin/imbot") {
				t.Errorf("%s: ExecStart = %q, want /opt/imbot/bin/imbot", unit, start)
			}
		}
	})

	t.Run("uninstall keeps config, env and state", func(t *testing.T) {
		out, err := exec.Command("make", "-C", root, "--no-print-directory", "uninstall", "DESTDIR="+dest).CombinedOutput()
		if err != nil {
			t.Fatalf("make uninstall: %v\n%s", err, out)
		}
		for _, f := range files {
			_, err := os.Stat(filepath.Join(dest, f.path))
			kept := strings.HasPrefix(f.path, "/etc/imbot/")
			if kept && err != nil {
				t.Errorf("uninstall removed %s", f.path)
			}
			if !kept && err == nil {
				t.Errorf("uninstall left %s", f.path)
			}
		}
	})
}
