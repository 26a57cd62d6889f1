package store

import (
	"context"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Group commit limits.
const (
	// maxGroup is the most puts in one batch of the pipeline.
	maxGroup = 1024
	// groupLinger is the longest the writer waits for more puts before it
	// hands a batch to an idle disk; a fraction of the time of one sync.
	groupLinger = 250 * time.Microsecond
)

// request is one unit of work for the writer goroutine: a put, or an
// exclusive operation on blocks (op set). The writer closes done once err
// and results are final.
type request struct {
	ctx context.Context

	blocks  []pendingBlock
	colls   []string // distinct collections of blocks
	size    int64    // estimated transaction size of the put
	count   int64    // estimated number of transaction entries
	results []PutResult

	op func(w *writer) error

	err  error
	done chan struct{}
}

// pendingBlock is a block of a put, validated and ready to write.
type pendingBlock struct {
	collection string
	hash       Hash
	meta       []byte // encoded metadata, stored time filled in by the writer
	content    []byte
}

// writer is the state owned by the writer goroutine.
//
// Puts go through a pipeline of two batches, each one transaction. The
// flight batch has been handed to Badger, which writes it while the
// journal syncs it; the open batch takes the puts that arrive meanwhile: it looks up their
// hashes, labels their blocks and stages their records. When flight lands,
// open is handed over at once, so one sync follows the other and the work
// of a batch overlaps the sync of the batch before it.
//
// The open batch writes in a transaction opened just before flight was
// handed over (Badger opens no transaction while a commit is in progress),
// so its snapshot lacks flight's blocks: it finds them in flight's fresh
// hashes and its counters in the counts cache. It reads no key that flight
// writes, so Badger sees no conflict. Batches land in the order they are
// handed over, which is the order of their labels, and a batch is
// acknowledged, and the watermark raised to its last label, only once it
// is durable.
type writer struct {
	// floor is the highest label handed out, committed or not, so that no
	// label is ever handed out twice in this process.
	floor Label
	// broken is set when a failed put left records that could not be
	// removed; every later change fails with it until the store is
	// reopened (Open removes them).
	broken error
	// counts caches the block counter of collections that batches changed,
	// as it will be once every batch handed to Badger has landed. It is
	// reset after a failed write and after changes outside batches.
	counts map[string]uint64

	// flight is the batch Badger is writing, nil if none; landed receives
	// its outcome.
	flight *batch
	landed chan error
	// open is the batch taking puts while flight is written, nil if none.
	open *batch
	// spare is the transaction for the next open batch, opened just before
	// flight was handed over; nil when used or useless.
	spare *badger.Txn
	// carry is a put taken that does not fit open: it waits for the next
	// batch, and no other put is taken meanwhile.
	carry *request

	// lastSize is the number of puts of the last batch handed to Badger.
	// With nothing in flight, an open batch smaller than that waits up to
	// groupLinger (linger fires) for the callers of that batch to come
	// back: without it, callers settle into alternating small and large
	// batches, each costing a sync. lingered is set once linger fired.
	lastSize int
	linger   *time.Timer
	lingered bool
}

func newWriter(floor Label) *writer {
	return &writer{
		floor:  floor,
		counts: make(map[string]uint64),
		landed: make(chan error, 1),
	}
}

// nextLabel returns max(now, floor+1µs) and raises the floor to it.
func (w *writer) nextLabel(now time.Time) Label {
	l := max(LabelOf(now), w.floor+1)
	w.floor = l
	return l
}

// count returns the counter of coll as the batches handed to Badger leave
// it: from the cache, else as txn reads it.
func (w *writer) count(txn *badger.Txn, coll string) (uint64, error) {
	if n, ok := w.counts[coll]; ok {
		return n, nil
	}
	n, err := getUintOrZero(txn, collectionKey(coll))
	return n, dbErr(err)
}

// resetCounts empties the counter cache.
func (w *writer) resetCounts() { clear(w.counts) }

// dropSpare discards the spare transaction, if any.
func (w *writer) dropSpare() {
	if w.spare != nil {
		w.spare.Discard()
		w.spare = nil
	}
}

// submit hands req to the writer and waits for its answer. Once the writer
// has taken req, submit waits for the outcome even if ctx ends, because
// the writer may still be writing the caller's content.
func (s *Store) submit(ctx context.Context, req *request) error {
	req.ctx = ctx
	req.done = make(chan struct{})
	select {
	case s.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	}
	<-req.done
	return req.err
}

// exclusive runs op on the writer goroutine, so that it sees and changes
// blocks with no put in progress.
func (s *Store) exclusive(ctx context.Context, op func(w *writer) error) error {
	return s.submit(ctx, &request{op: op})
}

// finish answers req.
func finish(req *request, err error) {
	req.err = err
	close(req.done)
}

// writeLoop serves requests until quit is closed. It takes requests into
// the open batch while a batch is in flight, and hands the open batch over
// as soon as nothing is.
func (s *Store) writeLoop(w *writer) {
	defer close(s.writerDone)
	for {
		reqs := s.reqs
		if w.carry != nil {
			reqs = nil
		}
		var linger <-chan time.Time
		if w.linger != nil {
			linger = w.linger.C
		}
		select {
		case req := <-reqs:
			s.take(w, req)
			s.advance(w)
		case <-linger:
			w.lingered = true
			s.advance(w)
		case err := <-w.landed:
			s.land(w, err)
			s.advance(w)
		case <-s.quit:
			s.settle(w)
			return
		}
	}
}

// take accepts one request: a put joins the open batch, anything else
// runs once every batch has landed.
func (s *Store) take(w *writer, req *request) {
	switch {
	case req.op != nil:
		s.settle(w)
		s.runOp(w, req)
		w.resetCounts()
		return
	case req.ctx.Err() != nil:
		finish(req, req.ctx.Err())
		return
	case w.broken != nil:
		finish(req, w.broken)
		return
	case s.tooBig(req):
		s.putAlone(w, req)
		return
	case w.open != nil && !w.open.fits(req):
		w.carry = req
		return
	}
	if w.open == nil {
		w.open = s.openBatch(w)
	}
	if err := w.open.stage(req); err != nil {
		// The transaction may hold part of req: the batch is written
		// again without it, and req alone.
		w.open.stale = true
		s.putAlone(w, req)
	}
}

// openBatch starts a batch of the pipeline, in the spare transaction when
// a batch is in flight.
func (s *Store) openBatch(w *writer) *batch {
	txn := w.spare
	w.spare = nil
	if txn == nil {
		txn = s.db.NewTransaction(true)
	}
	b := s.batchIn(w, txn)
	b.fresh = make(map[string]Label)
	b.prior = w.flight
	b.logged = s.journal != nil
	return b
}

// fill takes the requests already waiting, without blocking, until one
// does not fit the open batch.
func (s *Store) fill(w *writer) {
	for w.carry == nil {
		select {
		case req := <-s.reqs:
			s.take(w, req)
		default:
			return
		}
	}
}

// advance hands the open batch to Badger, with the requests waiting, once
// nothing is in flight, and starts a new batch with the carried put.
func (s *Store) advance(w *writer) {
	for {
		switch {
		case w.carry != nil && w.open == nil:
			req := w.carry
			w.carry = nil
			s.take(w, req)
		case w.flight == nil && w.open != nil:
			s.fill(w)
			if w.open == nil {
				continue // fill took an operation, which settled the batch
			}
			if w.waits() {
				return
			}
			s.launch(w)
		default:
			return
		}
	}
}

// waits reports whether the open batch should wait for more puts before it
// goes to an idle disk, and starts the linger timer if so.
func (w *writer) waits() bool {
	if w.carry != nil || w.lingered || len(w.open.puts) >= w.lastSize {
		return false
	}
	if w.linger == nil {
		w.linger = time.NewTimer(groupLinger)
	}
	return true
}

// settle lands every batch and the carried put: afterwards nothing is in
// progress and the writer may commit on its own.
func (s *Store) settle(w *writer) {
	for w.flight != nil || w.open != nil || w.carry != nil {
		switch {
		case w.flight != nil:
			s.land(w, <-w.landed)
		case w.open != nil:
			s.launch(w)
		default:
			req := w.carry
			w.carry = nil
			s.take(w, req)
		}
	}
	w.dropSpare()
}

// runOp runs an exclusive operation unless its caller has gone.
func (s *Store) runOp(w *writer, req *request) {
	switch {
	case req.ctx.Err() != nil:
		finish(req, req.ctx.Err())
	case w.broken != nil:
		finish(req, w.broken)
	default:
		// The operation writes keys that batches write too: the journal
		// is emptied first, so that a replay never puts back what the
		// operation changed, and the operation's changes are synced.
		if err := s.checkpoint(); err != nil {
			s.breakWriter(w, err)
			finish(req, err)
			return
		}
		err := req.op(w)
		if serr := s.syncAll(); serr != nil {
			s.breakWriter(w, serr)
			if err == nil {
				err = serr
			}
		}
		finish(req, err)
	}
}

// tooBig reports whether a put needs more than one transaction.
func (s *Store) tooBig(r *request) bool {
	return r.size > s.maxTxnSize || r.count > s.maxTxnCount
}
