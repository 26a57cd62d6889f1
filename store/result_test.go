package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// TestResultSets checks that result sets stay available until their time
// to live ends, also after being read, so a client can fetch a part again
// (EXC-42, EXC-43).
func TestResultSets(t *testing.T) {
	clock := &fakeClock{t: time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openStore(t, Options{Now: clock.now})
	ctx := context.Background()
	big := bytes.Repeat([]byte("r"), 200<<10)
	if err := s.PutResult(ctx, "short", []byte("one"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.PutResult(ctx, "long", big, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetResult(ctx, "long"); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("GetResult(long) = %d bytes, %v", len(got), err)
	}

	clock.t = clock.t.Add(time.Minute)
	if _, err := s.GetResult(ctx, "short"); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired result: %v, want ErrNotFound", err)
	}
	if _, err := s.GetResult(ctx, "never"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown result: %v, want ErrNotFound", err)
	}

	n, err := s.sweepResults(ctx)
	if err != nil || n != 1 {
		t.Errorf("sweep removed %d, %v; want 1", n, err)
	}
	if got, err := s.GetResult(ctx, "long"); err != nil || len(got) != len(big) {
		t.Errorf("live result after sweep: %d bytes, %v", len(got), err)
	}

	// Replacing a result set renews its time to live.
	if err := s.PutResult(ctx, "long", []byte("v2"), 2*time.Hour); err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(90 * time.Minute)
	if n, _ := s.sweepResults(ctx); n != 0 {
		t.Errorf("sweep removed %d renewed results", n)
	}
	if got, err := s.GetResult(ctx, "long"); err != nil || string(got) != "v2" {
		t.Errorf("renewed result = %q, %v", got, err)
	}
}

func TestPutResultRefusesBadArguments(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	tests := []struct {
		name string
		id   string
		data []byte
		ttl  time.Duration
		want error
	}{
		{"empty id", "", nil, time.Minute, ErrInvalid},
		{"zero ttl", "x", nil, 0, ErrInvalid},
		{"negative ttl", "x", nil, -time.Second, ErrInvalid},
		{"too large", "x", make([]byte, s.MaxContentSize()+1), time.Minute, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutResult(ctx, tt.id, tt.data, tt.ttl); !errors.Is(err, tt.want) {
				t.Errorf("PutResult error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestRunSweepsResults checks that Run removes expired result sets on its
// ticker and returns nil when its context ends.
func TestRunSweepsResults(t *testing.T) {
	clock := &fakeClock{t: time.Date(2032, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := openStore(t, Options{Now: clock.now, SweepInterval: 5 * time.Millisecond,
		GCInterval: 5 * time.Millisecond})
	ctx := context.Background()
	if err := s.PutResult(ctx, "r", []byte("x"), time.Second); err != nil {
		t.Fatal(err)
	}
	// The clock moves before Run starts, so that no goroutine races on it.
	clock.t = clock.t.Add(time.Minute)

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := 0
		err := s.view(func(txn *badger.Txn, _ Label) error {
			_, err := txn.Get(resultKey(spaceResultData, "r"))
			if err == nil {
				n = 1
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Run did not remove the expired result set")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run returned %v, want nil", err)
	}
}
