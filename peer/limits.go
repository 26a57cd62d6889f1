package peer

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits bound what one trusted peer may ask of a host, so that one noisy or
// broken peer cannot exhaust a node. Each limit is a token bucket per peer;
// a zero field takes its default.
type Limits struct {
	// Requests per second on /taxii/1.1/xml streams, and their burst.
	// Default 50 per second, burst 200.
	RequestRate  float64
	RequestBurst int
	// Gossip messages per second a peer may relay to us, and their burst.
	// Default 2,000 per second, burst 4,000.
	GossipRate  float64
	GossipBurst int
	// Gossip bytes per second a peer may relay to us; the burst is one
	// maximum-size message plus a second's worth. Default 64 MiB per second.
	GossipBytesRate float64
}

func (l *Limits) setDefaults() {
	if l.RequestRate <= 0 {
		l.RequestRate = 50
	}
	if l.RequestBurst <= 0 {
		l.RequestBurst = 200
	}
	if l.GossipRate <= 0 {
		l.GossipRate = 2000
	}
	if l.GossipBurst <= 0 {
		l.GossipBurst = 4000
	}
	if l.GossipBytesRate <= 0 {
		l.GossipBytesRate = 64 << 20
	}
}

// limiter keeps the token buckets of every peer.
type limiter struct {
	limits   Limits
	maxBytes int

	// mu guards peers.
	mu    sync.Mutex
	peers map[ID]*buckets
}

type buckets struct {
	requests    *rate.Limiter
	gossip      *rate.Limiter
	gossipBytes *rate.Limiter
}

func newLimiter(l Limits, maxGossip int) *limiter {
	return &limiter{limits: l, maxBytes: maxGossip, peers: make(map[ID]*buckets)}
}

func (l *limiter) of(p ID) *buckets {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.peers[p]
	if !ok {
		b = &buckets{
			requests: rate.NewLimiter(rate.Limit(l.limits.RequestRate), l.limits.RequestBurst),
			gossip:   rate.NewLimiter(rate.Limit(l.limits.GossipRate), l.limits.GossipBurst),
			gossipBytes: rate.NewLimiter(rate.Limit(l.limits.GossipBytesRate),
				int(l.limits.GossipBytesRate)+l.maxBytes),
		}
		l.peers[p] = b
	}
	return b
}

// allowRequest takes a token for one request of p. When none is left it
// returns how long until one will be.
func (l *limiter) allowRequest(p ID, _ int) (time.Duration, bool) {
	r := l.of(p).requests.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return d, false
	}
	return 0, true
}

// allowGossip takes the tokens for one gossip message of size bytes relayed
// by p, from both buckets or from neither.
func (l *limiter) allowGossip(p ID, size int) bool {
	b := l.of(p)
	now := time.Now()
	r := b.gossip.ReserveN(now, 1)
	if !r.OK() || r.DelayFrom(now) > 0 {
		r.CancelAt(now)
		return false
	}
	if !b.gossipBytes.AllowN(now, size) {
		r.CancelAt(now)
		return false
	}
	return true
}

// forget drops the buckets of a peer that is no longer trusted.
func (l *limiter) forget(p ID) {
	l.mu.Lock()
	delete(l.peers, p)
	l.mu.Unlock()
}
