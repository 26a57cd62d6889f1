package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Label is a timestamp label: microseconds since 1970-01-01T00:00:00Z, UTC.
// The store assigns labels that are strictly increasing across the whole
// node, also across restarts: label = max(now, last+1µs). A label is
// therefore a cursor into this node's store.
type Label int64

// LabelOf returns the label of t, truncated to the microsecond. The zero
// time gives label 0.
func LabelOf(t time.Time) Label {
	if t.IsZero() {
		return 0
	}
	return Label(t.UnixMicro())
}

// Time returns the instant of l in UTC. Label 0 gives the zero time.Time.
func (l Label) Time() time.Time {
	if l == 0 {
		return time.Time{}
	}
	return time.UnixMicro(int64(l)).UTC()
}

// String formats l as an RFC 3339 timestamp with microseconds.
func (l Label) String() string {
	if l == 0 {
		return "0"
	}
	return l.Time().Format("2006-01-02T15:04:05.000000Z07:00")
}

// Hash is the SHA-256 digest of a block's content bytes.
type Hash [32]byte

// HashOf returns the SHA-256 digest of content.
func HashOf(content []byte) Hash {
	return Hash(sha256.Sum256(content))
}

// String returns h in lower-case hexadecimal.
func (h Hash) String() string {
	return hex.EncodeToString(h[:])
}

// ParseHash decodes the hexadecimal form that Hash.String produces. It
// returns an error wrapping ErrInvalid for anything else.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, invalidf("hash %q: want %d hex digits", s, 2*len(h))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return Hash{}, fmt.Errorf("%w: hash %q: %v", ErrInvalid, s, err)
	}
	return h, nil
}

// Range selects labels l with After < l <= Until. Until == 0 means no upper
// bound; the zero Range selects everything.
type Range struct{ After, Until Label }

// bounds returns the first and last label r selects, with last clamped to
// the visible watermark. ok is false when r selects nothing.
func (r Range) bounds(watermark Label) (first, last Label, ok bool) {
	if r.Until < 0 {
		return 0, 0, false
	}
	last = watermark
	if r.Until != 0 && r.Until < last {
		last = r.Until
	}
	after := max(r.After, 0)
	if after >= last {
		return 0, 0, false
	}
	return after + 1, last, true
}

// Ways a block reaches the store, for Origin.Via.
const (
	// ViaInbox: an Inbox Message over HTTP or libp2p, or the local operator.
	ViaInbox = "inbox"
	// ViaGossip: a message on the collection's gossip topic.
	ViaGossip = "gossip"
	// ViaPoll: a Poll Response this node asked a peer for (catch-up).
	ViaPoll = "poll"
	// ViaSubscription: an Inbox Message a peer pushed for a subscription.
	ViaSubscription = "subscription"
)

// Origin records where a block came from, so an operator can answer "where
// did this come from".
type Origin struct {
	// Via is how the block arrived: ViaInbox, ViaGossip, ViaPoll or
	// ViaSubscription.
	Via string
	// From is the peer ID or HTTP account that handed the block over; ""
	// for the local operator.
	From string
	// Author is, for gossip, the peer ID that signed the message.
	Author string
}

// validVia reports whether v is one of the Via constants.
func validVia(v string) bool {
	switch v {
	case ViaInbox, ViaGossip, ViaPoll, ViaSubscription:
		return true
	}
	return false
}
