package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dgraph-io/badger/v4"
)

// syncAll makes everything committed to Badger so far durable: Badger's
// own sync covers the active memtable log and value log file only, so
// every memtable and value log file is synced, then the directory. With
// no journal, Badger syncs each commit and there is nothing to do.
func (s *Store) syncAll() error {
	if s.journal == nil {
		return nil
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("%w: sync: %v", ErrStorage, err)
	}
	entries, err := os.ReadDir(s.opts.Dir)
	if err != nil {
		return fmt.Errorf("%w: sync: %v", ErrStorage, err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".mem") && !strings.HasSuffix(name, ".vlog") {
			continue
		}
		if err := syncFile(filepath.Join(s.opts.Dir, name)); err != nil {
			return fmt.Errorf("%w: sync %s: %v", ErrStorage, name, err)
		}
	}
	if err := syncDir(s.opts.Dir); err != nil {
		return fmt.Errorf("%w: sync: %v", ErrStorage, err)
	}
	return nil
}

// syncFile syncs the file at path. A file gone meanwhile is no error:
// Badger removes a memtable log once its table is written and synced, and
// a value log file once its live values are elsewhere.
func syncFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkpoint makes what the journal holds durable in Badger's files and
// empties the journal. Nothing may be in flight.
func (s *Store) checkpoint() error {
	if s.journal == nil || s.journal.empty() {
		return nil
	}
	if err := s.syncAll(); err != nil {
		return err
	}
	if err := s.journal.reset(); err != nil {
		return fmt.Errorf("%w: journal: %v", ErrStorage, err)
	}
	return nil
}

// replay writes the journal's records into Badger, each in one
// transaction, in the order they were appended.
func (s *Store) replay(records [][]byte) error {
	for _, rec := range records {
		err := s.db.Update(func(txn *badger.Txn) error {
			return eachEntry(rec, func(key, value []byte) error {
				return txn.Set(key, value)
			})
		})
		if err != nil {
			return fmt.Errorf("replay journal: %w", dbErr(err))
		}
	}
	if len(records) > 0 {
		s.log.Info("journal replayed", "records", len(records))
	}
	return nil
}
