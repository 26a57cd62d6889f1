package peer

import (
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	libp2pprotocol "github.com/libp2p/go-libp2p/core/protocol"
)

// Stats counts what a host did since it started. Dropped and Undeliverable
// are pubsub's silent losses: a non-zero value means gossip lost messages
// that catch-up will have to repair.
type Stats struct {
	Published     uint64 // gossip messages this host published
	Accepted      uint64 // gossip messages stored and relayed
	Ignored       uint64 // gossip from unknown authors or not stored
	Rejected      uint64 // malformed gossip
	Duplicates    uint64 // gossip copies seen before
	Dropped       uint64 // pubsub RPCs dropped because a peer's queue was full
	Undeliverable uint64 // messages dropped because a subscriber's queue was full
	Throttled     uint64 // requests and gossip over a peer's limits
	Requests      uint64 // requests answered on streams
	Malformed     uint64 // requests refused unread or undecoded, before any handler
	RefusedConns  uint64 // inbound connections from untrusted peers
	RefusedDials  uint64 // dials to untrusted peers or unlisted addresses
}

type stats struct {
	published, accepted, ignored, rejected, duplicates atomic.Uint64
	dropped, undeliverable, throttled, requests        atomic.Uint64
	malformed                                          atomic.Uint64
	refusedConns, refusedDials                         atomic.Uint64
}

// Stats returns the host's counters.
func (h *Host) Stats() Stats {
	s := h.stats
	return Stats{
		Published:     s.published.Load(),
		Accepted:      s.accepted.Load(),
		Ignored:       s.ignored.Load(),
		Rejected:      s.rejected.Load(),
		Duplicates:    s.duplicates.Load(),
		Dropped:       s.dropped.Load(),
		Undeliverable: s.undeliverable.Load(),
		Throttled:     s.throttled.Load(),
		Requests:      s.requests.Load(),
		Malformed:     s.malformed.Load(),
		RefusedConns:  s.refusedConns.Load(),
		RefusedDials:  s.refusedDials.Load(),
	}
}

// tracer counts pubsub events, above all the drops pubsub otherwise only
// logs at debug level.
type tracer struct{ s *stats }

func (t tracer) AddPeer(ID, libp2pprotocol.ID)                   {}
func (t tracer) RemovePeer(ID)                                   {}
func (t tracer) Join(string)                                     {}
func (t tracer) Leave(string)                                    {}
func (t tracer) Graft(ID, string)                                {}
func (t tracer) Prune(ID, string)                                {}
func (t tracer) ValidateMessage(*pubsub.Message)                 {}
func (t tracer) DeliverMessage(*pubsub.Message)                  {}
func (t tracer) RejectMessage(*pubsub.Message, string)           {}
func (t tracer) ThrottlePeer(ID)                                 {}
func (t tracer) RecvRPC(*pubsub.RPC)                             {}
func (t tracer) SendRPC(*pubsub.RPC, ID)                         {}
func (t tracer) SendRPCCompleted(*pubsub.RPC, ID, time.Duration) {}
func (t tracer) OnNewOutboundStream(ID, libp2pprotocol.ID)       {}
func (t tracer) OnClosedOutboundStream(ID)                       {}

func (t tracer) DuplicateMessage(*pubsub.Message)     { t.s.duplicates.Add(1) }
func (t tracer) DropRPC(*pubsub.RPC, ID)              { t.s.dropped.Add(1) }
func (t tracer) UndeliverableMessage(*pubsub.Message) { t.s.undeliverable.Add(1) }
