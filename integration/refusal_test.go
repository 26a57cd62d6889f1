package integration

import (
	"context"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// TestUntrustedNodeRefused checks that a node nobody lists cannot connect to
// A, cannot poll it, and that its gossip, relayed by a peer that does trust
// it, is never stored by A.
func TestUntrustedNodeRefused(t *testing.T) {
	all := []string{node.DefaultCollection}
	a := newNode(t, "a", nil)
	b := newNode(t, "b", nil)
	d := newNode(t, "d", nil)
	a.trust(b, all, all)
	b.trust(a, all, all)
	b.trust(d, all, all) // b trusts d, a does not
	d.trust(b, all, all)
	d.trust(a, all, all) // d lists a, to try to reach it
	waitReachable(t, a, b)
	waitReachable(t, d, b)
	waitTopics(t, []*testNode{a, b}, node.DefaultCollection)

	// D cannot talk to A: the poll fails, and A counts refused connections.
	if resp, err := request(d, a, &protocol.PollRequest{CollectionName: node.DefaultCollection,
		Parameters: &protocol.PollParameters{}}); err == nil {
		t.Fatalf("d polled a: %v", resp)
	}
	if a.node.Host().Connected(d.id()) {
		t.Error("a keeps a connection to d")
	}
	eventually(t, 5*time.Second, func() error {
		if a.node.Host().Stats().RefusedConns == 0 {
			return errString("a refused no connection")
		}
		return nil
	})

	// D's push reaches b by gossip, and b relays it to a, which ignores it.
	ignoredBefore := a.node.Host().Stats().Ignored
	blk := stixBlock(t, "from-d")
	if resp := pushMessage(t, d, &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{blk}}); !success(resp) {
		t.Fatalf("push into d: %v", resp)
	}
	h := store.HashOf(blk.Content)
	eventually(t, 5*time.Second, func() error {
		_, err := b.node.Store().Lookup(context.Background(), node.DefaultCollection, h)
		return err
	})
	eventually(t, 5*time.Second, func() error {
		if a.node.Host().Stats().Ignored == ignoredBefore {
			return errString("a never saw d's gossip")
		}
		return nil
	})
	// A control block from b reaches a, so gossip between them works.
	ctl := stixBlock(t, "from-b")
	if resp := pushMessage(t, b, &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{ctl}}); !success(resp) {
		t.Fatalf("push into b: %v", resp)
	}
	eventually(t, 5*time.Second, func() error {
		_, err := a.node.Store().Lookup(context.Background(), node.DefaultCollection, store.HashOf(ctl.Content))
		return err
	})
	if _, err := a.node.Store().Lookup(context.Background(), node.DefaultCollection, h); err == nil {
		t.Fatal("a stored d's gossip")
	}
	got, err := b.node.Store().Get(context.Background(), node.DefaultCollection, mustLookup(t, b, h))
	if err != nil {
		t.Fatal(err)
	}
	if got.Origin.Author != d.id().String() || got.Origin.Via != store.ViaGossip {
		t.Errorf("b records origin %+v, want gossip authored by d", got.Origin)
	}
}

// TestRestartKeepsContent restarts a node and checks that it kept every
// block and that its new labels stay above the old ones.
func TestRestartKeepsContent(t *testing.T) {
	a := newNode(t, "a", nil)
	files := stixFiles(t)[:20]
	pushFiles(t, a, files)
	before := a.contents(node.DefaultCollection)
	last := a.node.Store().LastLabel()
	a.restart()
	if err := sameBlocks(a.contents(node.DefaultCollection), before); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	blk := stixBlock(t, "after-restart")
	if resp := pushMessage(t, a, &protocol.InboxMessage{ContentBlocks: []protocol.ContentBlock{blk}}); !success(resp) {
		t.Fatalf("push after restart: %v", resp)
	}
	l := mustLookup(t, a, store.HashOf(blk.Content))
	if l <= last {
		t.Fatalf("label after restart %v is not above %v", l, last)
	}
}

func stixBlock(t *testing.T, id string) protocol.ContentBlock {
	t.Helper()
	b, err := protocol.NewContentBlock([]byte(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" `+
		`id="example:Package-`+id+`" version="1.2"><stix:STIX_Header><stix:Title>`+id+
		`</stix:Title></stix:STIX_Header></stix:STIX_Package>`), "")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func success(m protocol.Message) bool {
	st, ok := m.(*protocol.StatusMessage)
	return ok && st.StatusType == protocol.StatusSuccess
}

func mustLookup(t *testing.T, n *testNode, h store.Hash) store.Label {
	t.Helper()
	l, err := n.node.Store().Lookup(context.Background(), node.DefaultCollection, h)
	if err != nil {
		t.Fatalf("%s: block %s: %v", n.name, h, err)
	}
	return l
}

type errString string

func (e errString) Error() string { return string(e) }
