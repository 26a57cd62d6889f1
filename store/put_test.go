package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/taxiinode/taxiinode/protocol"
)

func TestPutGetRoundTrip(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	in := NewBlock{
		Collection: "urn:example:collection",
		Binding: protocol.ContentBinding{
			BindingID: "urn:stix.mitre.org:xml:1.1.1",
			Subtypes:  []string{"urn:sub"},
		},
		Content: []byte(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"/>`),
		IsXML:   true,
		Message: "from the SOC",
		Origin:  Origin{Via: ViaGossip, From: "12D3KooWRelay", Author: "12D3KooWAuthor"},
	}
	before := time.Now()
	res := mustPut(t, s, in)
	if res[0].Duplicate || res[0].Label <= 0 || res[0].Hash != HashOf(in.Content) {
		t.Fatalf("Put result %+v", res[0])
	}

	got, err := s.Get(ctx, in.Collection, res[0].Label)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !bytes.Equal(got.Content, in.Content) || got.Collection != in.Collection ||
		got.Label != res[0].Label || got.Hash != res[0].Hash || got.Size != len(in.Content) ||
		got.Message != in.Message || got.Origin != in.Origin || !got.IsXML ||
		got.Binding.BindingID != in.Binding.BindingID || len(got.Binding.Subtypes) != 1 {
		t.Errorf("Get = %+v, want the stored block", got)
	}
	if got.Stored.Before(before.Add(-time.Second)) || got.Stored.After(time.Now()) {
		t.Errorf("Stored = %v, want about now", got.Stored)
	}
	if l, err := s.Lookup(ctx, in.Collection, res[0].Hash); err != nil || l != res[0].Label {
		t.Errorf("Lookup = %d, %v; want %d", l, err, res[0].Label)
	}
	if s.LastLabel() != res[0].Label {
		t.Errorf("LastLabel = %d, want %d", s.LastLabel(), res[0].Label)
	}
}

func TestGetAndLookupMissing(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	res := mustPut(t, s, newBlock("c", "x"))
	tests := []struct {
		name string
		call func() error
	}{
		{"other label", func() error { _, err := s.Get(ctx, "c", res[0].Label+1); return err }},
		{"label zero", func() error { _, err := s.Get(ctx, "c", 0); return err }},
		{"other collection", func() error { _, err := s.Get(ctx, "d", res[0].Label); return err }},
		{"unknown hash", func() error {
			_, err := s.Lookup(ctx, "c", HashOf([]byte("y")))
			return err
		}},
		{"hash of other collection", func() error {
			_, err := s.Lookup(ctx, "d", res[0].Hash)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrNotFound) {
				t.Errorf("error %v, want ErrNotFound", err)
			}
		})
	}
}

func TestPutDeduplicatesWithinCollection(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	first := mustPut(t, s, newBlock("a", "same"), newBlock("b", "same"))
	if first[0].Duplicate || first[1].Duplicate || first[0].Label == first[1].Label {
		t.Fatalf("same content in two collections: %+v, want two new blocks", first)
	}

	again := mustPut(t, s, newBlock("a", "other"), newBlock("a", "same"), newBlock("a", "other"))
	if again[0].Duplicate || !again[1].Duplicate || !again[2].Duplicate {
		t.Fatalf("results %+v, want new, duplicate, duplicate", again)
	}
	if again[1].Label != first[0].Label || again[2].Label != again[0].Label {
		t.Errorf("duplicates carry labels %d and %d, want %d and %d",
			again[1].Label, again[2].Label, first[0].Label, again[0].Label)
	}
	if n, err := s.Count(ctx, "a", Range{}); err != nil || n != 2 {
		t.Errorf("Count(a) = %d, %v; want 2", n, err)
	}
}

func TestPutRefusesBadBlocks(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	mustPut(t, s, newBlock("kept", "existing"))
	withBlock := func(edit func(b *NewBlock)) NewBlock {
		b := newBlock("c", "content")
		edit(&b)
		return b
	}
	tests := []struct {
		name  string
		block NewBlock
		want  error
	}{
		{"empty collection", withBlock(func(b *NewBlock) { b.Collection = "" }), ErrInvalid},
		{"collection not UTF-8", withBlock(func(b *NewBlock) { b.Collection = "\xfe" }),
			ErrInvalid},
		{"no binding", withBlock(func(b *NewBlock) { b.Binding = protocol.ContentBinding{} }),
			ErrInvalid},
		{"two subtypes", withBlock(func(b *NewBlock) { b.Binding.Subtypes = []string{"x", "y"} }),
			ErrInvalid},
		{"empty subtype", withBlock(func(b *NewBlock) { b.Binding.Subtypes = []string{""} }),
			ErrInvalid},
		{"unknown origin", withBlock(func(b *NewBlock) { b.Origin.Via = "carrier pigeon" }),
			ErrInvalid},
		{"no origin", withBlock(func(b *NewBlock) { b.Origin = Origin{} }), ErrInvalid},
		{"long message", withBlock(func(b *NewBlock) { b.Message = strings.Repeat("m", 1<<20) }),
			ErrInvalid},
		{"long author", withBlock(func(b *NewBlock) {
			b.Origin.Author = strings.Repeat("p", 5000)
		}), ErrInvalid},
		{"content over the limit", withBlock(func(b *NewBlock) {
			b.Content = make([]byte, s.MaxContentSize()+1)
		}), ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The bad block comes last: the good one before it must not be
			// stored either.
			_, err := s.Put(ctx, []NewBlock{newBlock("c", "good"), tt.block})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Put error %v, want %v", err, tt.want)
			}
			if n, _ := s.Count(ctx, "c", Range{}); n != 0 {
				t.Errorf("collection c holds %d blocks after a refused put", n)
			}
		})
	}
	if n, _ := s.Count(ctx, "kept", Range{}); n != 1 {
		t.Errorf("earlier block lost: count %d", n)
	}
}

