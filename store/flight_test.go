package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// holdFlights replaces commitAsync for the test: each batch handed to
// Badger is announced on the returned channel. Without fail, the outcome
// of each batch waits for release, and the test fails if a batch fails.
// With fail, the first batch is not written at all and lands with an
// error once released, as a batch Badger refuses does; later batches are
// written as usual.
func holdFlights(t *testing.T, fail bool) (launched <-chan struct{}, release chan<- struct{}) {
	t.Helper()
	l := make(chan struct{}, 16)
	r := make(chan struct{}, 16)
	var failed atomic.Int32
	original := commitAsync
	t.Cleanup(func() {
		commitAsync = original
		if n := failed.Load(); n > 0 {
			t.Errorf("%d batches failed", n)
		}
	})
	batches := 0 // counted on the writer goroutine
	commitAsync = func(txn *badger.Txn, done func(error)) {
		batches++
		l <- struct{}{}
		switch {
		case fail && batches == 1:
			go func() {
				<-r
				txn.Discard()
				done(errors.New("refused by the test"))
			}()
		case fail:
			txn.CommitWith(done)
		default:
			txn.CommitWith(func(err error) {
				<-r
				if err != nil {
					failed.Add(1)
				}
				done(err)
			})
		}
	}
	return l, r
}

// putAsync runs Put in a goroutine; the outcome arrives on the channel.
func putAsync(ctx context.Context, s *Store, blocks ...NewBlock) <-chan putOutcome {
	out := make(chan putOutcome, 1)
	go func() {
		res, err := s.Put(ctx, blocks)
		out <- putOutcome{res, err}
	}()
	return out
}

type putOutcome struct {
	res []PutResult
	err error
}

// putBehindFlight starts a put while the batch of an earlier put is held
// in flight, then cancels the put's context and releases the flight. If
// the writer took the put before the cancellation, the put runs to its
// end; if not, it fails with context.Canceled and the test learns nothing.
func putBehindFlight(s *Store, wait time.Duration, release chan<- struct{},
	blocks ...NewBlock) <-chan putOutcome {
	ctx, cancel := context.WithCancel(context.Background())
	out := putAsync(ctx, s, blocks...)
	time.Sleep(wait)
	cancel()
	release <- struct{}{}
	return out
}

// TestDuplicateOfABatchInFlight puts the same content while its first copy
// is still being written: the second put must report the first copy's
// label (dedup holds across batches in flight), and may only return once
// that copy is durable.
func TestDuplicateOfABatchInFlight(t *testing.T) {
	s := openStore(t, Options{})
	launched, release := holdFlights(t, false)
	for wait := time.Millisecond; wait <= time.Second; wait *= 2 {
		coll := "c" + wait.String() // each attempt in a collection of its own
		first := putAsync(context.Background(), s, newBlock(coll, "same"))
		<-launched
		second := putBehindFlight(s, wait, release, newBlock(coll, "other"), newBlock(coll, "same"))
		a := <-first
		select {
		case b := <-second:
			if !errors.Is(b.err, context.Canceled) {
				t.Fatalf("second put returned before its batch landed: %+v", b)
			}
			continue // not taken in time
		case <-launched:
		}
		release <- struct{}{}
		b := <-second
		if a.err != nil || b.err != nil {
			t.Fatalf("puts: %v, %v", a.err, b.err)
		}
		if b.res[0].Duplicate || !b.res[1].Duplicate || b.res[1].Label != a.res[0].Label {
			t.Fatalf("second put %+v, want new then duplicate of %d", b.res, a.res[0].Label)
		}
		if n, err := s.Count(context.Background(), coll, Range{}); err != nil || n != 2 {
			t.Errorf("Count = %d, %v; want 2", n, err)
		}
		return
	}
	t.Fatal("the writer never took the second put while the first was in flight")
}

// TestFailedBatchVoidsTheNextOne fails the batch in flight while the next
// one holds a duplicate of its block: that duplicate must not keep the
// label of a block that was never written.
func TestFailedBatchVoidsTheNextOne(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	for wait := time.Millisecond; wait <= time.Second; wait *= 2 {
		tag := wait.String()
		launched, release := holdFlights(t, true)
		first := putAsync(ctx, s, newBlock("c", "same "+tag))
		<-launched
		b := <-putBehindFlight(s, wait, release, newBlock("c", "same "+tag))
		a := <-first
		if errors.Is(b.err, context.Canceled) {
			continue // not taken in time
		}
		if a.err != nil || b.err != nil {
			t.Fatalf("puts after a failed batch: %v, %v", a.err, b.err)
		}
		if a.res[0].Duplicate || !b.res[0].Duplicate || b.res[0].Label != a.res[0].Label {
			t.Fatalf("results %+v and %+v, want a new block and its duplicate", a.res, b.res)
		}
		blk, err := s.Get(ctx, "c", b.res[0].Label)
		if err != nil || string(blk.Content) != "same "+tag {
			t.Fatalf("the duplicate's label %d: %v", b.res[0].Label, err)
		}
		if s.LastLabel() < a.res[0].Label {
			t.Errorf("LastLabel %d below the stored block %d", s.LastLabel(), a.res[0].Label)
		}
		return
	}
	t.Fatal("the writer never took the second put while the first was in flight")
}

// recordFailures counts batches that land with an error while the test
// runs: the pipeline must not make Badger see conflicts.
func recordFailures(t *testing.T) func() int {
	t.Helper()
	var mu sync.Mutex
	failed := 0
	original := commitAsync
	t.Cleanup(func() { commitAsync = original })
	commitAsync = func(txn *badger.Txn, done func(error)) {
		txn.CommitWith(func(err error) {
			if err != nil {
				mu.Lock()
				failed++
				mu.Unlock()
			}
			done(err)
		})
	}
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return failed
	}
}

