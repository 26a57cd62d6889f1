package peer

import (
	"context"
	"sync"
	"time"

	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	ma "github.com/multiformats/go-multiaddr"
)

// Redial backoff bounds for trusted peers that are not connected.
const (
	minRedial   = 500 * time.Millisecond
	maxRedial   = 30 * time.Second
	dialTimeout = 10 * time.Second
)

const protectTag = "taxiinode-trusted"

// maxDirectPeers is how many trusted peers a host takes as gossipsub direct
// peers. A direct peer gets every message at once, even before the mesh
// forms, which suits a small circle of peers; in a larger one every node
// would send every message to every other (on 30 nodes, p99 latency went
// from under 100 ms to 500 ms), so beyond this the gossipsub mesh relays.
const maxDirectPeers = 6

// dialState is what the host knows about one trusted peer.
type dialState struct {
	info    Info
	backoff time.Duration
	next    time.Time
	lastErr string // why the last dial failed; "" after a success
}

// SetPeers makes peers the set of trusted peers to stay connected with.
// Peers that are no longer listed are disconnected; new ones are dialed at
// once. The Authorizer must already reflect the same set, since it is what
// gates connections.
func (h *Host) SetPeers(peers []Info) {
	want := make(map[ID]Info, len(peers))
	for _, p := range peers {
		if p.ID != h.ID() {
			want[p.ID] = p
		}
	}

	h.mu.Lock()
	var gone []ID
	for id := range h.peers {
		if _, ok := want[id]; !ok {
			gone = append(gone, id)
			delete(h.peers, id)
		}
	}
	for id, info := range want {
		prev := h.peers[id]
		h.peers[id] = &dialState{info: info, backoff: minRedial}
		if prev != nil {
			h.peers[id].lastErr = prev.lastErr
		}
	}
	h.mu.Unlock()

	for _, id := range gone {
		h.forget(id)
	}
	direct := len(want) <= maxDirectPeers
	for id, info := range want {
		h.host.Peerstore().SetAddrs(id, info.Addrs, peerstore.PermanentAddrTTL)
		h.host.ConnManager().Protect(id, protectTag)
		var err error
		if direct {
			err = h.ps.AddDirectPeer(infoAddrs(info))
		} else {
			err = h.ps.RemoveDirectPeer(id)
		}
		if err != nil {
			h.log.Warn("direct peering not changed", "peer", id, "err", err)
		}
	}
	h.kickDialer()
}

// Disconnect closes every connection to p. A trusted peer is dialed again
// and, on reconnecting, is filtered anew for each topic; that is how a
// revoked read right takes effect on topics it had already joined.
func (h *Host) Disconnect(p ID) {
	if err := h.host.Network().ClosePeer(p); err != nil {
		h.log.Debug("close peer", "peer", p, "err", err)
	}
	h.kickDialer()
}

func (h *Host) forget(id ID) {
	if err := h.ps.RemoveDirectPeer(id); err != nil {
		h.log.Debug("remove direct peer", "peer", id, "err", err)
	}
	h.limits.forget(id)
	h.host.ConnManager().Unprotect(id, protectTag)
	h.host.Peerstore().ClearAddrs(id)
	if err := h.host.Network().ClosePeer(id); err != nil {
		h.log.Debug("close peer", "peer", id, "err", err)
	}
	h.log.Info("peer disconnected", "peer", id)
}

// configuredAddr reports whether addr is one the operator gave for p.
func (h *Host) configuredAddr(p ID, addr ma.Multiaddr) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.peers[p]
	if !ok {
		return false
	}
	for _, a := range st.info.Addrs {
		if a.Equal(addr) {
			return true
		}
	}
	return false
}

func (h *Host) kickDialer() {
	select {
	case h.redial <- struct{}{}:
	default:
	}
}

// dialLoop keeps trusted peers with addresses connected, redialing each
// with exponential backoff.
func (h *Host) dialLoop(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.redial:
			h.resetBackoff()
		case <-t.C:
		}
		wait := h.dialDue(ctx)
		t.Reset(wait)
	}
}

func (h *Host) resetBackoff() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, st := range h.peers {
		st.next = time.Time{}
	}
}

// dialDue dials every peer whose turn has come and returns how long to
// wait before the next one is due.
func (h *Host) dialDue(ctx context.Context) time.Duration {
	now := time.Now()
	var due []Info
	wait := maxRedial
	h.mu.Lock()
	for id, st := range h.peers {
		if len(st.info.Addrs) == 0 || h.Connected(id) {
			st.backoff = minRedial
			continue
		}
		if st.next.After(now) {
			wait = min(wait, st.next.Sub(now))
			continue
		}
		due = append(due, st.info)
		st.next = now.Add(st.backoff)
		wait = min(wait, st.backoff)
		st.backoff = min(2*st.backoff, maxRedial)
	}
	h.mu.Unlock()

	var wg sync.WaitGroup
	for _, info := range due {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dctx, cancel := context.WithTimeout(ctx, dialTimeout)
			defer cancel()
			err := h.host.Connect(dctx, infoAddrs(info))
			h.dialed(info.ID, err)
		}()
	}
	wg.Wait()
	return wait
}

// dialed records the outcome of a dial. The first failure after a success
// is logged at info level, so that an operator sees why a peer stays
// unconnected (no route, another pre-shared key, an impostor at the
// address); repeats are logged at debug level.
func (h *Host) dialed(id ID, err error) {
	h.mu.Lock()
	st, ok := h.peers[id]
	first := ok && st.lastErr == "" && err != nil
	if ok {
		st.lastErr = ""
		if err != nil {
			st.lastErr = err.Error()
		}
	}
	h.mu.Unlock()
	switch {
	case first:
		h.log.Info("peer not reachable", "peer", id, "err", err)
	case err != nil:
		h.log.Debug("dial failed", "peer", id, "err", err)
	}
}

// DialError returns why the last dial of a trusted peer failed, or "" when
// it succeeded or was not tried.
func (h *Host) DialError(id ID) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st, ok := h.peers[id]; ok && !h.Connected(id) {
		return st.lastErr
	}
	return ""
}

func infoAddrs(i Info) libp2ppeer.AddrInfo {
	return libp2ppeer.AddrInfo{ID: i.ID, Addrs: i.Addrs}
}
