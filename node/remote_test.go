package node

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
)

// remote is a bare libp2p host that plays another TAXII party in tests: it
// trusts one node, joins no topic and answers requests with serve.
type remote struct {
	host  *peer.Host
	trust peer.ID
	serve func(req protocol.Message) protocol.Message
}

func (r *remote) Trusted(p peer.ID) bool                      { return p == r.trust }
func (r *remote) CanRead(peer.ID, string) bool                { return true }
func (r *remote) CanWrite(peer.ID, string) bool               { return true }
func (r *remote) Deliver(context.Context, *peer.Gossip) error { return nil }

func (r *remote) ServeTAXII(_ context.Context, _ peer.ID, req protocol.Message) protocol.Message {
	resp := r.serve(req)
	h := resp.Head()
	h.MessageID, h.InResponseTo = protocol.NewMessageID(protocol.V11), req.Head().MessageID
	return resp
}

// startRemote starts a remote that h trusts, with the given rights on the
// default collection, and returns its host.
func startRemote(t *testing.T, h *harness, serve func(protocol.Message) protocol.Message,
	rights RightsSettings) *peer.Host {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	r := &remote{trust: h.n.ID(), serve: serve}
	r.host, err = peer.New(peer.Config{Key: key, Listen: []string{"/ip4/127.0.0.1/tcp/0"}}, r, r)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.host.Close() })
	h.edit(func(st *Settings) {
		st.Peers = append(st.Peers, PeerSettings{Name: "remote", ID: r.host.ID().String(),
			Addrs: addrStrings(r.host.Addrs()), RightsSettings: rights})
	})
	return r.host
}
