package integration

import (
	"fmt"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// pushMany pushes n distinct blocks into a node, perMsg blocks per Inbox
// Message, and returns their hashes.
func pushMany(t *testing.T, tn *testNode, prefix string, n, perMsg int) []store.Hash {
	t.Helper()
	var hashes []store.Hash
	for i := 0; i < n; i += perMsg {
		var blocks []protocol.ContentBlock
		for j := i; j < min(i+perMsg, n); j++ {
			b := stixBlock(t, fmt.Sprintf("%s-%d", prefix, j))
			blocks = append(blocks, b)
			hashes = append(hashes, store.HashOf(b.Content))
		}
		if resp := pushMessage(t, tn, &protocol.InboxMessage{ContentBlocks: blocks}); !success(resp) {
			t.Fatalf("push into %s: %v", tn.name, resp)
		}
	}
	return hashes
}

// TestCatchUpAfterOutage: C is down while A and B take content; when it
// comes back it polls them and holds every block once.
func TestCatchUpAfterOutage(t *testing.T) {
	nodes := mesh(t, "a", "b", "c")
	a, b, c := nodes[0], nodes[1], nodes[2]
	c.pinPorts()
	before := pushBlock(t, a, "before the outage")
	waitHas(t, nodes, before)

	c.stop()
	hashes := append(pushMany(t, a, "while c is down on a", 1000, 50),
		pushMany(t, b, "while c is down on b", 100, 10)...)
	hashes = append(hashes, before)
	waitHas(t, []*testNode{a, b}, hashes...)

	start := time.Now()
	c.start()
	waitHas(t, []*testNode{c}, hashes...)
	t.Logf("c caught up %d blocks in %v", len(hashes), time.Since(start).Round(time.Millisecond))
	if got := c.count(node.DefaultCollection); got != uint64(len(hashes)) {
		t.Errorf("c holds %d blocks, want %d, each once", got, len(hashes))
	}
}

// TestPartitionHeals: A is cut off from B and C while both sides take
// content; once the partition heals, all three hold the union.
func TestPartitionHeals(t *testing.T) {
	nodes := mesh(t, "a", "b", "c")
	a, b, c := nodes[0], nodes[1], nodes[2]
	var saved = map[*testNode][]node.PeerSettings{}
	cut := func(n *testNode, from ...*testNode) {
		n.edit(func(s *node.Settings) {
			saved[n] = append([]node.PeerSettings(nil), s.Peers...)
			var kept []node.PeerSettings
			for _, p := range s.Peers {
				drop := false
				for _, f := range from {
					drop = drop || p.ID == f.id().String()
				}
				if !drop {
					kept = append(kept, p)
				}
			}
			s.Peers = kept
		})
	}
	cut(a, b, c)
	cut(b, a)
	cut(c, a)
	eventually(t, 5*time.Second, func() error {
		if a.node.Host().Connected(b.id()) || a.node.Host().Connected(c.id()) {
			return errString("a is still connected")
		}
		return nil
	})

	onA := pushMany(t, a, "side a", 40, 10)
	onB := pushMany(t, b, "side b", 40, 10)
	waitHas(t, []*testNode{b, c}, onB...)
	for _, h := range onB {
		if has(a, h) {
			t.Fatal("content crossed the partition")
		}
	}

	for _, n := range []*testNode{a, b, c} {
		n.edit(func(s *node.Settings) { s.Peers = saved[n] })
	}
	waitHas(t, nodes, append(onA, onB...)...)
	for _, n := range nodes {
		if got := n.count(node.DefaultCollection); got != 80 {
			t.Errorf("%s holds %d blocks, want 80", n.name, got)
		}
	}
}
