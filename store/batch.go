package store

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// batch writes new blocks within the writer goroutine, in one transaction.
// It tracks the estimated size of that transaction, the change of each
// collection's counter and the last label it handed out. A batch of the
// pipeline (see writer) also holds its puts, the hash index keys of the
// blocks it adds and the batch in flight when it was opened.
type batch struct {
	s     *Store
	w     *writer
	txn   *badger.Txn
	now   time.Time
	size  int64
	count int64
	delta map[string]uint64
	last  Label

	// puts are the puts staged in the batch, and putSize and putCount the
	// sum of their estimates (request.size and request.count).
	puts     []*request
	putSize  int64
	putCount int64
	// fresh maps the hash index key of each block the batch adds to the
	// block's label; nil outside the pipeline.
	fresh map[string]Label
	// prior is the batch that was in flight when this one was opened. The
	// snapshot of txn does not hold prior's blocks, so they are looked up
	// in prior.fresh.
	prior *batch
	// stale is set when txn must not be committed: prior failed, or a put
	// failed half way through staging.
	stale bool
	// logged is set for the batches of the pipeline with a journal: every
	// write also goes to record, the journal record of the batch.
	logged bool
	record []byte
}

func (s *Store) newBatch(w *writer) *batch {
	return s.batchIn(w, s.db.NewTransaction(true))
}

// batchIn returns a batch that writes in txn.
func (s *Store) batchIn(w *writer, txn *badger.Txn) *batch {
	return &batch{
		s:     s,
		w:     w,
		txn:   txn,
		now:   s.now(),
		delta: make(map[string]uint64),
	}
}

// stage adds the blocks of put r to the batch. On error the transaction may
// hold part of r.
func (b *batch) stage(r *request) error {
	for i := range r.blocks {
		res, err := b.add(&r.blocks[i])
		if err != nil {
			return err
		}
		r.results[i] = res
	}
	b.puts = append(b.puts, r)
	b.putSize += r.size
	b.putCount += r.count
	return nil
}

// fits reports whether put r can join the batch without taking it over
// the limits of one transaction.
func (b *batch) fits(r *request) bool {
	return len(b.puts) < maxGroup &&
		b.putSize+r.size <= b.s.maxTxnSize && b.putCount+r.count <= b.s.maxTxnCount
}

// add stores pb unless its collection already holds its content hash, in
// which case it returns the existing label. A block of the prior batch
// counts as held: that batch is durable before this one is.
func (b *batch) add(pb *pendingBlock) (PutResult, error) {
	hk := hashKey(pb.collection, pb.hash)
	if b.prior != nil {
		if l, ok := b.prior.fresh[string(hk)]; ok {
			return PutResult{Label: l, Hash: pb.hash, Duplicate: true}, nil
		}
	}
	l, err := getLabel(b.txn, hk)
	if err == nil {
		return PutResult{Label: l, Hash: pb.hash, Duplicate: true}, nil
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return PutResult{}, dbErr(err)
	}

	l = b.w.nextLabel(b.now)
	setStored(pb.meta, b.now)
	entries := []struct{ k, v []byte }{
		{blockKey(spaceMeta, pb.collection, l), pb.meta},
		{blockKey(spaceContent, pb.collection, l), pb.content},
		{hk, encodeLabel(l)},
	}
	for _, e := range entries {
		if err := b.set(e.k, e.v); err != nil {
			return PutResult{}, err
		}
	}
	size, count := b.s.blockCost(pb)
	b.size += size
	b.count += count
	b.delta[pb.collection]++
	b.last = l
	if b.fresh != nil {
		b.fresh[string(hk)] = l
	}
	return PutResult{Label: l, Hash: pb.hash}, nil
}

// flush commits what the batch holds so far and starts a new transaction,
// without touching counters or the watermark.
func (b *batch) flush() error {
	if err := b.txn.Commit(); err != nil {
		return dbErr(err)
	}
	b.txn = b.s.db.NewTransaction(true)
	b.size, b.count = 0, 0
	return nil
}

// seal adds the counter changes and the new watermark to the transaction.
// It records the new counters in the writer's cache; whoever sees the
// transaction fail resets that cache.
func (b *batch) seal() error {
	for coll, n := range b.delta {
		c, err := b.w.count(b.txn, coll)
		if err != nil {
			return err
		}
		if err := b.set(collectionKey(coll), encodeUint(c+n)); err != nil {
			return err
		}
		b.w.counts[coll] = c + n
	}
	if b.last > 0 {
		if err := b.set(keyWatermark, encodeLabel(b.last)); err != nil {
			return err
		}
	}
	return nil
}

// set writes a key in the batch's transaction and, if the batch is
// logged, in its journal record.
func (b *batch) set(key, value []byte) error {
	if err := b.txn.Set(key, value); err != nil {
		return dbErr(err)
	}
	if b.logged {
		b.record = appendEntry(b.record, key, value)
	}
	return nil
}

// commit seals the batch, commits it, waiting for the sync, and publishes
// the watermark.
func (b *batch) commit() error {
	err := b.seal()
	if err == nil {
		err = dbErr(b.txn.Commit())
	}
	if err != nil {
		b.w.resetCounts()
		return err
	}
	if b.last > 0 {
		b.s.watermark.Store(int64(b.last))
	}
	return nil
}

