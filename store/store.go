package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Store is the node's Badger store: collections of content blocks, TAXII
// subscriptions, catch-up cursors and poll result sets.
//
// All methods are safe for concurrent use. Changes to blocks (Put, Prune,
// DeleteCollection) are serialised through one writer goroutine that groups
// concurrent puts into one transaction and one sync; everything else uses
// Badger transactions directly. Readers see a block once the put that
// stored it has been acknowledged, never part of a put.
type Store struct {
	db   *badger.DB
	opts Options
	log  *slog.Logger
	now  func() time.Time
	// journal is the commit log of batches of puts, nil in memory or with
	// Options.NoJournal.
	journal *journal

	// maxTxnSize and maxTxnCount bound the estimated size of one write
	// transaction, a margin below Badger's limits.
	maxTxnSize  int64
	maxTxnCount int64

	// watermark is the last label committed: blocks above it are not
	// visible. The writer goroutine alone stores to it.
	watermark atomic.Int64

	// mu guards closed; active counts the calls in progress so that Close
	// can wait for them.
	mu     sync.Mutex
	closed bool
	active sync.WaitGroup

	// reqs carries work to the writer goroutine (unbuffered: a request
	// sent is a request the writer answers). quit is closed by Close once
	// no call is in progress; writerDone is closed by the writer on exit.
	reqs       chan *request
	quit       chan struct{}
	writerDone chan struct{}
}

// Open opens (or creates) the store described by opts, repairs the traces
// of a put that a crash interrupted, and starts the writer goroutine. The
// caller must call Close. Open returns an error wrapping ErrInvalid for bad
// options and ErrStorage when the database cannot be opened (for example
// when another process holds the directory).
func Open(opts Options) (*Store, error) {
	opts = opts.withDefaults()
	bo, err := opts.badgerOptions()
	if err != nil {
		return nil, err
	}
	if !opts.InMemory {
		if err := removeEmptyLogs(opts.Dir, opts.Logger); err != nil {
			return nil, fmt.Errorf("open %s: %w", opts.Dir, err)
		}
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", opts.Dir, dbErr(err))
	}

	s := &Store{
		db:          db,
		opts:        opts,
		log:         opts.Logger,
		now:         opts.Now,
		maxTxnSize:  db.MaxBatchSize() * 8 / 10,
		maxTxnCount: db.MaxBatchCount() * 8 / 10,
		reqs:        make(chan *request),
		quit:        make(chan struct{}),
		writerDone:  make(chan struct{}),
	}
	w, err := s.start()
	if err != nil {
		_ = db.Close()
		if s.journal != nil {
			_ = s.journal.close()
		}
		return nil, fmt.Errorf("open %s: %w", opts.Dir, err)
	}

	go s.writeLoop(w)
	s.log.Info("store opened", "dir", opts.Dir, "in_memory", opts.InMemory,
		"last_label", Label(s.watermark.Load()))
	return s, nil
}

// start replays the journal, repairs the traces of an interrupted put and
// empties the journal, and returns the writer state to start with.
func (s *Store) start() (*writer, error) {
	var records [][]byte
	if !s.opts.NoJournal {
		var err error
		s.journal, records, err = openJournal(s.opts.Dir, s.opts.JournalSize)
		if err != nil {
			return nil, fmt.Errorf("%w: journal: %v", ErrStorage, err)
		}
		if err := s.replay(records); err != nil {
			return nil, err
		}
	}
	w, err := s.recover(records)
	if err != nil {
		return nil, err
	}
	if err := s.checkpoint(); err != nil {
		return nil, err
	}
	return w, nil
}

// removeEmptyLogs deletes empty memtable and value log files from dir.
// A process killed between creating such a file and sizing it leaves it
// empty, and Badger then refuses to open the directory. An empty file holds
// no data, so removing it loses nothing.
func removeEmptyLogs(dir string, log *slog.Logger) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".mem") && !strings.HasSuffix(name, ".vlog") {
			continue
		}
		info, err := e.Info()
		if err != nil || info.Size() != 0 || !info.Mode().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("%w: %v", ErrStorage, err)
		}
		log.Warn("empty log file removed", "file", name)
	}
	return nil
}

// Close waits for the calls in progress, stops the writer and closes the
// database. Calls after Close return ErrClosed, and so does a second Close.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	s.mu.Unlock()

	s.active.Wait()
	close(s.quit)
	<-s.writerDone
	var err error
	if s.journal != nil {
		// Once Badger's files are synced the journal is not needed; if
		// they cannot be, the next Open replays it.
		err = s.checkpoint()
		if cerr := s.journal.close(); err == nil {
			err = cerr
		}
	}
	if cerr := s.db.Close(); err == nil && cerr != nil {
		err = dbErr(cerr)
	}
	if err != nil {
		return fmt.Errorf("close: %w", err)
	}
	s.log.Info("store closed")
	return nil
}

// enter registers a call in progress; it fails once Close has begun. Every
// successful enter is paired with leave.
func (s *Store) enter() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.active.Add(1)
	return nil
}

