package peer

import (
	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	ma "github.com/multiformats/go-multiaddr"
)

// gater refuses every connection with a peer the Authorizer does not trust,
// in both directions, and every dial to an address the operator did not
// give for that peer. Inbound connections are checked once the secure
// handshake has told who the remote is; the dialer on the other side then
// sees its connection close, not an error.
type gater struct {
	h *Host
}

func (g *gater) InterceptPeerDial(p ID) bool {
	if g.h.auth.Trusted(p) {
		return true
	}
	g.h.stats.refusedDials.Add(1)
	return false
}

func (g *gater) InterceptAddrDial(p ID, addr ma.Multiaddr) bool {
	if g.h.auth.Trusted(p) && g.h.configuredAddr(p, addr) {
		return true
	}
	g.h.stats.refusedDials.Add(1)
	return false
}

func (g *gater) InterceptAccept(network.ConnMultiaddrs) bool { return true }

func (g *gater) InterceptSecured(_ network.Direction, p ID, _ network.ConnMultiaddrs) bool {
	if g.h.auth.Trusted(p) {
		return true
	}
	g.h.stats.refusedConns.Add(1)
	g.h.log.Debug("connection refused", "peer", p)
	return false
}

func (g *gater) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) {
	return true, 0
}
