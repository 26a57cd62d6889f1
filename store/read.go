package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/taxiinode/taxiinode/protocol"
)

// ctxCheckEvery is how many blocks a scan visits between checks of its
// context.
const ctxCheckEvery = 64

// Meta is what the store knows of a block without reading its content.
type Meta struct {
	Collection string
	Label      Label
	Hash       Hash
	Binding    protocol.ContentBinding
	IsXML      bool
	// Size is the length of the content in bytes.
	Size int
	// EscapedSize is the length of text content escaped into XML, as a
	// TAXII message carries it: Size for XML content, which goes as it is,
	// and -1 when unknown (text stored by an earlier version).
	EscapedSize int
	Message     string
	Origin      Origin
	// Stored is the wall clock when the block was stored, in UTC; it equals
	// Label.Time() unless the clock was behind the last label.
	Stored time.Time
}

// Block is a stored content block.
type Block struct {
	Meta
	Content []byte
}

// Get returns the block of collection with label l. It returns ErrNotFound
// when there is none.
func (s *Store) Get(ctx context.Context, collection string, l Label) (*Block, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := &Block{Meta: Meta{Collection: collection, Label: l}}
	err := s.view(func(txn *badger.Txn, w Label) error {
		if l <= 0 || l > w {
			return ErrNotFound
		}
		item, err := txn.Get(blockKey(spaceMeta, collection, l))
		if err != nil {
			return err
		}
		if err := item.Value(func(v []byte) error { return decodeMeta(v, &b.Meta) }); err != nil {
			return err
		}
		item, err = txn.Get(blockKey(spaceContent, collection, l))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("content missing: %w", ErrCorrupt)
		}
		if err != nil {
			return err
		}
		b.Content, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get %q label %d: %w", collection, l, dbErr(err))
	}
	return b, nil
}

