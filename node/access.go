package node

import (
	"fmt"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/trust"
)

// policy turns the peers and accounts of the settings into a trust policy.
func (s *Settings) policy() (trust.Policy, error) {
	var p trust.Policy
	for _, ps := range s.Peers {
		if _, err := peer.ParseID(ps.ID); err != nil {
			return p, fmt.Errorf("peer %s: peer ID %q: %w", ps.Name, ps.ID, err)
		}
		p.Peers = append(p.Peers, trust.PeerEntry{
			Name:   ps.Name,
			ID:     ps.ID,
			Addrs:  ps.Addrs,
			Rights: trust.NewRights(ps.Read, ps.Write),
		})
	}
	for _, a := range s.Accounts {
		p.Accounts = append(p.Accounts, trust.AccountEntry{
			Name:         a.Name,
			PasswordHash: a.PasswordHash,
			CertSHA256:   a.CertSHA256,
			CertSubjects: a.CertSubjects,
			Rights:       trust.NewRights(a.Read, a.Write),
		})
	}
	p.Anonymous = trust.NewRights(s.HTTP.Anonymous.Read, s.HTTP.Anonymous.Write)
	return p, p.Check()
}

// peerInfos returns the trusted peers with the addresses to dial them at.
// An address may end in /p2p/<peer ID>; that part is dropped.
func (s *Settings) peerInfos() []peer.Info {
	var infos []peer.Info
	for _, ps := range s.Peers {
		id, err := peer.ParseID(ps.ID)
		if err != nil {
			continue // Validate refuses such settings
		}
		info := peer.Info{ID: id}
		for _, a := range ps.Addrs {
			m, err := ma.NewMultiaddr(a)
			if err != nil {
				continue
			}
			info.Addrs = append(info.Addrs, withoutP2P(m))
		}
		infos = append(infos, info)
	}
	return infos
}

// withoutP2P drops a trailing /p2p/<peer ID> component.
func withoutP2P(m ma.Multiaddr) ma.Multiaddr {
	rest, last := ma.SplitLast(m)
	if last != nil && last.Protocol().Code == ma.P_P2P {
		return rest
	}
	return m
}

// authorizer answers the libp2p host's questions from the trust registry.
type authorizer struct{ reg *trust.Registry }

func (a authorizer) Trusted(p peer.ID) bool { return a.reg.Trusted(p.String()) }

func (a authorizer) CanRead(p peer.ID, collection string) bool {
	return a.reg.Allowed(trust.Peer(p.String()), collection, trust.Read)
}

func (a authorizer) CanWrite(p peer.ID, collection string) bool {
	return a.reg.Allowed(trust.Peer(p.String()), collection, trust.Write)
}
