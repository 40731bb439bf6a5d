package catalog

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestEveryIDHasBothLanguagesAndTheSamePlaceholders(t *testing.T) {
	seen := map[ID]bool{}
	for _, e := range allEntries() {
		t.Run(string(e.id), func(t *testing.T) {
			if seen[e.id] {
				t.Fatalf("id listed twice")
			}
			seen[e.id] = true
			if strings.TrimSpace(e.zh) == "" || strings.TrimSpace(e.en) == "" {
				t.Fatalf("zh %q, en %q: both languages are required", e.zh, e.en)
			}
			if zh, en := Placeholders(e.zh), Placeholders(e.en); !slices.Equal(zh, en) {
				t.Fatalf("placeholders differ: zh %v, en %v", zh, en)
			}
			if strings.Contains(e.zh, "%") || strings.Contains(e.en, "%") {
				t.Fatalf("fmt verb in a text; use {name} placeholders")
			}
		})
	}
	if got := len(IDs()); got != len(seen) {
		t.Fatalf("IDs() has %d ids, table %d", got, len(seen))
	}
}

func TestDegradedTextsHaveNoOperatorInstructions(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []ID{Degraded, DegradedUnavailable, DegradedTimeout, FAQBestGuess, ServiceProblem} {
		for _, lang := range []Lang{ZH, EN} {
			text := c.Text(lang, id)
			for _, bad := range []string{"OPENAI", "Ollama", "http", "config", "restart", "Operator", "环境变量"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s/%s = %q contains %q", lang, id, text, bad)
				}
			}
		}
	}
}

