// Package imbot_test holds the module's guards: the dependency rules between
// core, the adapters and the store, the modules core may use, what the daemon
// must not link, and that no text a user reads lives outside the message
// catalogue.
package imbot_test

import (
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// coreModules returns the only modules beside the standard library that
// core and its sub-packages may depend on, directly or not.
func coreModules() []string {
	return []string{
		"golang.org/x/text",
		"golang.org/x/time",
		"github.com/hashicorp/golang-lru/v2",
		"github.com/BurntSushi/toml",
	}
}

// listed is the part of `go list -json` output the guard reads.
type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Standard   bool
}

// goList runs `go list -json` on patterns and decodes every package. It
// skips the test when the go tool is absent.
func goList(t *testing.T, patterns ...string) []listed {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not found")
	}
	out, err := exec.Command(goTool, append([]string{"list", "-json"}, patterns...)...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	var pkgs []listed
	for {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
}

// standard reports whether path is in the standard library: its first
// element has no dot.
func standard(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// within reports whether path is pkg or below it.
func within(path, pkg string) bool {
	return path == pkg || strings.HasPrefix(path, pkg+"/")
}

// coreAllows reports whether a package under core may depend on path.
func coreAllows(path string) bool {
	if within(path, "imbot/core") {
		return true
	}
	if strings.HasPrefix(path, "imbot/") || path == "imbot" {
		return false
	}
	if standard(path) {
		return true
	}
	for _, m := range coreModules() {
		if within(path, m) {
			return true
		}
	}
	return false
}

func TestDependencyRules(t *testing.T) {
	pkgs := goList(t, "./core/...", "./adapters/...", "./store/...")
	checked := map[string]int{}
	for _, p := range pkgs {
		switch {
		case within(p.ImportPath, "imbot/core"):
			checked["core"]++
			for _, d := range p.Deps {
				if !coreAllows(d) {
					t.Errorf("%s depends on %s: core may use only imbot/core/..., the standard library and %s",
						p.ImportPath, d, strings.Join(coreModules(), ", "))
				}
			}
		case within(p.ImportPath, "imbot/adapters"):
			checked["adapters"]++
			own := adapterOf(p.ImportPath)
			for _, imp := range p.Imports {
				if within(imp, "imbot/store") {
					t.Errorf("%s imports %s: adapters never import the store", p.ImportPath, imp)
				}
				if other := adapterOf(imp); other != "" && other != own {
					t.Errorf("%s imports %s: an adapter never imports another adapter", p.ImportPath, imp)
				}
			}
		case within(p.ImportPath, "imbot/store"):
			checked["store"]++
			for _, imp := range p.Imports {
				if within(imp, "imbot/adapters") {
					t.Errorf("%s imports %s: the store never imports an adapter", p.ImportPath, imp)
				}
			}
		}
	}
	for _, part := range []string{"core", "adapters", "store"} {
		if checked[part] == 0 {
			t.Errorf("go list returned no %s packages: the guard checked nothing", part)
		}
	}
}

// adapterOf returns the adapter a package belongs to ("imbot/adapters/web"
// for imbot/adapters/web/webtest), or "" outside adapters.
func adapterOf(path string) string {
	rest, ok := strings.CutPrefix(path, "imbot/adapters/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return "imbot/adapters/" + name
}

func TestCoreAllows(t *testing.T) {
	for path, want := range map[string]bool{
		"net/http":                            true,
		"imbot/core/kit":                      true,
		"golang.org/x/text/unicode/norm":      true,
		"github.com/BurntSushi/toml/internal": true,
		"imbot/metric":                        false,
		"imbot/provider/openai":               false,
		"github.com/sashabaranov/go-openai":   false,
		"go.etcd.io/bbolt":                    false,
		"golang.org/x/textual":                false,
	} {
		if got := coreAllows(path); got != want {
			t.Errorf("coreAllows(%q) = %t, want %t", path, got, want)
		}
	}
}

// larkRoot is the Lark SDK's root package. Its NewClient links every service
// package of the SDK (megabytes of code for the Feishu adapter's few calls);
// the adapter builds the SDK configuration itself and calls larkcore.Request.
const larkRoot = "github.com/larksuite/oapi-sdk-go/v3"

func TestNoLarkRootImport(t *testing.T) {
	for _, p := range goList(t, "./...") {
		for _, imp := range p.Imports {
			if imp == larkRoot {
				t.Errorf("%s imports %s: use larkcore (docs/performance.md)", p.ImportPath, larkRoot)
			}
		}
	}
}

// goldmarkExtension is goldmark's package of extensions. Its init compiles
// linkify and typographer regexps the daemon never uses (0.6 ms and 264 KB at
// every start); markdown/gfm parses tables and strikethrough instead. Tests
// may import it to compare the two.
const goldmarkExtension = "github.com/yuin/goldmark/extension"

func TestDaemonDoesNotLinkGoldmarkExtension(t *testing.T) {
	for _, p := range goList(t, "./cmd/imbot") {
		for _, d := range p.Deps {
			if d == goldmarkExtension {
				t.Errorf("%s depends on %s: use imbot/markdown/gfm (docs/performance.md)", p.ImportPath, d)
			}
		}
	}
}
