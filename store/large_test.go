package store

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func TestLargeContent(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 20 MiB")
	}
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	content := bytes.Repeat([]byte("<Indicator/>0123456789"), (20<<20)/22)
	b := newBlock("big", "")
	b.Content = content
	res := mustPut(t, s, b, newBlock("big", "small neighbour"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, Options{Dir: dir})
	got, err := s.Get(ctx, "big", res[0].Label)
	if err != nil || !bytes.Equal(got.Content, content) {
		t.Fatalf("Get of the 20 MiB block: %d bytes, %v", len(got.Content), err)
	}
	sizes := []int{}
	err = s.Scan(ctx, "big", Range{}, func(b *Block) error {
		if b.Hash != HashOf(b.Content) {
			return fmt.Errorf("block %d: content does not match its hash", b.Label)
		}
		sizes = append(sizes, len(b.Content))
		return nil
	})
	if err != nil || len(sizes) != 2 || sizes[0] != len(content) {
		t.Errorf("Scan sizes %v, %v", sizes, err)
	}
	dup := mustPut(t, s, b)
	if !dup[0].Duplicate || dup[0].Label != res[0].Label {
		t.Errorf("the same 20 MiB again: %+v, want a duplicate", dup[0])
	}
}

func TestInMemoryContentLimit(t *testing.T) {
	s := memStore(t)
	b := newBlock("c", "")
	b.Content = make([]byte, s.MaxContentSize())
	mustPut(t, s, b)
	if s.MaxContentSize() != inMemoryValueThreshold-1 {
		t.Errorf("MaxContentSize = %d in memory", s.MaxContentSize())
	}
}

// TestPutLargerThanATransaction stores one put that needs several Badger
// transactions, with a duplicate far from its twin, and checks that
// readers never see part of it.
func TestPutLargerThanATransaction(t *testing.T) {
	s := openStore(t, Options{Dir: t.TempDir()})
	ctx := context.Background()
	// Contents below the value threshold stay in the LSM tree and so count
	// in full against the transaction limit.
	size := int(s.opts.ValueThreshold) - 100
	blocks := numbered("c", 1500, size, "large")
	blocks = append(blocks, numbered("d", 500, size, "large")...)
	blocks = append(blocks, blocks[3]) // a duplicate of a block of the first transaction
	req, err := s.newPut(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if !s.tooBig(req) {
		t.Fatalf("test put of %d bytes fits one transaction of %d", req.size, s.maxTxnSize)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for c, whole := range map[string]int{"c": 1500, "d": 500} {
				n := 0
				err := s.ScanMeta(ctx, c, Range{}, func(*Meta) error { n++; return nil })
				if err != nil || (n != 0 && n != whole) {
					t.Errorf("a reader saw %d blocks of %s, %v", n, c, err)
					return
				}
			}
		}
	})
	res := mustPut(t, s, blocks...)
	close(stop)
	wg.Wait()

	last := res[len(res)-1]
	if !last.Duplicate || last.Label != res[3].Label {
		t.Errorf("duplicate across transactions: %+v, want label %d", last, res[3].Label)
	}
	for i := 1; i < len(res)-1; i++ {
		if res[i].Label <= res[i-1].Label {
			t.Fatalf("labels out of order at %d", i)
		}
	}
	for c, want := range map[string]uint64{"c": 1500, "d": 500} {
		if n, err := s.Count(ctx, c, Range{}); err != nil || n != want {
			t.Errorf("Count(%s) = %d, %v; want %d", c, n, err, want)
		}
	}
	if s.LastLabel() != res[len(res)-2].Label {
		t.Errorf("LastLabel %d, want %d", s.LastLabel(), res[len(res)-2].Label)
	}
}

// TestOpenRemovesInterruptedPut fakes what a crash in the middle of a
// multi-transaction put leaves: blocks above the watermark and the pending
// record. Open must remove them and keep everything else.
func TestOpenRemovesInterruptedPut(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	kept := mustPut(t, s, newBlock("c", "kept"), newBlock("d", "kept"))

	// Write the traces of a put through the writer's own code, without
	// its last transaction.
	orphans := numbered("c", 3, 16, "orphan")
	req, err := s.newPut(append(orphans, newBlock("e", "orphan")))
	if err != nil {
		t.Fatal(err)
	}
	err = s.exclusive(context.Background(), func(w *writer) error {
		if err := s.markPending(req.colls); err != nil {
			return err
		}
		b := s.newBatch(w)
		defer b.txn.Discard()
		for i := range req.blocks {
			if _, err := b.add(&req.blocks[i]); err != nil {
				return err
			}
		}
		return b.flush()
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(scanLabels(t, s, "c", Range{})); n != 1 {
		t.Fatalf("the unfinished put is visible: %d blocks", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, Options{Dir: dir})
	ctx := context.Background()
	err = s.db.View(func(txn *badger.Txn) error {
		for _, prefix := range [][]byte{{spaceMeta}, {spaceContent}, {spaceHash}} {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			n := 0
			for it.Rewind(); it.Valid(); it.Next() {
				n++
			}
			it.Close()
			if n != 2 {
				t.Errorf("keyspace %d holds %d keys, want 2", prefix[0], n)
			}
		}
		if _, err := txn.Get(keyPending); err != badger.ErrKeyNotFound {
			t.Errorf("pending record still there: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range []string{"c", "d"} {
		if l, err := s.Lookup(ctx, c, kept[i].Hash); err != nil || l != kept[i].Label {
			t.Errorf("kept block of %s: %d, %v", c, l, err)
		}
	}
	again := mustPut(t, s, orphans[0])
	if again[0].Duplicate || again[0].Label <= kept[1].Label {
		t.Errorf("orphan content put again: %+v", again[0])
	}
}
