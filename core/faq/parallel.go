package faq

import (
	"runtime"
	"sync"
)

// parallel runs fn(i) for i in [0, n) on up to GOMAXPROCS goroutines, each
// with its own scratch, and returns when all are done.
func (ix *Index) parallel(n int, fn func(s *scratch, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := ix.pool.get()
			defer ix.pool.put(s)
			for i := w; i < n; i += workers {
				fn(s, i)
			}
		}()
	}
	wg.Wait()
}
