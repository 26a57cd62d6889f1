package store

import (
	"encoding/binary"
	"unicode/utf8"
)

// Keyspaces. Every key starts with one of these bytes. Names inside a key
// (collections, peers) are written as a uvarint length followed by the
// bytes, so no name's keys can be a prefix of another name's keys whatever
// bytes the names hold; a name that ends a key is written as is.
const (
	// spaceState holds single records: the label watermark and the record
	// of a multi-transaction put in progress.
	spaceState byte = 0x01
	// spaceCollection: name -> number of blocks (8 bytes).
	spaceCollection byte = 0x02
	// spaceMeta: (collection, label) -> encoded block metadata.
	spaceMeta byte = 0x03
	// spaceContent: (collection, label) -> content bytes.
	spaceContent byte = 0x04
	// spaceHash: (collection, hash) -> label (8 bytes).
	spaceHash byte = 0x05
	// spaceSubscription: (collection, id) -> JSON subscription.
	spaceSubscription byte = 0x06
	// spaceCursor: (peer, collection) -> label (8 bytes).
	spaceCursor byte = 0x07
	// spaceResultExpiry: result id -> expiry in Unix microseconds (8 bytes).
	spaceResultExpiry byte = 0x08
	// spaceResultData: result id -> result set bytes.
	spaceResultData byte = 0x09
)

// Keys of spaceState.
var (
	keyWatermark = []byte{spaceState, 'w'}
	keyPending   = []byte{spaceState, 'p'}
)

// Limits on names, so that every key stays far below Badger's key limit and
// the bookkeeping of one put fits in one transaction.
const (
	// MaxNameLen is the longest collection name, subscription ID, peer ID
	// or result ID the store accepts, in bytes.
	MaxNameLen = 1024
	// maxPutCollections is the most distinct collections one Put may touch.
	maxPutCollections = 256
)

// checkName validates a name used in keys.
func checkName(what, name string) error {
	switch {
	case name == "":
		return invalidf("empty %s", what)
	case len(name) > MaxNameLen:
		return invalidf("%s of %d bytes, limit %d", what, len(name), MaxNameLen)
	case !utf8.ValidString(name):
		return invalidf("%s %q is not valid UTF-8", what, name)
	}
	return nil
}

// scoped returns space, then name prefixed with its length, then room for
// extra more bytes.
func scoped(space byte, name string, extra int) []byte {
	k := make([]byte, 0, 1+binary.MaxVarintLen64+len(name)+extra)
	k = append(k, space)
	k = binary.AppendUvarint(k, uint64(len(name)))
	return append(k, name...)
}

// blockKey is the key of a block's metadata or content (space is spaceMeta
// or spaceContent). Labels are written big-endian so keys sort by label.
func blockKey(space byte, collection string, l Label) []byte {
	return binary.BigEndian.AppendUint64(scoped(space, collection, 8), uint64(l))
}

// labelOfKey returns the label that ends a block key.
func labelOfKey(key []byte) Label {
	if len(key) < 8 {
		return 0
	}
	return Label(binary.BigEndian.Uint64(key[len(key)-8:]))
}

// hashKey is the key of the (collection, hash) index entry.
func hashKey(collection string, h Hash) []byte {
	return append(scoped(spaceHash, collection, len(h)), h[:]...)
}

// collectionKey is the key of a collection's block counter.
func collectionKey(collection string) []byte {
	return append([]byte{spaceCollection}, collection...)
}

// subscriptionKey is the key of one subscription.
func subscriptionKey(collection, id string) []byte {
	return append(scoped(spaceSubscription, collection, len(id)), id...)
}

// cursorKey is the key of a catch-up cursor.
func cursorKey(peer, collection string) []byte {
	return append(scoped(spaceCursor, peer, len(collection)), collection...)
}

// splitScoped parses a key made by scoped followed by a tail, returning the
// name and the tail. ok is false for a malformed key.
func splitScoped(key []byte) (name string, tail []byte, ok bool) {
	if len(key) < 2 {
		return "", nil, false
	}
	n, w := binary.Uvarint(key[1:])
	if w <= 0 || n > uint64(len(key)-1-w) {
		return "", nil, false
	}
	start := 1 + w
	end := start + int(n)
	return string(key[start:end]), key[end:], true
}

// resultKey is the key of a result set's expiry or data.
func resultKey(space byte, id string) []byte {
	return append([]byte{space}, id...)
}

// encodeUint returns n as 8 big-endian bytes, the form of labels and
// counters in values.
func encodeUint(n uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, n)
}

// encodeLabel returns l as 8 big-endian bytes.
func encodeLabel(l Label) []byte { return encodeUint(uint64(l)) }

// decodeUint reads 8 big-endian bytes.
func decodeUint(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, ErrCorrupt
	}
	return binary.BigEndian.Uint64(b), nil
}
