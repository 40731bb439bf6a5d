package terminal

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyCore keeps the adapter to the adapter contract: it may
// import the standard library, core (with its kit) and the Markdown
// renderer, never another adapter or the store.
func TestImportsOnlyCore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"imbot/core": true, "imbot/core/kit": true, "imbot/markdown": true}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || (strings.HasPrefix(imp, "imbot/") && !allowed[imp]) {
			t.Errorf("terminal imports %s; want only the standard library, core, kit and markdown", imp)
		}
	}
}
