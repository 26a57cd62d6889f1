package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

var def = []string{node.DefaultCollection}

// pushBlock pushes one STIX block into a node and returns its hash.
func pushBlock(t *testing.T, n *testNode, title string) store.Hash {
	t.Helper()
	b := stixBlock(t, title)
	if resp := pushMessage(t, n, &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{b}}); !success(resp) {
		t.Fatalf("push into %s: %v", n.name, resp)
	}
	return store.HashOf(b.Content)
}

// has reports whether a node holds a block.
func has(n *testNode, h store.Hash) bool {
	_, err := n.node.Store().Lookup(context.Background(), node.DefaultCollection, h)
	return err == nil
}

// waitHas waits until every node holds every block.
func waitHas(t *testing.T, nodes []*testNode, hashes ...store.Hash) {
	t.Helper()
	eventually(t, 15*time.Second, func() error {
		for _, n := range nodes {
			for _, h := range hashes {
				if !has(n, h) {
					return fmt.Errorf("%s lacks block %s", n.name, h)
				}
			}
		}
		return nil
	})
}

// TestPeerToPeer: five nodes trust each other fully; every node pushes and
// every node ends with every block exactly once.
func TestPeerToPeer(t *testing.T) {
	nodes := mesh(t, "n1", "n2", "n3", "n4", "n5")
	var hashes []store.Hash
	for round := range 4 {
		for _, n := range nodes {
			hashes = append(hashes, pushBlock(t, n, fmt.Sprintf("%s-%d", n.name, round)))
		}
	}
	waitHas(t, nodes, hashes...)
	for _, n := range nodes {
		if got := n.count(node.DefaultCollection); got != uint64(len(hashes)) {
			t.Errorf("%s holds %d blocks, want %d, each once", n.name, got, len(hashes))
		}
	}
}

// TestSourceAndSubscribers: the source's subscribers may read but not
// write; what they push is refused at the source and reaches no other
// subscriber.
func TestSourceAndSubscribers(t *testing.T) {
	src := newNode(t, "source", nil)
	subs := []*testNode{newNode(t, "sub1", nil), newNode(t, "sub2", nil), newNode(t, "sub3", nil)}
	for _, s := range subs {
		src.trust(s, def, nil) // subscribers read the source
		s.trust(src, def, def) // the source writes to its subscribers
	}
	// sub1 even lets the source read it, so that its gossip reaches the
	// source: the source must still refuse it.
	subs[0].edit(func(st *node.Settings) { st.Peers[0].Read = def })
	for _, s := range subs {
		waitReachable(t, s, src)
	}
	waitTopics(t, []*testNode{src, subs[0]}, node.DefaultCollection)

	fromSource := pushBlock(t, src, "from the source")
	waitHas(t, subs, fromSource)

	ignored := src.node.Host().Stats().Ignored
	fromSub := pushBlock(t, subs[0], "from a subscriber")
	eventually(t, 5*time.Second, func() error {
		if src.node.Host().Stats().Ignored == ignored {
			return errString("the source never saw the subscriber's gossip")
		}
		return nil
	})
	// Pushed straight to the source's inbox over libp2p, it is refused too.
	resp, _ := request(subs[0], src, &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{
		stixBlock(t, "pushed to the source")}})
	if st, ok := resp.(*protocol.StatusMessage); !ok || st.StatusType != protocol.StatusUnauthorized {
		t.Errorf("a subscriber's push to the source answered %v, want UNAUTHORIZED", resp)
	}
	time.Sleep(300 * time.Millisecond) // room for any wrong delivery
	for _, n := range []*testNode{src, subs[1], subs[2]} {
		if has(n, fromSub) {
			t.Errorf("%s stored the subscriber's block", n.name)
		}
	}
}

