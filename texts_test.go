package imbot_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// oldPhrases are texts users used to read from string literals in code,
// before they moved to the message catalogue (core/catalog). None may come
// back outside it, where it would be in one language only and beyond the
// reach of [texts].
func oldPhrases() []string {
	return []string{
		"Ask me anything",
		"forget this conversation",
		"show what I can do",
		"I've forgotten our conversation",
		"Usage: /ask",
		"failed. Please try again",
		"handling a lot of messages",
		"sending messages faster",
		"read text only",
		"只能读取文字消息",
		"Only the bot's admins",
		"Both an id and an answer",
		"No earlier question in this conversation",
		"Not added:",
		"example question(s)",
		"knowledge base is read-only",
		"a valid token is required",
		"origin not allowed",
		"too many connections",
		"the chat is not running",
		"the server is shutting down",
		"not accepted; send it again",
		"no reply within the request timeout",
		"waiting for a reply on this connection",
		"frames must be JSON text",
	}
}

// TestNoUserTextOutsideTheCatalogue walks the non-test Go files of the
// dispatcher, the commands and the adapters for the old phrases.
func TestNoUserTextOutsideTheCatalogue(t *testing.T) {
	for _, root := range []string{"core", "adapters", "knowledge"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && path == filepath.Join("core", "catalog"):
				return filepath.SkipDir
			case d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go"):
				return nil
			}
			lits, err := stringLiterals(path)
			if err != nil {
				return err
			}
			for _, p := range oldPhrases() {
				if strings.Contains(lits, strings.ToLower(p)) {
					t.Errorf("%s: %q belongs in the message catalogue", path, p)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// stringLiterals returns the string literals of the Go file at path, lower
// cased and joined by newlines (comments are not texts a user reads).
func stringLiterals(path string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			b.WriteString(strings.ToLower(lit.Value))
			b.WriteByte('\n')
		}
		return true
	})
	return b.String(), nil
}
