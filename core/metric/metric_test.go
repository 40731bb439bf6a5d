package metric

import "testing"

func TestDiscardRecordsNothing(t *testing.T) {
	m := Discard()
	m.Counter("c", "h", "l").With("x").Add(2)
	m.Gauge("g", "h").With().Set(3)
	m.Histogram("h", "h", LatencyBuckets()).With().Observe(1)
	m.GaugeFunc("f", "h", func() float64 { t.Fatal("Discard read a gauge function"); return 0 })
}

func TestLatencyBucketsAscendAndAreFresh(t *testing.T) {
	b := LatencyBuckets()
	for i := 1; i < len(b); i++ {
		if b[i] <= b[i-1] {
			t.Fatalf("buckets not ascending at %d: %v", i, b)
		}
	}
	b[0] = -1
	if LatencyBuckets()[0] == -1 {
		t.Fatal("LatencyBuckets shares its slice between callers")
	}
}
