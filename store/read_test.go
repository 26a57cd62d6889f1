package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"
)

// fiveBlocks stores five blocks in "c" and returns their labels.
func fiveBlocks(t *testing.T, s *Store) []Label {
	t.Helper()
	var labels []Label
	for _, r := range mustPut(t, s, numbered("c", 5, 32, "five")...) {
		labels = append(labels, r.Label)
	}
	return labels
}

// TestScanRanges checks the range semantics of a Poll for a Data Feed:
// Exclusive_Begin_Timestamp excludes its label, Inclusive_End_Timestamp
// includes its own (EXC-71), in label order (EXC-44).
func TestScanRanges(t *testing.T) {
	s := memStore(t)
	l := fiveBlocks(t, s)
	mustPut(t, s, numbered("other", 3, 32, "noise")...)
	tests := []struct {
		name string
		r    Range
		want []Label
	}{
		{"all", Range{}, l},
		{"after is exclusive", Range{After: l[1]}, l[2:]},
		{"until is inclusive", Range{Until: l[2]}, l[:3]},
		{"both", Range{After: l[0], Until: l[3]}, l[1:4]},
		{"single", Range{After: l[1], Until: l[2]}, l[2:3]},
		{"after the last", Range{After: l[4]}, nil},
		{"until before the first", Range{Until: l[0] - 1}, nil},
		{"empty interval", Range{After: l[2], Until: l[2]}, nil},
		{"until far ahead", Range{After: l[3], Until: l[4] + 1_000_000}, l[4:]},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scanLabels(t, s, "c", tt.r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ScanMeta labels %v, want %v", got, tt.want)
			}
			var got []Label
			err := s.Scan(ctx, "c", tt.r, func(b *Block) error {
				want := fmt.Sprintf("<b tag=\"five\" n=\"%d\">", indexOf(l, b.Label))
				if !bytes.HasPrefix(b.Content, []byte(want)) || b.Size != len(b.Content) ||
					b.Hash != HashOf(b.Content) {
					t.Errorf("block %d: content %q", b.Label, b.Content)
				}
				got = append(got, b.Label)
				return nil
			})
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Scan labels %v, %v; want %v", got, err, tt.want)
			}
			n, err := s.Count(ctx, "c", tt.r)
			if err != nil || n != uint64(len(tt.want)) {
				t.Errorf("Count = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}
}

func indexOf(labels []Label, l Label) int {
	for i, x := range labels {
		if x == l {
			return i
		}
	}
	return -1
}

func TestScanStopsEarly(t *testing.T) {
	s := memStore(t)
	fiveBlocks(t, s)
	ctx := context.Background()
	n := 0
	err := s.Scan(ctx, "c", Range{}, func(*Block) error {
		n++
		if n == 2 {
			return ErrStop
		}
		return nil
	})
	if err != nil || n != 2 {
		t.Errorf("ErrStop: %d calls, error %v; want 2 calls and nil", n, err)
	}

	mine := errors.New("caller's own error")
	err = s.ScanMeta(ctx, "c", Range{}, func(*Meta) error { return mine })
	if err != mine {
		t.Errorf("callback error came back as %v, want it unchanged", err)
	}
	err = s.ScanMeta(ctx, "c", Range{}, func(*Meta) error { return fmt.Errorf("x: %w", ErrStop) })
	if err != nil {
		t.Errorf("wrapped ErrStop: %v, want nil", err)
	}
}

func TestScanHonoursContext(t *testing.T) {
	s := memStore(t)
	mustPut(t, s, numbered("c", 3*ctxCheckEvery, 8, "ctx")...)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := s.ScanMeta(ctx, "c", Range{}, func(*Meta) error {
		n++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || n > ctxCheckEvery {
		t.Errorf("after cancel: %d calls, error %v", n, err)
	}
}

func TestScanMetaKeepsEachMeta(t *testing.T) {
	s := memStore(t)
	fiveBlocks(t, s)
	var metas []*Meta
	err := s.ScanMeta(context.Background(), "c", Range{}, func(m *Meta) error {
		metas = append(metas, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(metas); i++ {
		if metas[i] == metas[i-1] || metas[i].Label <= metas[i-1].Label {
			t.Fatalf("ScanMeta reused or reordered its Meta values")
		}
	}
}

func TestCollections(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	names, err := s.Collections(ctx)
	if err != nil || len(names) != 0 {
		t.Fatalf("empty store: %q, %v", names, err)
	}
	mustPut(t, s, newBlock("b", "1"), newBlock("a", "1"), newBlock("b", "2"))
	names, err = s.Collections(ctx)
	if err != nil || !reflect.DeepEqual(names, []string{"a", "b"}) {
		t.Errorf("Collections = %q, %v; want [a b]", names, err)
	}
}

// TestScanHoldsOneBlock checks that a scan over large blocks does not keep
// them in memory: the heap grows by far less than the collection's size.
func TestScanHoldsOneBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 48 MiB")
	}
	s := openStore(t, Options{})
	const blocks, size = 48, 1 << 20
	for i := range blocks / 8 {
		mustPut(t, s, numbered("big", 8, size, fmt.Sprint(i))...)
	}
	runtime.GC()
	var base, now runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak uint64
	n := 0
	err := s.Scan(context.Background(), "big", Range{}, func(b *Block) error {
		n++
		if len(b.Content) != size {
			return fmt.Errorf("block %d has %d bytes", b.Label, len(b.Content))
		}
		if n%8 == 0 {
			runtime.ReadMemStats(&now)
			peak = max(peak, now.HeapAlloc)
		}
		return nil
	})
	if err != nil || n != blocks {
		t.Fatalf("Scan: %d blocks, %v", n, err)
	}
	if grew := int64(peak) - int64(base.HeapAlloc); grew > 16<<20 {
		t.Errorf("heap grew by %d MiB while scanning %d MiB", grew>>20, blocks*size>>20)
	}
}
