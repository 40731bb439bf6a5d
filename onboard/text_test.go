package onboard

import (
	"regexp"
	"slices"
	"testing"
)

var placeholderRE = regexp.MustCompile(`\{[a-z]+\}`)

func TestEveryTextInBothLanguages(t *testing.T) {
	for m := range msgCount {
		zh, en := texts[m][ZH], texts[m][EN]
		if zh == "" || en == "" {
			t.Errorf("message %d: zh %q, en %q; want both", m, zh, en)
			continue
		}
		pz, pe := placeholderRE.FindAllString(zh, -1), placeholderRE.FindAllString(en, -1)
		slices.Sort(pz)
		slices.Sort(pe)
		if !slices.Equal(pz, pe) {
			t.Errorf("message %d: placeholders zh %v, en %v", m, pz, pe)
		}
	}
}

func TestText(t *testing.T) {
	if got := text(EN, msgProviderKey, "name", "deepseek"); got != "API key for deepseek" {
		t.Fatalf("text = %q", got)
	}
	if got := text(ZH, msgBadChoice, "n", 5); got != "请输入 1 到 5 之间的数字" {
		t.Fatalf("text = %q", got)
	}
	if LangFromEnv("zh_CN.UTF-8") != ZH || LangFromEnv("en_US.UTF-8") != EN || LangFromEnv("") != EN {
		t.Fatal("LangFromEnv")
	}
}
