package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// putOne stores one put outside the pipeline, in several transactions if
// it needs them. Nothing may be in flight.
func (s *Store) putOne(w *writer, r *request) error {
	if s.tooBig(r) {
		return s.putLarge(w, r)
	}
	b := s.newBatch(w)
	err := b.stage(r)
	if err == nil {
		err = b.commit()
	}
	b.txn.Discard()
	if errors.Is(err, ErrTooLarge) {
		return s.putLarge(w, r)
	}
	return err
}

// chunkCommitted, when set, is called after each intermediate transaction
// of a large put. The crash test uses it to kill a process half way.
var chunkCommitted func()

// putLarge stores a put too large for one transaction. Its blocks are
// written in several transactions with labels above the watermark, which
// keeps them invisible; the last transaction raises the watermark. A record
// of the collections involved lets Open remove the blocks if the process
// dies half way.
func (s *Store) putLarge(w *writer, r *request) error {
	err := s.writeLarge(w, r)
	if err == nil {
		return nil
	}
	if cerr := s.discardAbove(Label(s.watermark.Load())); cerr != nil {
		w.broken = fmt.Errorf("%w: cleanup after a failed put: %v", ErrStorage, cerr)
		s.log.Error("store needs a reopen", "err", w.broken)
	}
	return err
}

// writeLarge writes the parts of a large put, then, in a last transaction
// of its own, the counters, the watermark and the removal of the pending
// record.
func (s *Store) writeLarge(w *writer, r *request) error {
	if err := s.markPending(r.colls); err != nil {
		return err
	}
	b := s.newBatch(w)
	defer func() { b.txn.Discard() }()
	for i := range r.blocks {
		size, count := s.blockCost(&r.blocks[i])
		if b.size+size > s.maxTxnSize || b.count+count > s.maxTxnCount {
			if err := b.flush(); err != nil {
				return err
			}
			if chunkCommitted != nil {
				chunkCommitted()
			}
		}
		res, err := b.add(&r.blocks[i])
		if err != nil {
			return err
		}
		r.results[i] = res
	}
	if err := b.flush(); err != nil {
		return err
	}
	if err := b.txn.Delete(keyPending); err != nil {
		return dbErr(err)
	}
	return b.commit()
}

// markPending records, durably, the collections that a large put is about
// to write to, merged with any record left by an earlier failure.
func (s *Store) markPending(colls []string) error {
	err := s.db.Update(func(txn *badger.Txn) error {
		names, err := readPending(txn)
		if err != nil {
			return err
		}
		seen := make(map[string]bool, len(names))
		for _, n := range names {
			seen[n] = true
		}
		for _, c := range colls {
			if !seen[c] {
				names = append(names, c)
			}
		}
		return txn.Set(keyPending, encodeNames(names))
	})
	if err != nil {
		return dbErr(err)
	}
	return s.syncAll()
}

// readPending returns the collections of the pending put record, if any.
func readPending(txn *badger.Txn) ([]string, error) {
	item, err := txn.Get(keyPending)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	err = item.Value(func(v []byte) error {
		names, err = decodeNames(v)
		return err
	})
	return names, err
}