// Lookup returns the label of the block of collection whose content has
// hash h. It returns ErrNotFound when the collection holds no such block.
func (s *Store) Lookup(ctx context.Context, collection string, h Hash) (Label, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var l Label
	err := s.view(func(txn *badger.Txn, w Label) error {
		var err error
		l, err = getLabel(txn, hashKey(collection, h))
		if err == nil && l > w {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("lookup %q hash %s: %w", collection, h, dbErr(err))
	}
	return l, nil
}

// ScanMeta calls fn for each block of collection in r, in label order,
// without reading content. fn returning ErrStop ends the scan early with a
// nil error; any other error from fn ends it and is returned unchanged.
// The scan sees one snapshot of the store; fn may call other methods.
func (s *Store) ScanMeta(ctx context.Context, collection string, r Range,
	fn func(*Meta) error) error {
	return s.scan(ctx, collection, r, nil, fn)
}

// Scan is ScanMeta with content. The Block and its Content are only valid
// during the call of fn: the scan holds one block at a time and reuses it.
func (s *Store) Scan(ctx context.Context, collection string, r Range,
	fn func(*Block) error) error {
	return s.scan(ctx, collection, r, fn, nil)
}

// scan iterates the metadata of collection in r, calling metaFn with a
// fresh Meta per block, or blockFn with the reused block and its content.
func (s *Store) scan(ctx context.Context, collection string, r Range,
	blockFn func(*Block) error, metaFn func(*Meta) error) error {
	var fnErr error
	err := s.view(func(txn *badger.Txn, w Label) error {
		first, last, ok := r.bounds(w)
		if !ok {
			return nil
		}
		sc := scanner{ctx: ctx, txn: txn, coll: collection, last: last}
		defer sc.close()
		if blockFn != nil {
			sc.openContent()
		}
		var err error
		fnErr, err = sc.run(first, blockFn, metaFn)
		return err
	})
	if fnErr != nil {
		if errors.Is(fnErr, ErrStop) {
			return nil
		}
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("scan %q: %w", collection, dbErr(err))
	}
	return nil
}

// scanner walks a collection's metadata and, for Scan, its content in
// lockstep: both keyspaces are ordered by label.
type scanner struct {
	ctx     context.Context
	txn     *badger.Txn
	coll    string
	last    Label
	meta    *badger.Iterator
	content *badger.Iterator
	block   Block
}

func (sc *scanner) openContent() {
	sc.content = sc.txn.NewIterator(badger.IteratorOptions{
		Prefix: scoped(spaceContent, sc.coll, 0),
	})
}

func (sc *scanner) close() {
	if sc.meta != nil {
		sc.meta.Close()
	}
	if sc.content != nil {
		sc.content.Close()
	}
}

// run visits the blocks from label first. It returns fn's error apart from
// its own.
func (sc *scanner) run(first Label, blockFn func(*Block) error,
	metaFn func(*Meta) error) (fnErr, err error) {
	prefix := scoped(spaceMeta, sc.coll, 0)
	sc.meta = sc.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	n := 0
	it := sc.meta
	for it.Seek(blockKey(spaceMeta, sc.coll, first)); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		l := labelOfKey(item.Key())
		if l > sc.last {
			return nil, nil
		}
		if n++; n%ctxCheckEvery == 0 {
			if err := sc.ctx.Err(); err != nil {
				return nil, err
			}
		}
		m := &sc.block.Meta
		if metaFn != nil {
			m = new(Meta)
		}
		*m = Meta{Collection: sc.coll, Label: l}
		if err := item.Value(func(v []byte) error { return decodeMeta(v, m) }); err != nil {
			return nil, fmt.Errorf("block %d: %w", l, err)
		}
		if metaFn != nil {
			fnErr = metaFn(m)
		} else {
			fnErr, err = sc.withContent(l, blockFn)
		}
		if fnErr != nil || err != nil {
			return fnErr, err
		}
	}
	return nil, nil
}

// withContent positions the content iterator on label l and calls fn with
// the block while the content is available.
func (sc *scanner) withContent(l Label, fn func(*Block) error) (fnErr, err error) {
	key := blockKey(spaceContent, sc.coll, l)
	it := sc.content
	if !it.Valid() || !bytes.Equal(it.Item().Key(), key) {
		it.Seek(key)
	}
	if !it.Valid() || !bytes.Equal(it.Item().Key(), key) {
		return nil, fmt.Errorf("block %d: content missing: %w", l, ErrCorrupt)
	}
	err = it.Item().Value(func(v []byte) error {
		sc.block.Content = v
		fnErr = fn(&sc.block)
		sc.block.Content = nil
		return nil
	})
	it.Next()
	return fnErr, err
}

// Count returns the number of blocks of collection in r. The whole range
// is answered from a counter; other ranges by walking keys, never values.
func (s *Store) Count(ctx context.Context, collection string, r Range) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n uint64
	err := s.view(func(txn *badger.Txn, w Label) error {
		first, last, ok := r.bounds(w)
		switch {
		case !ok:
			return nil
		case first == 1 && last == w:
			var err error
			n, err = getUintOrZero(txn, collectionKey(collection))
			return err
		}
		var err error
		n, err = countKeys(ctx, txn, collection, first, last)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count %q: %w", collection, dbErr(err))
	}
	return n, nil
}

// countKeys counts the metadata keys of collection from first to last.
func countKeys(ctx context.Context, txn *badger.Txn, coll string,
	first, last Label) (uint64, error) {
	prefix := scoped(spaceMeta, coll, 0)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	var n uint64
	for it.Seek(blockKey(spaceMeta, coll, first)); it.ValidForPrefix(prefix); it.Next() {
		if labelOfKey(it.Item().Key()) > last {
			break
		}
		if n++; n%(16*ctxCheckEvery) == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// countAll reads a collection's counter.
func (s *Store) countAll(collection string) (uint64, error) {
	var n uint64
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		n, err = getUintOrZero(txn, collectionKey(collection))
		return err
	})
	return n, dbErr(err)
}

// Collections returns the names of the collections holding blocks, in
// byte order.
func (s *Store) Collections(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var names []string
	err := s.view(func(txn *badger.Txn, _ Label) error {
		var err error
		names, err = collectionNames(txn)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("collections: %w", dbErr(err))
	}
	return names, nil
}

// collectionNames lists the collections with a counter in txn's snapshot.
func collectionNames(txn *badger.Txn) ([]string, error) {
	prefix := []byte{spaceCollection}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	var names []string
	for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
		names = append(names, string(it.Item().Key()[1:]))
	}
	return names, nil
}
