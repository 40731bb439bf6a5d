package terminal

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyCore keeps the adapter to the adapter contract: it may
// import the standard library and core, never another adapter or the store.
func TestImportsOnlyCore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || (strings.HasPrefix(imp, "imbot/") && imp != "imbot/core") {
			t.Errorf("terminal imports %s; want only the standard library and imbot/core", imp)
		}
	}
}
