package store

import (
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// launch hands the open batch to Badger; nothing may be in flight. A stale
// batch is not handed over: its puts are written one by one instead.
func (s *Store) launch(w *writer) {
	b := w.open
	w.open = nil
	w.lastSize = len(b.puts)
	if w.linger != nil {
		w.linger.Stop()
		w.linger = nil
	}
	w.lingered = false
	if b.stale {
		b.txn.Discard()
		s.putEach(w, b.puts)
		return
	}
	if err := b.seal(); err != nil {
		b.txn.Discard()
		w.resetCounts()
		s.putEach(w, b.puts)
		return
	}
	// A batch of duplicates writes nothing: it has no record to log and
	// nothing to sync.
	logged := s.journal != nil && len(b.record) > 0
	oversized := false
	if logged && !s.journal.fits(len(b.record)) {
		if err := s.checkpoint(); err != nil {
			s.breakWriter(w, err)
			b.txn.Discard()
			w.resetCounts()
			s.putEach(w, b.puts)
			return
		}
		// A batch larger than the whole journal is synced by syncAll
		// once committed; the journal being empty, no replay can undo
		// what it writes.
		logged = s.journal.fits(len(b.record))
		oversized = !logged
	}
	// The spare is opened first: once b is handed over, Badger opens no
	// transaction until b has landed.
	spare := s.db.NewTransaction(true)
	b.prior = nil
	landed := w.landed
	switch {
	case logged:
		// The journal record is written and synced while Badger
		// commits; b is durable once both are done. Only one batch is
		// in flight, so appends never overlap.
		appended := make(chan error, 1)
		go func() { appended <- s.journal.append(b.record) }()
		commitAsync(b.txn, func(err error) {
			if jerr := <-appended; jerr != nil && err == nil {
				err = &syncError{fmt.Errorf("journal: %w", jerr)}
			}
			landed <- s.touchdown(b, err)
		})
	case oversized:
		commitAsync(b.txn, func(err error) {
			if err == nil {
				if serr := s.syncAll(); serr != nil {
					err = &syncError{serr}
				}
			}
			landed <- s.touchdown(b, err)
		})
	default:
		commitAsync(b.txn, func(err error) { landed <- s.touchdown(b, err) })
	}
	w.flight, w.spare = b, spare
}

// syncError is a batch committed to Badger that could not be made durable.
// It may be in Badger nonetheless, and the journal may end in a partial
// record: the writer stops taking changes until the store is reopened.
type syncError struct{ err error }

func (e *syncError) Error() string { return fmt.Sprintf("%v: %v", ErrStorage, e.err) }
func (e *syncError) Unwrap() error { return ErrStorage }

// breakWriter makes every later change fail with err until the store is
// reopened: a failed sync may have dropped what it was to write.
func (s *Store) breakWriter(w *writer, err error) {
	if w.broken == nil {
		w.broken = err
		s.log.Error("store needs a reopen", "err", err)
	}
}

// touchdown runs on Badger's callback goroutine when batch b has been
// written. If it has been written whole, touchdown raises the watermark
// and answers b's puts right away, a hop sooner than the writer could. It
// returns the outcome for the writer.
func (s *Store) touchdown(b *batch, err error) error {
	if err != nil {
		return err
	}
	if b.last > 0 {
		s.watermark.Store(int64(b.last))
	}
	for _, r := range b.puts {
		finish(r, nil)
	}
	return nil
}

// land takes the outcome of the flight batch, whose puts touchdown has
// answered if it succeeded. On failure the open batch, built on top of
// flight, is void, and flight's puts are written again one by one (each
// may still fail alone).
func (s *Store) land(w *writer, err error) {
	b := w.flight
	w.flight = nil
	w.dropSpare()
	if err == nil {
		return
	}
	if se := (*syncError)(nil); errors.As(err, &se) {
		s.breakWriter(w, err)
	}
	s.log.Warn("group commit failed, writing its puts one by one",
		"puts", len(b.puts), "err", dbErr(err))
	w.resetCounts()
	if w.open != nil {
		w.open.stale = true
	}
	s.putEach(w, b.puts)
}

// putAlone writes req on its own once every batch has landed.
func (s *Store) putAlone(w *writer, req *request) {
	s.settle(w)
	s.putEach(w, []*request{req})
}

// putEach writes puts one by one, outside the pipeline, and answers them.
// Nothing may be in flight.
//
// These puts are not journaled: the journal is emptied first, so that a
// replay never puts back older counters or watermark over theirs, and each
// is synced before it is answered.
func (s *Store) putEach(w *writer, puts []*request) {
	if err := s.checkpoint(); err != nil {
		s.breakWriter(w, err)
	}
	for _, r := range puts {
		if w.broken != nil {
			finish(r, w.broken)
			continue
		}
		err := s.putOne(w, r)
		if serr := s.syncAll(); serr != nil {
			s.breakWriter(w, serr)
			if err == nil {
				err = serr
			}
		}
		finish(r, err)
	}
}

// commitAsync hands txn to Badger, which calls done once txn is durable
// or has failed. Tests replace it to hold a batch in flight or to fail one.
var commitAsync = func(txn *badger.Txn, done func(error)) { txn.CommitWith(done) }
