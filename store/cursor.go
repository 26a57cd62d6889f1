package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Cursor returns the catch-up cursor of (peer, collection): the last label
// received from that peer for that collection, or 0 when none is recorded.
func (s *Store) Cursor(ctx context.Context, peer, collection string) (Label, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var l Label
	err := s.view(func(txn *badger.Txn, _ Label) error {
		n, err := getUintOrZero(txn, cursorKey(peer, collection))
		l = Label(n)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cursor of %q for %q: %w", peer, collection, dbErr(err))
	}
	return l, nil
}

// SetCursor records l as the catch-up cursor of (peer, collection). The
// record is durable when SetCursor returns. It returns an error wrapping
// ErrInvalid for an empty or malformed peer or collection, or a negative
// label.
func (s *Store) SetCursor(ctx context.Context, peer, collection string, l Label) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := errors.Join(checkName("peer", peer), checkName("collection name", collection))
	if err == nil && l < 0 {
		err = invalidf("negative label %d", l)
	}
	if err != nil {
		return fmt.Errorf("set cursor: %w", err)
	}
	err = s.update(func(txn *badger.Txn) error {
		return txn.Set(cursorKey(peer, collection), encodeLabel(l))
	})
	if err != nil {
		return fmt.Errorf("set cursor of %q for %q: %w", peer, collection, err)
	}
	return nil
}