// TestDuplicatesAcrossConcurrentBatches has many writers put the same
// contents at once, so that copies meet in the same batch, in the open
// batch behind a flight and in later batches: every copy must get one
// label, each content must be stored once and no batch may fail.
func TestDuplicatesAcrossConcurrentBatches(t *testing.T) {
	s := openStore(t, Options{})
	failures := recordFailures(t)
	const writers, contents = 12, 60
	labels := make([][]Label, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range contents {
				// Writers start at different contents and sometimes put two
				// copies in one call.
				n := (i + w*7) % contents
				blocks := []NewBlock{newBlock("c", fmt.Sprint("content ", n))}
				if i%4 == 0 {
					blocks = append(blocks, blocks[0])
				}
				res, err := s.Put(context.Background(), blocks)
				if err != nil {
					t.Error(err)
					return
				}
				if len(res) == 2 && (!res[1].Duplicate || res[1].Label != res[0].Label) {
					t.Errorf("two copies in one put: %+v", res)
				}
				if labels[w] == nil {
					labels[w] = make([]Label, contents)
				}
				labels[w][n] = res[0].Label
			}
		})
	}
	wg.Wait()
	for n := range contents {
		for w := 1; w < writers; w++ {
			if labels[w][n] != labels[0][n] {
				t.Fatalf("content %d: label %d for writer %d, %d for writer 0",
					n, labels[w][n], w, labels[0][n])
			}
		}
	}
	checkCollections(t, s)
	if n, err := s.Count(context.Background(), "c", Range{}); err != nil || n != contents {
		t.Errorf("Count = %d, %v; want %d", n, err, contents)
	}
	if f := failures(); f != 0 {
		t.Errorf("%d batches failed", f)
	}
}

// untilStopped runs step(g, i) for i = 0, 1, ... on goroutines g = 0 to
// n-1 until stop is closed or step fails.
func untilStopped(t *testing.T, wg *sync.WaitGroup, n int, stop <-chan struct{},
	step func(g, i int) error) {
	t.Helper()
	for g := range n {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := step(g, i); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
}

// pinnedScan is what a reader saw of a collection up to the LastLabel it
// read first, as a poll pins its end.
type pinnedScan struct {
	coll   string
	end    Label
	blocks int
}

// TestNoLabelAboveAGap reads while many writers put: a scan up to
// LastLabel must already hold every block that ends up at or below that
// label, so a poll that pins its end there never misses a block that
// appears below it later (GEN-7.3).
func TestNoLabelAboveAGap(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	stop := make(chan struct{})
	var writers, readers sync.WaitGroup
	untilStopped(t, &writers, 8, stop, func(w, i int) error {
		blocks := numbered(fmt.Sprintf("c%d", i%3), 1+i%3, 64, fmt.Sprint(w, "-", i))
		_, err := s.Put(ctx, blocks)
		return err
	})
	var mu sync.Mutex
	var seen []pinnedScan
	untilStopped(t, &readers, 2, stop, func(r, i int) error {
		p := pinnedScan{coll: fmt.Sprintf("c%d", (i+r)%3), end: s.LastLabel()}
		if p.end == 0 {
			return nil // Until 0 would mean no end
		}
		err := s.ScanMeta(ctx, p.coll, Range{Until: p.end}, func(m *Meta) error {
			if m.Label > p.end {
				return fmt.Errorf("label %d above the end %d", m.Label, p.end)
			}
			p.blocks++
			return nil
		})
		mu.Lock()
		seen = append(seen, p)
		mu.Unlock()
		return err
	})
	time.Sleep(400 * time.Millisecond)
	close(stop)
	writers.Wait()
	readers.Wait()

	final := make(map[string][]Label)
	for c := range 3 {
		coll := fmt.Sprintf("c%d", c)
		final[coll] = scanLabels(t, s, coll, Range{})
	}
	for _, p := range seen {
		n := 0
		for _, l := range final[p.coll] {
			if l <= p.end {
				n++
			}
		}
		if n != p.blocks {
			t.Fatalf("%s up to %d: a reader saw %d blocks, %d are there now", p.coll, p.end,
				p.blocks, n)
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d scans ran", len(seen))
	}
	checkCollections(t, s)
}

// TestRemovalsBetweenBatches prunes and deletes collections while writers
// keep batches in flight: the removals wait for those batches, and every
// collection's counter must still match its blocks afterwards.
func TestRemovalsBetweenBatches(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	var writers sync.WaitGroup
	for w := range 6 {
		writers.Go(func() {
			for i := range 60 {
				blocks := numbered([]string{"c", "d"}[i%2], 1+i%2, 32, fmt.Sprint(w, "-", i))
				if _, err := s.Put(ctx, blocks); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	done := make(chan struct{})
	go func() {
		writers.Wait()
		close(done)
	}()
	for i := 0; ; i++ {
		if _, err := s.Prune(ctx, "c", 0, 10); err != nil {
			t.Fatal(err)
		}
		if i%5 == 4 {
			if err := s.DeleteCollection(ctx, "d"); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case <-done:
		default:
			continue
		}
		break
	}
	if n, err := s.Prune(ctx, "c", 0, 10); err != nil || len(scanLabels(t, s, "c", Range{})) != 10 {
		t.Fatalf("last Prune removed %d, %v; want 10 blocks left", n, err)
	}
	checkCollections(t, s)
	mustPut(t, s, newBlock("c", "after"), newBlock("d", "after"))
	checkCollections(t, s)
}