// hubAndSpokes starts a hub whose collection re-shares what the spokes push
// (optionally filtered by a Default Query file) and spokes that list only
// the hub.
func hubAndSpokes(t *testing.T, n int, reshareQuery string) (*testNode, []*testNode) {
	t.Helper()
	hub := newNode(t, "hub", func(s *node.Settings) {
		c, _ := s.Collection(node.DefaultCollection)
		c.Reshare = true
		c.ReshareQuery = reshareQuery
	})
	var spokes []*testNode
	for i := range n {
		s := newNode(t, fmt.Sprintf("spoke%d", i+1), nil)
		hub.trust(s, def, def)
		s.trust(hub, def, def)
		spokes = append(spokes, s)
	}
	for _, s := range spokes {
		waitReachable(t, s, hub)
		waitTopics(t, []*testNode{hub, s}, node.DefaultCollection)
	}
	return hub, spokes
}

// TestHubAndSpoke: spokes that never met receive each other's content, with
// the hub as author.
func TestHubAndSpoke(t *testing.T) {
	hub, spokes := hubAndSpokes(t, 4, "")
	var hashes []store.Hash
	for _, s := range spokes {
		hashes = append(hashes, pushBlock(t, s, "from "+s.name))
	}
	waitHas(t, append([]*testNode{hub}, spokes...), hashes...)
	for i, s := range spokes {
		for j, h := range hashes {
			if i == j {
				continue
			}
			b, err := s.node.Store().Get(context.Background(), node.DefaultCollection, mustLookup(t, s, h))
			if err != nil {
				t.Fatal(err)
			}
			if b.Origin.From != hub.id().String() {
				t.Errorf("%s got %s's block from %s, want the hub", s.name, spokes[j].name, b.Origin.From)
			}
		}
		for _, other := range spokes {
			if other != s && s.node.Host().Connected(other.id()) {
				t.Errorf("%s and %s are connected; spokes only know the hub", s.name, other.name)
			}
		}
	}
}

// TestRelayKeepsAnAuthorsRefusal: a spoke that lists another spoke without
// rights refuses its content when the hub passes it on, by gossip and by
// catch-up alike, while other spokes receive it.
func TestRelayKeepsAnAuthorsRefusal(t *testing.T) {
	hub, spokes := hubAndSpokes(t, 3, "")
	author, refuser, other := spokes[0], spokes[1], spokes[2]
	refuser.edit(func(s *node.Settings) {
		s.Peers = append(s.Peers, node.PeerSettings{Name: author.name, ID: author.id().String()})
	})
	gossiped := pushBlock(t, author, "gossiped through the hub")
	waitHas(t, []*testNode{other}, gossiped)

	refuser.node.Host().Disconnect(hub.id())
	polled := pushBlock(t, author, "fetched by catch-up")
	waitHas(t, []*testNode{other}, polled)
	waitReachable(t, refuser, hub)
	// A block of the hub's own, pushed last, marks that the refuser is
	// up to date with the hub.
	mark := pushBlock(t, hub, "the hub's own")
	waitHas(t, []*testNode{refuser}, mark)
	for _, h := range []store.Hash{gossiped, polled} {
		if has(refuser, h) {
			t.Errorf("%s stored block %s of %s, which it lists without rights", refuser.name, h, author.name)
		}
	}
}

