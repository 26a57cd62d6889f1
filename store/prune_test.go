package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// agedStore returns a store whose clock the test moves, holding blocks
// put one minute apart: block i is (n-1-i) minutes old at the end.
func agedStore(t *testing.T, coll string, n int) (*Store, *fakeClock, []PutResult) {
	t.Helper()
	clock := &fakeClock{t: time.Date(2031, 3, 4, 5, 0, 0, 0, time.UTC)}
	s := openStore(t, Options{InMemory: true, Now: clock.now})
	var res []PutResult
	for i, b := range numbered(coll, n, 16, "aged") {
		if i > 0 {
			clock.t = clock.t.Add(time.Minute)
		}
		res = append(res, mustPut(t, s, b)...)
	}
	return s, clock, res
}

func TestPrune(t *testing.T) {
	tests := []struct {
		name      string
		maxAge    time.Duration
		maxBlocks uint64
		kept      int // newest blocks that remain, of 10
	}{
		{"no limits", 0, 0, 10},
		{"by age", 3*time.Minute + 30*time.Second, 0, 4},
		{"age on the boundary keeps the block", 3 * time.Minute, 0, 4},
		{"by count", 0, 6, 6},
		{"count above size", 0, 50, 10},
		{"age stricter than count", 2*time.Minute + time.Second, 6, 3},
		{"count stricter than age", time.Hour, 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, res := agedStore(t, "c", 10)
			mustPut(t, s, numbered("other", 4, 16, "x")...)
			ctx := context.Background()

			n, err := s.Prune(ctx, "c", tt.maxAge, tt.maxBlocks)
			if err != nil || n != 10-tt.kept {
				t.Fatalf("Prune = %d, %v; want %d removed", n, err, 10-tt.kept)
			}
			var want []Label
			for _, r := range res[10-tt.kept:] {
				want = append(want, r.Label)
			}
			if got := scanLabels(t, s, "c", Range{}); !reflect.DeepEqual(got, want) {
				t.Errorf("left %v, want %v", got, want)
			}
			if c, _ := s.Count(ctx, "c", Range{}); c != uint64(tt.kept) {
				t.Errorf("Count = %d, want %d", c, tt.kept)
			}
			for i, r := range res {
				_, err := s.Lookup(ctx, "c", r.Hash)
				if removed := i < 10-tt.kept; removed != errors.Is(err, ErrNotFound) {
					t.Errorf("block %d: Lookup error %v, removed %v", i, err, removed)
				}
			}
			if c, _ := s.Count(ctx, "other", Range{}); c != 4 {
				t.Errorf("other collection holds %d blocks, want 4", c)
			}
		})
	}
}

func TestPruneEverythingDropsCollection(t *testing.T) {
	s, clock, res := agedStore(t, "c", 5)
	clock.t = clock.t.Add(time.Hour)
	ctx := context.Background()
	if n, err := s.Prune(ctx, "c", time.Minute, 0); err != nil || n != 5 {
		t.Fatalf("Prune = %d, %v; want 5", n, err)
	}
	if names, _ := s.Collections(ctx); len(names) != 0 {
		t.Errorf("Collections = %q after removing every block", names)
	}
	again := mustPut(t, s, numbered("c", 1, 16, "aged")...)
	if again[0].Duplicate || again[0].Label <= res[4].Label {
		t.Errorf("content put again after pruning: %+v", again[0])
	}
}

func TestPruneInSteps(t *testing.T) {
	s := memStore(t)
	const total = 2*removeChunk + 10
	for i := 0; i < total; i += 250 {
		mustPut(t, s, numbered("c", min(250, total-i), 8, fmt.Sprint(i))...)
	}
	n, err := s.Prune(context.Background(), "c", 0, 5)
	if err != nil || n != total-5 {
		t.Fatalf("Prune = %d, %v; want %d", n, err, total-5)
	}
	if got := len(scanLabels(t, s, "c", Range{})); got != 5 {
		t.Errorf("%d blocks left, want 5", got)
	}
}

func TestPruneRefusesBadArguments(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	if _, err := s.Prune(ctx, "", 0, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty collection: %v", err)
	}
	if _, err := s.Prune(ctx, "c", -time.Second, 0); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative age: %v", err)
	}
}

func TestDeleteCollection(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	mustPut(t, s, numbered("gone", 7, 16, "g")...)
	kept := mustPut(t, s, newBlock("kept", "k"), newBlock("gone2", "k"))
	for _, sub := range []*Subscription{
		{ID: "s1", Collection: "gone"}, {ID: "s2", Collection: "kept"},
	} {
		if err := s.PutSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{"gone", "kept"} {
		if err := s.SetCursor(ctx, "peer", c, 42); err != nil {
			t.Fatal(err)
		}
	}

	if err := s.DeleteCollection(ctx, "gone"); err != nil {
		t.Fatalf("DeleteCollection: %v", err)
	}
	if n, _ := s.Count(ctx, "gone", Range{}); n != 0 {
		t.Errorf("deleted collection counts %d blocks", n)
	}
	if got := scanLabels(t, s, "gone", Range{}); len(got) != 0 {
		t.Errorf("deleted collection scans %v", got)
	}
	if _, err := s.GetSubscription(ctx, "gone", "s1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("subscription of the deleted collection: %v", err)
	}
	if l, _ := s.Cursor(ctx, "peer", "gone"); l != 0 {
		t.Errorf("cursor of the deleted collection: %d", l)
	}

	if _, err := s.GetSubscription(ctx, "kept", "s2"); err != nil {
		t.Errorf("other subscription: %v", err)
	}
	if l, _ := s.Cursor(ctx, "peer", "kept"); l != 42 {
		t.Errorf("other cursor: %d", l)
	}
	if l, err := s.Lookup(ctx, "kept", kept[0].Hash); err != nil || l != kept[0].Label {
		t.Errorf("other collection's block: %d, %v", l, err)
	}
	names, _ := s.Collections(ctx)
	if !reflect.DeepEqual(names, []string{"gone2", "kept"}) {
		t.Errorf("Collections = %q", names)
	}
	if err := s.DeleteCollection(ctx, "gone"); err != nil {
		t.Errorf("deleting again: %v", err)
	}
}

func TestDeleteCollectionIsNotConfusedByPrefixes(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	mustPut(t, s, newBlock("a", "1"), newBlock("ab", "2"), newBlock("a\x00", "3"))
	for _, c := range []string{"a", "ab"} {
		sub := &Subscription{ID: "x", Collection: c, Status: protocol.SubscriptionPaused}
		if err := s.PutSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteCollection(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	names, _ := s.Collections(ctx)
	if !reflect.DeepEqual(names, []string{"a\x00", "ab"}) {
		t.Errorf("Collections = %q", names)
	}
	if subs, _ := s.Subscriptions(ctx, ""); len(subs) != 1 || subs[0].Collection != "ab" {
		t.Errorf("subscriptions left: %+v", subs)
	}
}
