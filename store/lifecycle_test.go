package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCallsAfterClose(t *testing.T) {
	s, err := Open(Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
	}{
		{"Put", func() error { _, err := s.Put(ctx, []NewBlock{newBlock("c", "x")}); return err }},
		{"Get", func() error { _, err := s.Get(ctx, "c", 1); return err }},
		{"ScanMeta", func() error {
			return s.ScanMeta(ctx, "c", Range{}, func(*Meta) error { return nil })
		}},
		{"Count", func() error { _, err := s.Count(ctx, "c", Range{}); return err }},
		{"Prune", func() error { _, err := s.Prune(ctx, "c", 0, 1); return err }},
		{"DeleteCollection", func() error { return s.DeleteCollection(ctx, "c") }},
		{"SetCursor", func() error { return s.SetCursor(ctx, "p", "c", 1) }},
		{"PutResult", func() error { return s.PutResult(ctx, "r", nil, time.Second) }},
		{"Close", s.Close},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, ErrClosed) {
				t.Errorf("error %v, want ErrClosed", err)
			}
		})
	}
	if err := s.Run(ctx); err != nil {
		t.Errorf("Run on a closed store: %v, want nil", err)
	}
}

// TestCloseWaitsForPuts closes the store while puts are in flight: every
// put either succeeds and is found after reopening, or fails with ErrClosed.
func TestCloseWaitsForPuts(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var stored []PutResult
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				res, err := s.Put(context.Background(), numbered("c", 1, 64, fmt.Sprint(w, "-", i)))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				stored = append(stored, res...)
				mu.Unlock()
			}
		})
	}
	time.Sleep(50 * time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()

	s = openStore(t, Options{Dir: dir})
	for _, r := range stored {
		if _, err := s.Get(context.Background(), "c", r.Label); err != nil {
			t.Fatalf("acknowledged block %d: %v", r.Label, err)
		}
	}
}

func TestRunEndsOnClose(t *testing.T) {
	s, err := Open(Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(context.Background()) }()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after Close")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	openStore(t, Options{Dir: dir})
	tests := []struct {
		name string
		opts Options
		want error
	}{
		{"no directory", Options{}, ErrInvalid},
		{"directory in use", Options{Dir: dir}, ErrStorage},
		{"threshold above the memtable share", Options{Dir: t.TempDir(), MemTableSize: 1 << 20,
			ValueThreshold: 512 << 10}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(tt.opts)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("Open error %v, want %v", err, tt.want)
			}
		})
	}
}

// TestApparentDiskSize checks that an open store's files stay modest in
// apparent size (sparse preallocation counts in ls -l).
func TestApparentDiskSize(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	mustPut(t, s, numbered("c", 100, 4<<10, "size")...)
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			total += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > 256<<20 {
		t.Errorf("apparent size %d MiB while open, want at most 256 MiB", total>>20)
	}
}

func TestBadgerLoggerLevels(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l := badgerLogger{log: log}
	l.Debugf("debug %d", 1)
	l.Infof("info %d", 2)
	l.Warningf("warning %d\n", 3)
	l.Errorf("error %d", 4)
	out := buf.String()
	for _, want := range []string{"level=WARN", "warning 3", "level=ERROR", "error 4"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"debug 1", "info 2"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("log holds %q below WARN:\n%s", unwanted, out)
		}
	}
}

// TestOpenAfterKillDuringFileCreation recreates what a kill between
// creating a log file and sizing it leaves behind: empty memtable and value
// log files. Open must still succeed and keep the data.
func TestOpenAfterKillDuringFileCreation(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	res := mustPut(t, s, newBlock("c", "survivor"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"00007.mem", "00009.vlog"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s = openStore(t, Options{Dir: dir})
	if _, err := s.Get(context.Background(), "c", res[0].Label); err != nil {
		t.Errorf("block after reopening: %v", err)
	}
	mustPut(t, s, newBlock("c", "after"))
}
