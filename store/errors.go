package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Sentinel errors. Callers match them with errors.Is; the store wraps them
// with the operation and the key involved.
var (
	// ErrNotFound reports that a block, subscription, cursor or result set
	// does not exist (or a result set has expired).
	ErrNotFound = errors.New("store: record not found")
	// ErrStop is returned by a scan callback to end the scan early; the scan
	// then returns nil.
	ErrStop = errors.New("store: scan stopped")
	// ErrClosed reports a call on a store that has been closed.
	ErrClosed = errors.New("store: store closed")
	// ErrInvalid reports an argument the store refuses: an empty or
	// malformed name, a binding with several subtypes, an unknown origin.
	ErrInvalid = errors.New("store: invalid argument")
	// ErrTooLarge reports a content, a result set or a put that exceeds
	// what the store can hold (see Store.MaxContentSize).
	ErrTooLarge = errors.New("store: record too large")
	// ErrCorrupt reports a stored record that cannot be decoded.
	ErrCorrupt = errors.New("store: corrupt record")
	// ErrStorage reports a failure of the underlying database or disk. The
	// message carries the cause; the cause itself is not exposed.
	ErrStorage = errors.New("store: storage failure")
)

// invalidf returns an ErrInvalid wrapped with a description.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// dbErr translates an error from the database into one of this package's
// sentinels, so that no Badger error leaves the package. Errors that are
// already ours (or a context's) pass through unchanged.
func dbErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return ErrNotFound
	case errors.Is(err, badger.ErrDBClosed):
		return ErrClosed
	case errors.Is(err, badger.ErrTxnTooBig):
		return fmt.Errorf("%w: transaction over the database limit", ErrTooLarge)
	case isOwnError(err):
		return err
	default:
		return fmt.Errorf("%w: %v", ErrStorage, err)
	}
}

// isOwnError reports whether err is (or wraps) one of this package's
// sentinels or a context error.
func isOwnError(err error) bool {
	own := []error{
		ErrNotFound, ErrStop, ErrClosed, ErrInvalid, ErrTooLarge, ErrCorrupt,
		ErrStorage,
	}
	for _, e := range own {
		if errors.Is(err, e) {
			return true
		}
	}
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
