package markdown

import (
	"sync"
	"testing"
)

func TestParseIsSafeForConcurrentUse(t *testing.T) {
	inputs := []string{typicalAnswer(), "The answer is **short**.", "| a | b |\n|---|---|\n| ~~x~~ | `y` |\n", "**unclosed"}
	want := make([]string, len(inputs))
	for i, in := range inputs {
		want[i] = Parse(in).Feishu()
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 50 {
				i := (g + n) % len(inputs)
				if got := Parse(inputs[i]).Feishu(); got != want[i] {
					t.Errorf("input %d rendered %q concurrently, %q alone", i, got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
