package peer

import "errors"

// Errors returned by a Host.
var (
	ErrFrameTooLarge  = errors.New("peer: message larger than the frame limit")
	ErrNotTrusted     = errors.New("peer: peer is not trusted")
	ErrClosed         = errors.New("peer: host closed")
	ErrNotJoined      = errors.New("peer: collection topic not joined")
	ErrPSKWithQUIC    = errors.New("peer: a pre-shared key cannot protect QUIC; listen on TCP only")
	ErrUnexpectedType = errors.New("peer: unexpected TAXII message type")
)
