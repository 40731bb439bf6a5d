package markdown

import (
	"sync"
	"testing"
)

// concurrentInputs are the answers parsed at once by several goroutines.
func concurrentInputs() []string {
	return []string{typicalAnswer(), "The answer is **short**.", "| a | b |\n|---|---|\n| ~~x~~ | `y` |\n", "**unclosed"}
}

func TestParseIsSafeForConcurrentUse(t *testing.T) {
	inputs := concurrentInputs()
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