func TestPutTooManyCollections(t *testing.T) {
	s := memStore(t)
	var blocks []NewBlock
	for i := range maxPutCollections + 1 {
		blocks = append(blocks, newBlock(fmt.Sprintf("c%d", i), "x"))
	}
	if _, err := s.Put(context.Background(), blocks); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Put error %v, want ErrTooLarge", err)
	}
}

func TestPutEmptyAndCancelled(t *testing.T) {
	s := memStore(t)
	res, err := s.Put(context.Background(), nil)
	if err != nil || len(res) != 0 {
		t.Errorf("Put(nil) = %v, %v; want no results", res, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Put(ctx, []NewBlock{newBlock("c", "x")}); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v", err)
	}
	if n, _ := s.Count(context.Background(), "c", Range{}); n != 0 {
		t.Errorf("a cancelled put stored %d blocks", n)
	}
}

// TestLabelsIncreaseUnderConcurrency checks that labels are unique and
// increasing in the order of blocks, with puts from many goroutines
// (GEN-7.3: content added later gets a later label).
func TestLabelsIncreaseUnderConcurrency(t *testing.T) {
	s := openStore(t, Options{})
	const writers, puts = 8, 40
	var mu sync.Mutex
	seen := make(map[Label]bool)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for p := range puts {
				blocks := numbered(fmt.Sprintf("c%d", w%3), 1+p%3, 16, fmt.Sprint(w, p))
				res, err := s.Put(context.Background(), blocks)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for i, r := range res {
					if seen[r.Label] || (i > 0 && r.Label <= res[i-1].Label) {
						t.Errorf("label %d repeated or out of order", r.Label)
					}
					seen[r.Label] = true
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for c := range 3 {
		labels := scanLabels(t, s, fmt.Sprintf("c%d", c), Range{})
		for i := 1; i < len(labels); i++ {
			if labels[i] <= labels[i-1] {
				t.Fatalf("scan order %d after %d", labels[i], labels[i-1])
			}
		}
	}
	if len(seen) == 0 || s.LastLabel() < maxLabel(seen) {
		t.Errorf("LastLabel %d below the newest label", s.LastLabel())
	}
}

func maxLabel(set map[Label]bool) Label {
	var m Label
	for l := range set {
		m = max(m, l)
	}
	return m
}

// TestLabelsWhenClockIsBehind checks label = max(now, last+1µs) (NODE-3,
// GEN-7.3), also across Close and Open with a clock set back.
func TestLabelsWhenClockIsBehind(t *testing.T) {
	dir := t.TempDir()
	clock := &fakeClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, err := Open(Options{Dir: dir, Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	first := mustPut(t, s, newBlock("c", "1"), newBlock("c", "2"))
	if first[0].Label != LabelOf(clock.t) || first[1].Label != first[0].Label+1 {
		t.Fatalf("labels %d, %d; want %d and one more", first[0].Label, first[1].Label,
			LabelOf(clock.t))
	}
	same := mustPut(t, s, newBlock("c", "3"))
	if same[0].Label != first[1].Label+1 {
		t.Errorf("clock standing still: label %d, want %d", same[0].Label, first[1].Label+1)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	clock.t = clock.t.Add(-time.Hour)
	s = openStore(t, Options{Dir: dir, Now: clock.now})
	if s.LastLabel() != same[0].Label {
		t.Errorf("LastLabel after reopen = %d, want %d", s.LastLabel(), same[0].Label)
	}
	after := mustPut(t, s, newBlock("c", "4"))
	if after[0].Label != same[0].Label+1 {
		t.Errorf("clock behind after reopen: label %d, want %d", after[0].Label, same[0].Label+1)
	}
	blk, err := s.Get(context.Background(), "c", after[0].Label)
	if err != nil || !blk.Stored.Equal(clock.t) {
		t.Errorf("Stored = %v, %v; want the clock's %v", blk.Stored, err, clock.t)
	}

	clock.t = clock.t.Add(2 * time.Hour)
	ahead := mustPut(t, s, newBlock("c", "5"))
	if ahead[0].Label != LabelOf(clock.t) {
		t.Errorf("clock ahead: label %d, want %d", ahead[0].Label, LabelOf(clock.t))
	}
}

func TestPutAcrossCollectionsIsAtomic(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		// A bounded number of puts: each snapshot read below counts every
		// key, so an unbounded writer would make the test quadratic.
		for i := range 400 {
			select {
			case <-stop:
				return
			default:
			}
			tag := fmt.Sprint(i)
			blocks := append(numbered("a", 2, 64, tag), numbered("b", 2, 64, tag)...)
			if _, err := s.Put(ctx, blocks); err != nil {
				t.Error(err)
				return
			}
		}
	})
	// A snapshot read must never see a put in one collection and not the
	// other: compare per-label presence through the hash index.
	for range 200 {
		var a, b uint64
		err := s.view(func(txn *badger.Txn, w Label) error {
			var err error
			if a, err = countKeys(ctx, txn, "a", 1, w); err != nil {
				return err
			}
			b, err = countKeys(ctx, txn, "b", 1, w)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("snapshot holds %d blocks of a and %d of b", a, b)
		}
	}
	close(stop)
	wg.Wait()
}
