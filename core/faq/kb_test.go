package faq

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleKB = `# refunds
[[entry]]
id = "refund-how"
answer = """Open Orders, pick the order and press Refund."""
questions = ["How do I get a refund?", "怎么申请退款", "退款流程是什么"]

[[entry]]
id = "shipping-time"
answer = "Orders ship within two working days."
questions = ["When will my order ship?", "多久发货"]
`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		entries int
		errs    []string // substrings the error must contain; none means success
	}{
		{name: "valid", in: sampleKB, entries: 2},
		{name: "duplicate id", in: sampleKB + "[[entry]]\nid = \"refund-how\"\nanswer = \"x\"\nquestions = [\"y\"]\n",
			errs: []string{`entry 3 (id "refund-how"): duplicate id, first used by entry 1`}},
		{name: "empty answer and no questions", in: "[[entry]]\nid = \"a\"\nanswer = \"  \"\n",
			errs: []string{`entry 1 (id "a"): empty answer`, `entry 1 (id "a"): no questions`}},
		{name: "empty question", in: "[[entry]]\nid = \"a\"\nanswer = \"b\"\nquestions = [\"ok\", \" \"]\n",
			errs: []string{"question 2 is empty"}},
		{name: "bad id", in: "[[entry]]\nid = \"a b\"\nanswer = \"b\"\nquestions = [\"q\"]\n",
			errs: []string{`id contains ' '`}},
		{name: "missing id", in: "[[entry]]\nanswer = \"b\"\nquestions = [\"q\"]\n", errs: []string{"empty id"}},
		{name: "unknown key", in: "[[entry]]\nid = \"a\"\nanswr = \"b\"\nquestions = [\"q\"]\n", errs: []string{"unknown keys: entry.answr"}},
		{name: "no entries", in: "# nothing\n", errs: []string{"no [[entry]]"}},
		{name: "not toml", in: "[[entry]\n", errs: []string{"parse knowledge base"}},
		{name: "too long question", in: "[[entry]]\nid = \"a\"\nanswer = \"b\"\nquestions = [\"" + strings.Repeat("x", MaxQuestionRune+1) + "\"]\n",
			errs: []string{"question 1 is longer than"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kb, err := Parse([]byte(tc.in))
			if len(tc.errs) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if len(kb.Entries) != tc.entries {
					t.Fatalf("%d entries, want %d", len(kb.Entries), tc.entries)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.errs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

func TestParseSizeLimit(t *testing.T) {
	big := make([]byte, MaxFileBytes+1)
	if _, err := Parse(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v, want a size error", err)
	}
	path := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(path, big, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("Load: err = %v, want a size error", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleKB))
	f.Add([]byte("[[entry]]\nid = \"a\"\nanswer = \"b\"\nquestions = [\"c\"]\n"))
	f.Add([]byte("[[entry]]\nid = 1\n"))
	f.Add([]byte("entry = 3"))
	f.Add([]byte{0xff, '[', '['})
	f.Add([]byte("[[entry]]\nid = \"a\"\nanswer_zh = \"答\"\nanswer_en = \"b\"\nquestions = [\"c\"]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kb, err := Parse(data)
		if err != nil {
			return
		}
		if verr := kb.Validate(); verr != nil {
			t.Fatalf("Parse accepted an invalid knowledge base: %v", verr)
		}
	})
}

func TestAppendEntry(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "faq.toml")
	if err := os.WriteFile(path, []byte(sampleKB), 0o640); err != nil {
		t.Fatal(err)
	}
	add := Entry{ID: "opening-hours", Answer: "We are open 9–18 on weekdays.\n工作日 9 点到 18 点。", Questions: []string{"When are you open?", "几点上班"}}
	if err := AppendEntry(path, add); err != nil {
		t.Fatal(err)
	}
	kb, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(kb.Entries) != 3 || kb.Entries[2].ID != add.ID || kb.Entries[2].Answer != add.Answer || len(kb.Entries[2].Questions) != 2 {
		t.Fatalf("after append: %+v", kb.Entries)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), sampleKB) {
		t.Error("the existing text (with its comments) was not kept")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", fi.Mode().Perm())
	}
	if err := AppendEntry(path, Entry{ID: "refund-how", Answer: "x", Questions: []string{"y"}}); !errors.Is(err, ErrDuplicateID) {
		t.Fatalf("duplicate id: err = %v, want ErrDuplicateID", err)
	}
	if err := AppendEntry(path, Entry{ID: "empty", Questions: []string{"y"}}); err == nil || !strings.Contains(err.Error(), "empty answer") {
		t.Fatalf("empty answer: err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(data) {
		t.Error("a refused append changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestAppendEntryCreatesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.toml")
	if err := AppendEntry(path, Entry{ID: "a", Answer: "b", Questions: []string{"c"}}); err != nil {
		t.Fatal(err)
	}
	kb, err := Load(path)
	if err != nil || len(kb.Entries) != 1 {
		t.Fatalf("kb %+v, err %v", kb, err)
	}
}

func TestAnswerFor(t *testing.T) {
	both := Entry{Answer: "both", AnswerZH: "中文", AnswerEN: "English"}
	onlyZH := Entry{AnswerZH: "中文"}
	plain := Entry{Answer: "plain"}
	tests := []struct {
		e    Entry
		q    string
		want string
	}{
		{both, "怎么配置模型", "中文"},
		{both, "How do I set a model?", "English"},
		{both, "配置 OpenAI key", "English"}, // more Latin letters than Han characters
		{both, "123", "both"},
		{onlyZH, "How do I set a model?", "中文"},
		{plain, "怎么配置模型", "plain"},
	}
	for _, tc := range tests {
		if got := tc.e.AnswerFor(tc.q); got != tc.want {
			t.Errorf("AnswerFor(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestParseAnswersPerLanguage(t *testing.T) {
	kb, err := Parse([]byte("[[entry]]\nid = \"a\"\nanswer_zh = \"中文\"\nanswer_en = \"English\"\nquestions = [\"q\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e := kb.Entries[0]; e.AnswerZH != "中文" || e.AnswerEN != "English" || e.Answer != "" {
		t.Fatalf("entry %+v", e)
	}
	if _, err := Parse([]byte("[[entry]]\nid = \"a\"\nanswer_fr = \"x\"\nquestions = [\"q\"]\n")); err == nil {
		t.Fatal("unknown key answer_fr accepted")
	}
	if _, err := Parse([]byte("[[entry]]\nid = \"a\"\nquestions = [\"q\"]\n")); err == nil {
		t.Fatal("entry without any answer accepted")
	}
}
