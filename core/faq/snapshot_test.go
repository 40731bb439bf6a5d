package faq

import (
	"context"
	"reflect"
	"testing"
)

// sameIndex fails unless got holds the entries and lexicon of want.
func sameIndex(t *testing.T, got, want *Index) {
	t.Helper()
	if !reflect.DeepEqual(got.entries, want.entries) {
		t.Fatal("entries differ")
	}
	if !reflect.DeepEqual(got.lx, want.lx) {
		t.Fatal("lexicons differ")
	}
	if got.perEntry != want.perEntry || got.pool.nDocs != want.pool.nDocs || got.pool.nEntries != want.pool.nEntries {
		t.Fatal("index sizes differ")
	}
}

func TestSnapshotRestoresTheBuiltIndex(t *testing.T) {
	ix := buildShop(t)
	got, err := Restore(ix.Snapshot(), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	sameIndex(t, got, ix)
	for _, q := range []string{"how do I get a refund", "怎么重置密码", "tell me a joke"} {
		if a, b := got.Search(context.Background(), q), ix.Search(context.Background(), q); !reflect.DeepEqual(a, b) {
			t.Errorf("%q: restored %+v, built %+v", q, a, b)
		}
	}
}

func TestRestoreRefusesDamagedSnapshots(t *testing.T) {
	data := buildShop(t).Snapshot()
	for n := range len(data) {
		if _, err := Restore(data[:n], DefaultConfig()); err == nil {
			t.Fatalf("a snapshot cut to %d of %d bytes restored", n, len(data))
		}
	}
	if _, err := Restore(append(data, 0), DefaultConfig()); err == nil {
		t.Fatal("a snapshot with a trailing byte restored")
	}
	bad := append([]byte(nil), data...)
	bad[len(snapshotMagic)-1]++
	if _, err := Restore(bad, DefaultConfig()); err == nil {
		t.Fatal("a snapshot of another version restored")
	}
}

func FuzzRestore(f *testing.F) {
	f.Add(buildShop(f).Snapshot())
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := Restore(data, DefaultConfig())
		if err == nil {
			ix.Search(context.Background(), "refund my order")
		}
	})
}
