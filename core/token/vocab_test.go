package token

import (
	"bufio"
	"encoding/hex"
	"os"
	"runtime"
	"testing"
)

// TestVocabularyMemory measures what embedding a BPE vocabulary would cost
// the daemon: it loads the vocabulary tools/tokencal --vocab printed (one
// hex token a line) into the map an encoder needs, token bytes to rank, and
// reports the live heap it takes. The estimator itself holds no table.
func TestVocabularyMemory(t *testing.T) {
	path := os.Getenv("TOKENCAL_VOCAB")
	if path == "" {
		t.Skip("set TOKENCAL_VOCAB to the output of tools/tokencal --vocab to measure a vocabulary's memory")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before := liveHeap()
	ranks := make(map[string]int32)
	sc := bufio.NewScanner(f)
	var keyBytes int
	for sc.Scan() {
		b, err := hex.DecodeString(sc.Text())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		ranks[string(b)] = int32(len(ranks))
		keyBytes += len(b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	after := liveHeap()
	t.Logf("%d tokens, %d bytes of token text: map[string]int32 holds %.1f MiB of live heap",
		len(ranks), keyBytes, float64(after-before)/(1<<20))
	runtime.KeepAlive(ranks)
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