// TestHubReshareFilter: the hub re-shares only content matching its
// Default Query; the rest stays at the hub.
func TestHubReshareFilter(t *testing.T) {
	q := `<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1"
	  targeting_expression_id="urn:stix.mitre.org:xml:1.2">
	  <tdq:Criteria operator="AND"><tdq:Criterion>
	    <tdq:Target>STIX_Package/STIX_Header/Title</tdq:Target>
	    <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="begins_with">
	      <tdq:Parameter name="case_sensitive">false</tdq:Parameter>
	      <tdq:Parameter name="value">TLP:GREEN</tdq:Parameter>
	    </tdq:Test></tdq:Criterion></tdq:Criteria></tdq:Default_Query>`
	file := filepath.Join(t.TempDir(), "share.xml")
	if err := os.WriteFile(file, []byte(q), 0o644); err != nil {
		t.Fatal(err)
	}
	hub, spokes := hubAndSpokes(t, 3, file)
	green := pushBlock(t, spokes[0], "tlp:green phishing domains")
	amber := pushBlock(t, spokes[0], "TLP:AMBER internal incident")
	own := pushBlock(t, hub, "TLP:AMBER from the hub itself")
	waitHas(t, spokes, green, own)
	waitHas(t, []*testNode{hub}, amber)

	// Catch-up does not go round the filter: spokes reconnect, which makes
	// them poll the hub for everything since their cursors.
	for _, s := range spokes[1:] {
		s.node.Host().Disconnect(hub.id())
	}
	late := pushBlock(t, spokes[0], "TLP:GREEN after the reconnection")
	waitHas(t, spokes, late)
	time.Sleep(500 * time.Millisecond)
	for _, s := range spokes[1:] {
		if has(s, amber) {
			t.Errorf("%s received the block the hub's filter keeps back", s.name)
		}
	}
}

// TestLargeBlock pushes a 20 MB block: too large for gossip, it travels by
// announcement and poll and arrives intact on every peer.
func TestLargeBlock(t *testing.T) {
	if testing.Short() {
		t.Skip("20 MB through three nodes")
	}
	nodes := mesh(t, "a", "b", "c")
	big := make([]byte, 0, 20<<20)
	big = append(big, `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.2"><stix:STIX_Header>`...)
	for i := 0; len(big) < 20<<20; i++ {
		big = fmt.Appendf(big, "<stix:Description>line %d of a very long report</stix:Description>", i)
	}
	big = append(big, `</stix:STIX_Header></stix:STIX_Package>`...)
	blk := protocol.ContentBlock{Binding: protocol.ContentBinding{BindingID: protocol.BindingSTIX12},
		Content: big, IsXML: true}
	if resp := pushMessage(t, nodes[0], &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{blk}}); !success(resp) {
		t.Fatalf("push: %v", resp)
	}
	h := store.HashOf(big)
	waitHas(t, nodes, h)
	for _, n := range nodes[1:] {
		b, err := n.node.Store().Get(context.Background(), node.DefaultCollection, mustLookup(t, n, h))
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Content) != len(big) || store.HashOf(b.Content) != h {
			t.Errorf("%s holds %d bytes, want the %d sent", n.name, len(b.Content), len(big))
		}
	}
}

// TestEscapedTextNearTheGossipLimit: text content grows when escaped into
// XML, so blocks that are small as stored can make a gossip message too
// large for pubsub. They still arrive at once, each in its own message or
// by announcement and poll, not a catch-up interval later.
func TestEscapedTextNearTheGossipLimit(t *testing.T) {
	nodes := mesh(t, "a", "b")
	text := func(i, kib int) protocol.ContentBlock {
		content := fmt.Appendf(nil, `{"type": "note", "id": "note--%d", "content": "`, i)
		content = append(content, bytes.Repeat([]byte("&"), kib<<10)...)
		content = append(content, `"}`...)
		return protocol.ContentBlock{Binding: protocol.ContentBinding{BindingID: protocol.BindingSTIX21JSON},
			Content: content}
	}
	// Three blocks whose escapes make each 3 MiB of the 4 MiB gossip
	// allows, and one whose escapes make it 7.5 MiB.
	blocks := []protocol.ContentBlock{text(1, 600), text(2, 600), text(3, 600), text(4, 1536)}
	if resp := pushMessage(t, nodes[0], &protocol.InboxMessage{ContentBlocks: blocks}); !success(resp) {
		t.Fatalf("push: %v", resp)
	}
	var hashes []store.Hash
	for _, b := range blocks {
		hashes = append(hashes, store.HashOf(b.Content))
	}
	waitHas(t, nodes[1:], hashes...)
}
