package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// removeChunk is the most blocks removed in one transaction, so that a
// large removal neither exceeds Badger's limits nor holds up puts for long.
const removeChunk = 512

// removal selects blocks of one collection to remove, in label order from
// label from: those with labels below before, and the oldest ones while
// fewer than oldest have been removed. counted says whether the blocks are
// in the collection's counter (blocks of an interrupted put are not).
type removal struct {
	from    Label
	before  Label
	oldest  uint64
	counted bool
}

// takes reports whether the removal takes the block at label l after n
// blocks have been taken.
func (rm removal) takes(l Label, n uint64) bool {
	return l < rm.before || n < rm.oldest
}

// removeBlocks removes up to removeChunk blocks that rm selects, with their
// content and hash index entries, in one transaction. It must run on the
// writer goroutine (or before it starts). It returns how many it removed.
func (s *Store) removeBlocks(coll string, rm removal) (int, error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()

	prefix := scoped(spaceMeta, coll, 0)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var victims []removedBlock
	for it.Seek(blockKey(spaceMeta, coll, rm.from)); it.ValidForPrefix(prefix); it.Next() {
		l := labelOfKey(it.Item().Key())
		if len(victims) == removeChunk || !rm.takes(l, uint64(len(victims))) {
			break
		}
		var h Hash
		err := it.Item().Value(func(v []byte) error {
			var err error
			h, err = hashOfMeta(v)
			return err
		})
		if err != nil {
			it.Close()
			return 0, fmt.Errorf("block %d of %q: %w", l, coll, dbErr(err))
		}
		victims = append(victims, removedBlock{label: l, hash: h})
	}
	it.Close()
	if len(victims) == 0 {
		return 0, nil
	}

	for _, v := range victims {
		if err := deleteBlock(txn, coll, v); err != nil {
			return 0, err
		}
	}
	if rm.counted {
		if err := addCount(txn, coll, -int64(len(victims))); err != nil {
			return 0, err
		}
	}
	if err := txn.Commit(); err != nil {
		return 0, dbErr(err)
	}
	return len(victims), nil
}

// removedBlock is a block chosen for removal.
type removedBlock struct {
	label Label
	hash  Hash
}

// deleteBlock deletes a block's metadata and content, and its hash index
// entry when that entry points to it.
func deleteBlock(txn *badger.Txn, coll string, v removedBlock) error {
	keys := [][]byte{blockKey(spaceMeta, coll, v.label), blockKey(spaceContent, coll, v.label)}
	hk := hashKey(coll, v.hash)
	l, err := getLabel(txn, hk)
	switch {
	case err == nil && l == v.label:
		keys = append(keys, hk)
	case err != nil && !errors.Is(err, badger.ErrKeyNotFound):
		return dbErr(err)
	}
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return dbErr(err)
		}
	}
	return nil
}

// Prune applies a retention policy to one collection: it removes the
// blocks whose labels are older than maxAge (0: no age limit) and then the
// oldest blocks beyond maxBlocks (0: no count limit), with their hash index
// entries. It returns how many blocks it removed. Prune works in steps of
// a few hundred blocks, so puts proceed while it runs; when ctx ends it
// stops between steps and returns the count so far with ctx's error.
func (s *Store) Prune(ctx context.Context, collection string, maxAge time.Duration,
	maxBlocks uint64) (int, error) {
	if err := checkName("collection name", collection); err != nil {
		return 0, fmt.Errorf("prune: %w", err)
	}
	if maxAge < 0 {
		return 0, fmt.Errorf("prune %q: %w", collection, invalidf("negative age %v", maxAge))
	}
	rm := removal{counted: true}
	if maxAge > 0 {
		rm.before = LabelOf(s.now().Add(-maxAge))
	}
	n, err := s.removeAll(ctx, collection, &rm, func() error {
		if maxBlocks == 0 {
			return nil
		}
		total, err := s.countAll(collection)
		rm.oldest = total - min(total, maxBlocks)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("prune %q: %w", collection, err)
	}
	return n, nil
}

// removeAll runs removal steps on the writer until a step removes less than
// a full chunk. init, if not nil, runs on the writer before the first step
// and may adjust rm.
func (s *Store) removeAll(ctx context.Context, coll string, rm *removal,
	init func() error) (int, error) {
	if err := s.enter(); err != nil {
		return 0, err
	}
	defer s.leave()

	total := 0
	for {
		var n int
		err := s.exclusive(ctx, func(*writer) error {
			if init != nil {
				if err := init(); err != nil {
					return err
				}
				init = nil
			}
			var err error
			n, err = s.removeBlocks(coll, *rm)
			rm.oldest -= min(rm.oldest, uint64(n))
			return err
		})
		total += n
		if err != nil || n < removeChunk {
			return total, err
		}
	}
}

// DeleteCollection removes every block of a collection, with its hash index
// entries, and the subscriptions and catch-up cursors of the collection.
// Blocks put while it runs may survive it. Deleting a collection that holds
// nothing is not an error.
func (s *Store) DeleteCollection(ctx context.Context, collection string) error {
	if err := checkName("collection name", collection); err != nil {
		return fmt.Errorf("delete collection: %w", err)
	}
	rm := removal{counted: true}
	n, err := s.removeAll(ctx, collection, &rm, func() error {
		rm.before = Label(s.watermark.Load()) + 1
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete collection %q: %w", collection, err)
	}
	if err := s.deleteWhere(spaceSubscription, func(key []byte) bool {
		coll, _, ok := splitScoped(key)
		return ok && coll == collection
	}); err != nil {
		return fmt.Errorf("delete collection %q: subscriptions: %w", collection, err)
	}
	if err := s.deleteWhere(spaceCursor, func(key []byte) bool {
		_, coll, ok := splitScoped(key)
		return ok && bytes.Equal(coll, []byte(collection))
	}); err != nil {
		return fmt.Errorf("delete collection %q: cursors: %w", collection, err)
	}
	s.log.Info("collection deleted", "collection", collection, "blocks", n)
	return nil
}
