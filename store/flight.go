package store

import "github.com/dgraph-io/badger/v4"

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
	// The spare is opened first: once b is handed over, Badger opens no
	// transaction until b has landed.
	spare := s.db.NewTransaction(true)
	b.prior = nil
	landed := w.landed
	commitAsync(b.txn, func(err error) { landed <- s.touchdown(b, err) })
	w.flight, w.spare = b, spare
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
func (s *Store) putEach(w *writer, puts []*request) {
	for _, r := range puts {
		if w.broken != nil {
			finish(r, w.broken)
			continue
		}
		finish(r, s.putOne(w, r))
	}
}

// commitAsync hands txn to Badger, which calls done once txn is durable
// or has failed. Tests replace it to hold a batch in flight or to fail one.
var commitAsync = func(txn *badger.Txn, done func(error)) { txn.CommitWith(done) }
