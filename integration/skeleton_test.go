package integration

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// TestThreeNodesShareSTIX pushes every STIX 1.x document of the test data
// into A through the TAXII HTTP binding, sees B and C store every block byte
// for byte, and polls C over libp2p from A.
func TestThreeNodesShareSTIX(t *testing.T) {
	start := time.Now()
	nodes := mesh(t, "a", "b", "c")
	a, b, c := nodes[0], nodes[1], nodes[2]
	files := stixFiles(t)
	want := expectedBlocks(t, files)

	ctx := context.Background()
	pushed := time.Now()
	pushFiles(t, a, files)
	if err := sameBlocks(a.contents(node.DefaultCollection), want); err != nil {
		t.Fatalf("a after push: %v", err)
	}
	for _, n := range []*testNode{b, c} {
		eventually(t, 10*time.Second, func() error {
			return sameBlocks(n.contents(node.DefaultCollection), want)
		})
	}
	t.Logf("%d blocks (%d pushes) on b and c %v after the first push",
		len(want), len(files), time.Since(pushed).Round(time.Millisecond))

	// A polls C over libp2p, through its operator's peer endpoint.
	got := make(map[store.Hash][]byte)
	res, err := a.client().Poll(ctx, node.PollOptions{Collection: node.DefaultCollection,
		Peer: c.id().String()}, func(blk *node.Block) error {
		got[store.HashOf(blk.Content)] = blk.Content
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := sameBlocks(got, want); err != nil {
		t.Fatalf("poll of c from a: %v", err)
	}
	if res.Count != uint64(len(want)) {
		t.Errorf("Record_Count %d, want %d", res.Count, len(want))
	}
	t.Logf("three-node test took %v", time.Since(start).Round(time.Millisecond))
}

// TestPushToStoredLatency measures, block by block, the time from a push on
// A answered SUCCESS to the block stored on C.
func TestPushToStoredLatency(t *testing.T) {
	nodes := mesh(t, "a", "b", "c")
	a, c := nodes[0], nodes[2]
	doc, err := protocol.NewContentBlock([]byte(`<STIX_Package xmlns="http://stix.mitre.org/stix-1" version="1.2"/>`), "")
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 20
	var total, worst time.Duration
	for i := range rounds {
		blk := doc
		blk.Content = []byte(`<STIX_Package xmlns="http://stix.mitre.org/stix-1" version="1.2" id="x:` +
			time.Now().Format(time.RFC3339Nano) + `"/>`)
		h := store.HashOf(blk.Content)
		inbox := &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{blk}}
		resp := pushMessage(t, a, inbox)
		if st, ok := resp.(*protocol.StatusMessage); !ok || st.StatusType != protocol.StatusSuccess {
			t.Fatalf("round %d: push answered %v", i, resp)
		}
		acked := time.Now()
		for {
			if _, err := c.node.Store().Lookup(context.Background(), node.DefaultCollection, h); err == nil {
				break
			}
			if time.Since(acked) > 5*time.Second {
				t.Fatalf("round %d: block not on c after 5 s", i)
			}
			time.Sleep(100 * time.Microsecond)
		}
		d := time.Since(acked)
		total += d
		worst = max(worst, d)
	}
	t.Logf("push answered on a -> stored on c: mean %v, worst %v over %d blocks",
		(total / rounds).Round(time.Microsecond), worst.Round(time.Microsecond), rounds)
}

// pushMessage sends an Inbox Message to a node's HTTP binding as its
// operator.
func pushMessage(t *testing.T, n *testNode, m *protocol.InboxMessage) protocol.Message {
	t.Helper()
	m.MessageID = protocol.NewMessageID(protocol.V11)
	resp, err := n.client().Send(context.Background(), protocol.ServiceInbox, "", m)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// pushFiles pushes each file into a node's default collection through its
// HTTP binding, as `taxiinode push` does. A document whose binding cannot be
// sniffed (a STIX package without a version) is pushed as STIX 1.2, as a
// user would with --binding.
func pushFiles(t *testing.T, n *testNode, files []string) {
	t.Helper()
	for _, f := range files {
		binding := ""
		if doc, err := os.ReadFile(f); err == nil {
			if _, err := protocol.NewContentBlock(doc, ""); err != nil {
				binding = protocol.BindingSTIX12
			}
		}
		results, err := n.client().Push(context.Background(), node.DefaultCollection, binding, []string{f})
		if err != nil {
			t.Fatal(err)
		}
		if r := results[0]; !r.Stored() {
			t.Fatalf("push of %s: %s %s", r.File, r.Status, r.Message)
		}
	}
}
