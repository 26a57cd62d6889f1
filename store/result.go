package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// PutResult stores a result set kept for Poll Fulfillment under id, for
// ttl. The data is opaque to the store; a second call with the same id
// replaces it. It returns an error wrapping ErrInvalid for a malformed id
// or a ttl that is not positive, and ErrTooLarge for data over
// MaxContentSize. Result sets are not synced: a crash may lose one, and a
// Poll Fulfillment then finds it gone.
func (s *Store) PutResult(ctx context.Context, id string, data []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := checkName("result ID", id)
	switch {
	case err != nil:
	case ttl <= 0:
		err = invalidf("result time to live %v", ttl)
	case len(data) > s.MaxContentSize():
		err = fmt.Errorf("%w: result set of %d bytes, limit %d", ErrTooLarge, len(data),
			s.MaxContentSize())
	}
	if err != nil {
		return fmt.Errorf("put result: %w", err)
	}

	expiry := LabelOf(s.now().Add(ttl))
	err = s.updateVolatile(func(txn *badger.Txn) error {
		if err := txn.Set(resultKey(spaceResultData, id), data); err != nil {
			return err
		}
		return txn.Set(resultKey(spaceResultExpiry, id), encodeLabel(expiry))
	})
	if err != nil {
		return fmt.Errorf("put result %q: %w", id, err)
	}
	return nil
}

// GetResult returns the result set stored under id. It returns ErrNotFound
// when there is none or it has expired.
func (s *Store) GetResult(ctx context.Context, id string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	now := LabelOf(s.now())
	var data []byte
	err := s.view(func(txn *badger.Txn, _ Label) error {
		expiry, err := getLabel(txn, resultKey(spaceResultExpiry, id))
		if err != nil {
			return err
		}
		if expiry <= now {
			return ErrNotFound
		}
		item, err := txn.Get(resultKey(spaceResultData, id))
		if err != nil {
			return err
		}
		data, err = item.ValueCopy(nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get result %q: %w", id, dbErr(err))
	}
	return data, nil
}

// sweepResults removes the expired result sets and returns how many.
func (s *Store) sweepResults(ctx context.Context) (int, error) {
	now := LabelOf(s.now())
	var expired []string
	err := s.view(func(txn *badger.Txn, _ Label) error {
		prefix := []byte{spaceResultExpiry}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
			var expiry uint64
			err := it.Item().Value(func(v []byte) error {
				var err error
				expiry, err = decodeUint(v)
				return err
			})
			if err != nil || Label(expiry) <= now {
				expired = append(expired, string(it.Item().Key()[1:]))
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("sweep results: %w", dbErr(err))
	}

	removed := 0
	for _, id := range expired {
		gone := false
		err := s.updateVolatile(func(txn *badger.Txn) error {
			gone = false
			expiry, err := getLabel(txn, resultKey(spaceResultExpiry, id))
			if err == nil && expiry > now {
				return nil // replaced since
			}
			if err != nil && !errors.Is(err, ErrCorrupt) {
				return err
			}
			if err := txn.Delete(resultKey(spaceResultData, id)); err != nil {
				return err
			}
			gone = true
			return txn.Delete(resultKey(spaceResultExpiry, id))
		})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return removed, fmt.Errorf("sweep result %q: %w", id, err)
		}
		if err == nil && gone {
			removed++
		}
	}
	return removed, nil
}