// addCount changes a collection's block counter by delta, removing the
// collection record when it reaches zero. The caller resets the writer's
// counter cache.
func addCount(txn *badger.Txn, coll string, delta int64) error {
	key := collectionKey(coll)
	n, err := getUintOrZero(txn, key)
	if err != nil {
		return dbErr(err)
	}
	switch {
	case delta < 0 && uint64(-delta) >= n:
		err = txn.Delete(key)
	case delta < 0:
		err = txn.Set(key, encodeUint(n-uint64(-delta)))
	default:
		err = txn.Set(key, encodeUint(n+uint64(delta)))
	}
	return dbErr(err)
}

// getUint reads a value of 8 big-endian bytes (a label or a counter). It
// returns badger.ErrKeyNotFound when the key is absent.
func getUint(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(v []byte) error {
		n, err = decodeUint(v)
		return err
	})
	return n, err
}

// getUintOrZero is getUint reading an absent key as zero.
func getUintOrZero(txn *badger.Txn, key []byte) (uint64, error) {
	n, err := getUint(txn, key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	return n, err
}

// getLabel reads a record holding a label (hash index entries, cursors).
// It returns badger.ErrKeyNotFound when the key is absent.
func getLabel(txn *badger.Txn, key []byte) (Label, error) {
	n, err := getUint(txn, key)
	return Label(n), err
}

// entryCost mirrors Badger's estimate of an entry's share of a transaction.
func (s *Store) entryCost(key, value int) int64 {
	v := int64(value)
	if v >= s.opts.ValueThreshold {
		v = 12
	}
	return int64(key) + v + 12
}

// blockCost returns the estimated transaction size and entry count of
// storing pb.
func (s *Store) blockCost(pb *pendingBlock) (size, count int64) {
	keys := 1 + 2*8 + len(pb.collection) // a varint byte beyond that is in the margin
	size = s.entryCost(keys+8, len(pb.meta)) +
		s.entryCost(keys+8, len(pb.content)) +
		s.entryCost(keys+len(pb.hash), 8)
	return size, 3
}

// recover reads the watermark and removes what a crash left above it: the
// blocks of an interrupted put, and those of the batch that was in flight
// when the journal's last record was written (replayed holds the replayed
// records). It returns the writer state to start with.
func (s *Store) recover(replayed [][]byte) (*writer, error) {
	var w Label
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		w, err = readWatermark(txn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read watermark: %w", dbErr(err))
	}
	s.watermark.Store(int64(w))
	if err := s.discardAbove(w); err != nil {
		return nil, fmt.Errorf("remove an interrupted put: %w", err)
	}
	if len(replayed) > 0 {
		if err := s.discardUnlogged(w, replayed); err != nil {
			return nil, fmt.Errorf("remove an unacknowledged batch: %w", err)
		}
	}
	return newWriter(w), nil
}

// discardAbove removes the blocks with labels above w in the collections
// of the pending put record, then the record itself. Without a record it
// does nothing.
func (s *Store) discardAbove(w Label) error {
	var names []string
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		names, err = readPending(txn)
		return err
	})
	if err != nil || names == nil {
		return dbErr(err)
	}
	removed := 0
	for _, coll := range names {
		n, err := s.removeAbove(coll, w, false)
		removed += n
		if err != nil {
			return err
		}
	}
	err = s.db.Update(func(txn *badger.Txn) error { return txn.Delete(keyPending) })
	if err != nil {
		return dbErr(err)
	}
	if err := s.syncAll(); err != nil {
		return err
	}
	s.log.Warn("interrupted put removed", "blocks", removed, "collections", len(names))
	return nil
}

// discardUnlogged removes the blocks above w, the watermark the journal's
// replay put back. Badger commits a batch while its journal record is
// written, so a crash can leave in Badger's files a batch whose record is
// missing: never acknowledged, it must go whole, or its hash index entries
// would have later copies of its blocks refused as duplicates. Replay put
// back the counters of the collections its records wrote, which do not
// count that batch; the others still do.
func (s *Store) discardUnlogged(w Label, replayed [][]byte) error {
	restored := make(map[string]bool)
	for _, rec := range replayed {
		err := eachEntry(rec, func(key, _ []byte) error {
			if len(key) > 0 && key[0] == spaceCollection {
				restored[string(key)] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	var names []string
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		names, err = collectionNames(txn)
		return err
	})
	if err != nil {
		return dbErr(err)
	}
	removed := 0
	for _, coll := range names {
		n, err := s.removeAbove(coll, w, !restored[string(collectionKey(coll))])
		removed += n
		if err != nil {
			return err
		}
	}
	if removed > 0 {
		s.log.Warn("unacknowledged batch removed", "blocks", removed)
	}
	return nil
}

// removeAbove removes every block of coll labelled above w, counted says
// whether they are in the collection's counter, and returns how many it
// removed.
func (s *Store) removeAbove(coll string, w Label, counted bool) (int, error) {
	removed := 0
	for {
		n, err := s.removeBlocks(coll, removal{from: w + 1, before: math.MaxInt64, counted: counted})
		removed += n
		if err != nil || n < removeChunk {
			return removed, err
		}
	}
}
