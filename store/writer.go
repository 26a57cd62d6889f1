package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Group commit limits.
const (
	// maxGroup is the most puts grouped into one commit.
	maxGroup = 1024
	// groupLinger is the longest the writer waits for more puts before a
	// commit; a fraction of the time of one sync.
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
type writer struct {
	// floor is the highest label handed out, committed or not, so that no
	// label is ever handed out twice in this process.
	floor Label
	// broken is set when a failed put left records that could not be
	// removed; every later change fails with it until the store is
	// reopened (Open removes them).
	broken error
	// lastGroup is the number of puts in the previous group.
	lastGroup int
}

// nextLabel returns max(now, floor+1µs) and raises the floor to it.
func (w *writer) nextLabel(now time.Time) Label {
	l := max(LabelOf(now), w.floor+1)
	w.floor = l
	return l
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

// writeLoop serves requests until quit is closed. Puts that are waiting
// when the writer gets to them go into one transaction and one sync.
func (s *Store) writeLoop(w *writer) {
	defer close(s.writerDone)
	var next *request
	for {
		req := next
		next = nil
		if req == nil {
			select {
			case req = <-s.reqs:
			case <-s.quit:
				return
			}
		}
		if req.op != nil {
			s.runOp(w, req)
			continue
		}
		var group []*request
		group, next = s.gather(w, req)
		w.lastGroup = len(group)
		s.putGroup(w, group)
	}
}

// runOp runs an exclusive operation unless its caller has gone.
func (s *Store) runOp(w *writer, req *request) {
	switch {
	case req.ctx.Err() != nil:
		finish(req, req.ctx.Err())
	case w.broken != nil:
		finish(req, w.broken)
	default:
		finish(req, req.op(w))
	}
}

// gather collects the puts already waiting behind first, as long as they
// fit one transaction. A request that does not fit is returned as carry.
// When the previous group was larger than what is waiting, gather lingers
// up to groupLinger for the callers of that group to come back: without
// that, callers settle into alternating small and large groups.
func (s *Store) gather(w *writer, first *request) (group []*request, carry *request) {
	group = []*request{first}
	if s.tooBig(first) {
		return group, nil
	}
	size, count := first.size, first.count
	var linger <-chan time.Time
	for len(group) < maxGroup {
		var r *request
		select {
		case r = <-s.reqs:
		default:
			if len(group) >= w.lastGroup {
				return group, nil
			}
			if linger == nil {
				t := time.NewTimer(groupLinger)
				defer t.Stop()
				linger = t.C
			}
			select {
			case r = <-s.reqs:
			case <-linger:
				return group, nil
			}
		}
		if r.op != nil || size+r.size > s.maxTxnSize || count+r.count > s.maxTxnCount {
			return group, r
		}
		group = append(group, r)
		size += r.size
		count += r.count
	}
	return group, nil
}

// tooBig reports whether a put needs more than one transaction.
func (s *Store) tooBig(r *request) bool {
	return r.size > s.maxTxnSize || r.count > s.maxTxnCount
}

// putGroup stores a group of puts in one transaction. If that fails, each
// put is tried alone so that one bad put does not fail the others.
func (s *Store) putGroup(w *writer, group []*request) {
	live := group[:0]
	for _, r := range group {
		switch {
		case r.ctx.Err() != nil:
			finish(r, r.ctx.Err())
		case w.broken != nil:
			finish(r, w.broken)
		default:
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	if len(live) > 1 {
		if err := s.commitPuts(w, live); err == nil {
			for _, r := range live {
				finish(r, nil)
			}
			return
		}
	}
	for _, r := range live {
		finish(r, s.putOne(w, r))
	}
}

// putOne stores one put, in several transactions if it needs them.
func (s *Store) putOne(w *writer, r *request) error {
	if s.tooBig(r) {
		return s.putLarge(w, r)
	}
	err := s.commitPuts(w, []*request{r})
	if errors.Is(err, ErrTooLarge) {
		return s.putLarge(w, r)
	}
	return err
}

// commitPuts stores puts in one transaction and raises the watermark.
func (s *Store) commitPuts(w *writer, puts []*request) error {
	b := s.newBatch(w)
	defer b.txn.Discard()
	for _, r := range puts {
		for i := range r.blocks {
			res, err := b.add(&r.blocks[i])
			if err != nil {
				return err
			}
			r.results[i] = res
		}
	}
	return b.commit()
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
	return dbErr(err)
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