func TestText(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		lang Lang
		id   ID
		args []string
		want string
	}{
		{"zh", ZH, Busy, nil, "我现在消息太多，忙不过来。请稍后再试。"},
		{"en", EN, Busy, nil, "I'm handling a lot of messages right now. Please try again in a moment."},
		{"unknown language reads English", Lang("fr"), TextOnly, nil, "Sorry, I can read text only."},
		{"empty language reads English", "", CancelDone, nil, "Cancelled."},
		{"placeholder", EN, CommandFailed, []string{"command", "reset"}, "Sorry, /reset failed. Please try again."},
		{"placeholder zh", ZH, InputTruncated, []string{"limit", "4000"}, "你的消息太长，我只读了前 4000 个字符。"},
		{"two placeholders", EN, FAQAdded, []string{"id", "refund", "count", "2"},
			`Added "refund" with 2 example question(s); the knowledge base is reloaded.`},
		{"missing value keeps the placeholder", EN, UnknownCommand, nil,
			"I don't know the command /{command}. Send /help to see what I can do."},
		{"unpaired name is ignored", EN, UnknownCommand, []string{"command"},
			"I don't know the command /{command}. Send /help to see what I can do."},
		{"value is not expanded again", EN, FAQNotAdded, []string{"error", "{error} {id}"}, "Not added: {error} {id}"},
		{"unknown id", EN, ID("no_such"), nil, "no_such"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Text(tt.lang, tt.id, tt.args...); got != tt.want {
				t.Fatalf("Text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNilCatalogGivesBuiltInTexts(t *testing.T) {
	var c *Catalog
	if got, want := c.Text(ZH, TextOnly), "抱歉，我目前只能读取文字消息。"; got != want {
		t.Fatalf("Text = %q, want %q", got, want)
	}
}

func TestLookupDefaultFallsBackEnglishThenChinese(t *testing.T) {
	defaults := map[ID][2]string{"only_zh": {"中文", ""}, "only_en": {"", "English"}}
	tests := []struct {
		lang Lang
		id   ID
		want string
	}{
		{ZH, "only_en", "English"},
		{EN, "only_zh", "中文"},
		{ZH, "only_zh", "中文"},
		{EN, "missing", "missing"},
	}
	for _, tt := range tests {
		if got := lookupDefault(defaults, tt.lang, tt.id); got != tt.want {
			t.Errorf("lookupDefault(%s, %s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

func TestNewValidatesOverrides(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr []string
	}{
		{"none", Config{}, nil},
		{"good", Config{ZH: map[string]string{"busy": "太忙了"}, EN: map[string]string{"input_truncated": "Read {limit} chars."}}, nil},
		{"unknown id", Config{ZH: map[string]string{"bussy": "太忙了"}}, []string{"texts.zh.bussy: no such message id"}},
		{"placeholder missing", Config{EN: map[string]string{"command_failed": "Failed."}},
			[]string{"texts.en.command_failed: placeholders [], want [{command}]"}},
		{"placeholder renamed", Config{ZH: map[string]string{"faq_added": "{name} {count}"}},
			[]string{"texts.zh.faq_added: placeholders [{count} {name}], want [{count} {id}]"}},
		{"empty", Config{EN: map[string]string{"busy": "  "}}, []string{"texts.en.busy: must not be empty"}},
		{"every problem", Config{ZH: map[string]string{"a": "x", "b": "y"}, EN: map[string]string{"busy": ""}},
			[]string{"texts.zh.a: no such message id", "texts.zh.b: no such message id", "texts.en.busy: must not be empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("New: no error, want %q", tt.wantErr)
			}
			if got := strings.Split(err.Error(), "\n"); !slices.Equal(got, tt.wantErr) {
				t.Fatalf("New error = %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestOverridePrecedence(t *testing.T) {
	c, err := New(Config{ZH: map[string]string{"degraded": "请稍后再试。"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetBoth(Degraded, "Down for maintenance."); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang Lang
		id   ID
		want string
	}{
		{ZH, Degraded, "请稍后再试。"},                // [texts.zh] beats SetBoth
		{EN, Degraded, "Down for maintenance."}, // SetBoth beats the built-in text
		{EN, Busy, "I'm handling a lot of messages right now. Please try again in a moment."},
	}
	for _, tt := range tests {
		if got := c.Text(tt.lang, tt.id); got != tt.want {
			t.Errorf("Text(%s, %s) = %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

func TestSetBothValidates(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id      ID
		text    string
		wantErr string
	}{
		{Busy, "Busy, try later.", ""},
		{"nope", "x", "catalog: nope: no such message id"},
		{Busy, "", "catalog: busy: must not be empty"},
		{Busy, "Busy {minutes}", "catalog: busy: placeholders [{minutes}], want []"},
	}
	for _, tt := range tests {
		err := c.SetBoth(tt.id, tt.text)
		if got := fmt.Sprint(err); (tt.wantErr == "" && err != nil) || (tt.wantErr != "" && got != tt.wantErr) {
			t.Errorf("SetBoth(%s, %q) = %v, want %q", tt.id, tt.text, err, tt.wantErr)
		}
	}
	if got := c.Text(ZH, Busy); got != "Busy, try later." {
		t.Fatalf("after a refused SetBoth, Text = %q", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	c, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 100 {
				if i%2 == 0 {
					_ = c.SetBoth(Busy, fmt.Sprintf("busy %d", j))
				} else if c.Text(ZH, Busy) == "" {
					t.Error("empty text")
				}
			}
		}()
	}
	wg.Wait()
}

func TestPlaceholders(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"no placeholder", nil},
		{"{b} then {a} then {b}", []string{"{a}", "{b}"}},
		{"{} {Upper} {9x} {ok_1}", []string{"{ok_1}"}},
	}
	for _, tt := range tests {
		if got := Placeholders(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("Placeholders(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

func TestReplaceSwapsTheOverridesOfASharedCatalogue(t *testing.T) {
	shared, err := New(Config{EN: map[string]string{string(Busy): "old busy"}})
	if err != nil {
		t.Fatal(err)
	}
	next, err := New(Config{ZH: map[string]string{string(Busy): "新的忙碌"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := next.SetBoth(RateLimited, "slow down"); err != nil {
		t.Fatal(err)
	}
	shared.Replace(next)
	builtin, _ := New(Config{})
	if got, want := shared.Text(EN, Busy), builtin.Text(EN, Busy); got != want {
		t.Fatalf("English busy text %q, want the built-in %q (the old override is gone)", got, want)
	}
	if got := shared.Text(ZH, Busy); got != "新的忙碌" {
		t.Fatalf("Chinese busy text %q", got)
	}
	if got := shared.Text(EN, RateLimited); got != "slow down" {
		t.Fatalf("rate limited text %q", got)
	}
	if err := next.SetBoth(RateLimited, "changed later"); err != nil {
		t.Fatal(err)
	}
	if got := shared.Text(EN, RateLimited); got != "slow down" {
		t.Fatalf("a later change to the source leaked into the replaced catalogue: %q", got)
	}
}
