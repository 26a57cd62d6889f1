package store

import (
	"context"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"testing"
)

// benchBlockSize is the content size of benchmark blocks.
const benchBlockSize = 4 << 10

// benchContent returns distinct 4 KB contents: the index in the first
// bytes, then a fixed filler.
func benchContent(i uint64, filler []byte) []byte {
	c := make([]byte, benchBlockSize)
	copy(c, filler)
	binary.BigEndian.PutUint64(c, i)
	return c
}

func benchFiller() []byte {
	f := make([]byte, benchBlockSize)
	for i := range f {
		f[i] = 'A' + byte(i%53)
	}
	return f
}

// inlineOptions keeps 4 KB contents in Badger's tree rather than its value
// log, with Badger syncing each commit, so that a commit syncs the
// write-ahead log only, where the value log costs a second sync.
var inlineOptions = Options{ValueThreshold: 32 << 10, NoJournal: true}

// BenchmarkPutSequential measures durable puts of one 4 KB block from one
// goroutine.
func BenchmarkPutSequential(b *testing.B) { benchPut(b, 1, Options{}) }

// BenchmarkPutConcurrent16 measures durable puts of one 4 KB block each
// from 16 goroutines.
func BenchmarkPutConcurrent16(b *testing.B) { benchPut(b, 16, Options{}) }

// BenchmarkPutNoJournalSequential is BenchmarkPutSequential with Badger
// syncing every commit itself.
func BenchmarkPutNoJournalSequential(b *testing.B) { benchPut(b, 1, Options{NoJournal: true}) }

// BenchmarkPutNoJournalConcurrent16 is BenchmarkPutConcurrent16 with
// Badger syncing every commit itself.
func BenchmarkPutNoJournalConcurrent16(b *testing.B) { benchPut(b, 16, Options{NoJournal: true}) }

// BenchmarkPutInlineSequential is BenchmarkPutSequential with contents in
// the tree.
func BenchmarkPutInlineSequential(b *testing.B) { benchPut(b, 1, inlineOptions) }

// BenchmarkPutInlineConcurrent16 is BenchmarkPutConcurrent16 with
// contents in the tree.
func BenchmarkPutInlineConcurrent16(b *testing.B) { benchPut(b, 16, inlineOptions) }

// benchPut measures durable puts of one 4 KB block each from the given
// number of goroutines.
func benchPut(b *testing.B, writers int, opts Options) {
	s := openStore(b, opts)
	filler := benchFiller()
	ctx := context.Background()
	var next atomic.Uint64
	b.SetBytes(benchBlockSize)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= uint64(b.N) {
					return
				}
				blk := newBlock("bench", "")
				blk.Content = benchContent(i, filler)
				if _, err := s.Put(ctx, []NewBlock{blk}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}

// fillBench stores n 4 KB blocks in collection "bench".
func fillBench(b *testing.B, s *Store, n int) {
	b.Helper()
	filler := benchFiller()
	const perPut = 256
	for i := 0; i < n; i += perPut {
		blocks := make([]NewBlock, 0, perPut)
		for j := i; j < min(n, i+perPut); j++ {
			blk := newBlock("bench", "")
			blk.Content = benchContent(uint64(j), filler)
			blocks = append(blocks, blk)
		}
		if _, err := s.Put(context.Background(), blocks); err != nil {
			b.Fatal(err)
		}
	}
}

// scanBlocks is the size of the collection the scan benchmarks read.
const scanBlocks = 100_000

// benchScan stores 100,000 blocks of 4 KB and measures scan, which must
// visit them all.
func benchScan(b *testing.B, scan func(s *Store) (int, error)) {
	b.Helper()
	s := openStore(b, Options{})
	fillBench(b, s, scanBlocks)
	b.SetBytes(scanBlocks * benchBlockSize)
	b.ResetTimer()
	for range b.N {
		n, err := scan(s)
		if err != nil || n != scanBlocks {
			b.Fatalf("scan: %d blocks, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*scanBlocks)/b.Elapsed().Seconds(), "blocks/s")
}

// BenchmarkScan measures Scan over 100,000 blocks of 4 KB.
func BenchmarkScan(b *testing.B) {
	benchScan(b, func(s *Store) (int, error) {
		n := 0
		var sum byte
		err := s.Scan(context.Background(), "bench", Range{}, func(blk *Block) error {
			n++
			sum ^= blk.Content[len(blk.Content)-1]
			return nil
		})
		return n, err
	})
}

// BenchmarkScanMeta measures ScanMeta over 100,000 blocks of 4 KB.
func BenchmarkScanMeta(b *testing.B) {
	benchScan(b, func(s *Store) (int, error) {
		n := 0
		err := s.ScanMeta(context.Background(), "bench", Range{}, func(*Meta) error {
			n++
			return nil
		})
		return n, err
	})
}

// BenchmarkCount measures Count of a sub-range, which walks keys.
func BenchmarkCount(b *testing.B) {
	benchScan(b, func(s *Store) (int, error) {
		n, err := s.Count(context.Background(), "bench", Range{After: 1})
		return int(n), err
	})
}
