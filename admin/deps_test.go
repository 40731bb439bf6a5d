package admin

import (
	"go/build"
	"strings"
	"testing"
)

// TestImportsOnlyCore keeps the HTTP surface independent of the parts it
// reports on: it may import the standard library, core and core's
// sub-packages, never an adapter, a provider or the store.
func TestImportsOnlyCore(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") || (strings.HasPrefix(imp, "imbot/") && imp != "imbot/core" && !strings.HasPrefix(imp, "imbot/core/")) {
			t.Errorf("admin imports %s; want only the standard library and imbot/core/...", imp)
		}
	}
}