func (s *Store) leave() { s.active.Done() }

// LastLabel returns the newest label committed on this node, 0 if none.
func (s *Store) LastLabel() Label {
	return Label(s.watermark.Load())
}

// MaxContentSize returns the largest content, in bytes, that Put accepts.
func (s *Store) MaxContentSize() int {
	if s.opts.InMemory {
		// In memory, Badger keeps every value in the LSM tree, which holds
		// values below the threshold only.
		return int(s.opts.ValueThreshold) - 1
	}
	return int(s.opts.ValueLogFileSize)
}

// Run runs background maintenance until ctx ends or the store is closed:
// value log garbage collection every GCInterval and removal of expired
// result sets every SweepInterval. It returns nil.
func (s *Store) Run(ctx context.Context) error {
	gc := time.NewTicker(s.opts.GCInterval)
	defer gc.Stop()
	sweep := time.NewTicker(s.opts.SweepInterval)
	defer sweep.Stop()

	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.quit:
			return nil
		case <-gc.C:
			s.collectGarbage()
		case <-sweep.C:
			s.sweepAndLog(ctx)
		}
	}
}

// collectGarbage rewrites value log files while Badger finds some worth
// rewriting.
func (s *Store) collectGarbage() {
	if s.opts.InMemory || s.enter() != nil {
		return
	}
	defer s.leave()

	// Badger rewrites the live values of a file into the current value
	// log, unsynced with the journal, and deletes the file at once unless
	// an iterator is open. One is held until the rewrites are synced, so
	// that no value is ever only in unsynced pages.
	txn := s.db.NewTransaction(false)
	hold := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{0xff}})
	defer func() {
		if err := s.syncAll(); err != nil {
			// The iterator stays open, so Badger keeps the files it
			// emptied until the store is closed: Open replays nothing
			// of them, and they still hold the values.
			s.log.Error("value log collection not synced; the files it emptied are kept", "err", err)
			return
		}
		hold.Close()
		txn.Discard()
	}()
	if gcRewriting != nil {
		defer gcRewriting()
	}
	const maxRewrites = 16
	for range maxRewrites {
		err := s.db.RunValueLogGC(gcDiscardRatio)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			return
		}
		if err != nil {
			s.log.Warn("value log collection failed", "err", dbErr(err))
			return
		}
	}
}

// gcRewriting, when set, is called once value log collection is done and
// before its rewrites are synced. A test uses it to see that the files it
// emptied are still there.
var gcRewriting func()

// sweepAndLog removes expired result sets and logs a failure.
func (s *Store) sweepAndLog(ctx context.Context) {
	n, err := s.sweepResults(ctx)
	switch {
	case errors.Is(err, ErrClosed), ctx.Err() != nil:
	case err != nil:
		s.log.Warn("result set sweep failed", "err", err)
	case n > 0:
		s.log.Debug("expired result sets removed", "count", n)
	}
}

// view runs fn in a read-only transaction together with the visible
// watermark of that transaction's snapshot.
func (s *Store) view(fn func(txn *badger.Txn, watermark Label) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	return s.db.View(func(txn *badger.Txn) error {
		w, err := readWatermark(txn)
		if err != nil {
			return err
		}
		return fn(txn, w)
	})
}

// readWatermark returns the committed label watermark in txn's snapshot.
func readWatermark(txn *badger.Txn) (Label, error) {
	n, err := getUintOrZero(txn, keyWatermark)
	return Label(n), err
}

// update runs fn in a read-write transaction, retrying when a concurrent
// transaction changed what fn read, and returns once the change is
// durable. fn must not write the keys that batches of puts write (blocks,
// counters, the watermark).
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	err := s.updateVolatile(fn)
	if err == nil {
		err = s.syncAll()
	}
	return err
}

// updateVolatile is update for changes that a crash may undo.
func (s *Store) updateVolatile(fn func(txn *badger.Txn) error) error {
	if err := s.enter(); err != nil {
		return err
	}
	defer s.leave()
	const attempts = 8
	var err error
	for range attempts {
		err = s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return dbErr(err)
		}
	}
	return dbErr(err)
}

// deleteWhere deletes the keys of a keyspace that match. It is meant for
// the small keyspaces (subscriptions, cursors, result sets) and deletes in
// transactions of at most removeChunk keys.
func (s *Store) deleteWhere(space byte, match func(key []byte) bool) error {
	for {
		n := 0
		err := s.update(func(txn *badger.Txn) error {
			n = 0
			prefix := []byte{space}
			it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
			var keys [][]byte
			for it.Rewind(); it.ValidForPrefix(prefix) && len(keys) < removeChunk; it.Next() {
				if match(it.Item().Key()) {
					keys = append(keys, it.Item().KeyCopy(nil))
				}
			}
			it.Close()
			for _, k := range keys {
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			n = len(keys)
			return nil
		})
		if err != nil || n < removeChunk {
			return err
		}
	}
}
