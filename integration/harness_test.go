package integration

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// testNode is one running node of a test mesh.
type testNode struct {
	t      testing.TB
	name   string
	dir    string
	node   *node.Node
	cancel context.CancelFunc
	done   chan error
	// onStored, when set before start, observes every durable store.
	onStored func(node.Stored)
}

// newNode initializes a data directory for a node listening on 127.0.0.1
// with ephemeral ports and lets edit change its settings before it starts.
func newNode(t testing.TB, name string, edit func(*node.Settings)) *testNode {
	t.Helper()
	return newObservedNode(t, name, edit, nil)
}

// newObservedNode is newNode with an observer of every durable store.
func newObservedNode(t testing.TB, name string, edit func(*node.Settings), onStored func(node.Stored)) *testNode {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	s, err := node.Init(dir, node.InitOptions{
		P2PListen:  []string{"/ip4/127.0.0.1/tcp/0"},
		HTTPListen: "127.0.0.1:0",
	})
	if err != nil {
		t.Fatal(err)
	}
	s.CatchUp.Interval = time.Hour // tests trigger catch-up by connecting
	if edit != nil {
		edit(s)
	}
	if err := node.SaveSettings(dir, s); err != nil {
		t.Fatal(err)
	}
	tn := &testNode{t: t, name: name, dir: dir, onStored: onStored}
	tn.start()
	t.Cleanup(tn.stop)
	return tn
}

// start opens the node in its directory and runs it.
func (tn *testNode) start() {
	tn.t.Helper()
	level := slog.LevelWarn
	if os.Getenv("TAXIINODE_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("node", tn.name)
	n, err := node.New(node.Config{Dir: tn.dir, Logger: log, OnStored: tn.onStored})
	if err != nil {
		tn.t.Fatalf("start %s: %v", tn.name, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tn.node, tn.cancel, tn.done = n, cancel, make(chan error, 1)
	go func() { tn.done <- n.Run(ctx) }()
}

// stop stops the node and waits for Run to return. Stopping twice is
// harmless.
func (tn *testNode) stop() {
	if tn.cancel == nil {
		return
	}
	tn.cancel()
	select {
	case err := <-tn.done:
		if err != nil {
			tn.t.Errorf("%s: Run: %v", tn.name, err)
		}
	case <-time.After(30 * time.Second):
		tn.t.Errorf("%s: Run did not return 30 s after its context ended", tn.name)
	}
	tn.cancel = nil
}

// restart stops the node and starts it again on the same directory and
// the same libp2p port, so that peers find it where they were told to.
func (tn *testNode) restart() {
	tn.t.Helper()
	tn.stop()
	tn.start()
}

// pinPorts makes the node's configuration listen where it listens now, so
// that a restart keeps its libp2p address.
func (tn *testNode) pinPorts() {
	tn.t.Helper()
	var listen []string
	for _, a := range tn.node.Addrs() {
		transport, _ := ma.SplitLast(a)
		listen = append(listen, transport.String())
	}
	s, err := node.LoadSettings(tn.dir)
	if err != nil {
		tn.t.Fatal(err)
	}
	s.P2P.Listen = listen
	if err := node.SaveSettings(tn.dir, s); err != nil {
		tn.t.Fatal(err)
	}
}

func (tn *testNode) id() peer.ID { return tn.node.ID() }

// addrs returns the node's libp2p addresses as strings.
func (tn *testNode) addrs() []string {
	var out []string
	for _, a := range tn.node.Addrs() {
		out = append(out, a.String())
	}
	return out
}

// edit changes the node's configuration file and applies it at once.
func (tn *testNode) edit(f func(*node.Settings)) {
	tn.t.Helper()
	s, err := node.LoadSettings(tn.dir)
	if err != nil {
		tn.t.Fatal(err)
	}
	f(s)
	if err := node.SaveSettings(tn.dir, s); err != nil {
		tn.t.Fatal(err)
	}
	tn.node.Reload()
}

// trust makes tn trust other with the given rights on collections.
func (tn *testNode) trust(other *testNode, read, write []string) {
	tn.t.Helper()
	tn.edit(func(s *node.Settings) {
		p := node.PeerSettings{Name: other.name, ID: other.id().String(), Addrs: other.addrs()}
		p.Read, p.Write = read, write
		s.Peers = append(s.Peers, p)
	})
}

// client returns an operator's client of the node.
func (tn *testNode) client() *node.Client {
	tn.t.Helper()
	c, err := node.NewClient(tn.dir)
	if err != nil {
		tn.t.Fatal(err)
	}
	return c
}

// contents returns the content of every block of a collection, keyed by
// content hash.
func (tn *testNode) contents(coll string) map[store.Hash][]byte {
	tn.t.Helper()
	out := make(map[store.Hash][]byte)
	err := tn.node.Store().Scan(context.Background(), coll, store.Range{}, func(b *store.Block) error {
		out[b.Hash] = append([]byte(nil), b.Content...)
		return nil
	})
	if err != nil {
		tn.t.Fatal(err)
	}
	return out
}

// count returns the number of blocks in a collection.
func (tn *testNode) count(coll string) uint64 {
	tn.t.Helper()
	n, err := tn.node.Store().Count(context.Background(), coll, store.Range{})
	if err != nil {
		tn.t.Fatal(err)
	}
	return n
}

// mesh starts n nodes that all trust each other with read and write on the
// default collection, and waits until every pair can talk.
func mesh(t testing.TB, names ...string) []*testNode {
	t.Helper()
	return observedMesh(t, nil, names...)
}

// observedMesh is mesh with an observer of every durable store on every
// node.
func observedMesh(t testing.TB, onStored func(string, node.Stored), names ...string) []*testNode {
	t.Helper()
	nodes := make([]*testNode, len(names))
	for i, name := range names {
		var hook func(node.Stored)
		if onStored != nil {
			hook = func(s node.Stored) { onStored(name, s) }
		}
		nodes[i] = newObservedNode(t, name, nil, hook)
	}
	all := []string{node.DefaultCollection}
	for _, a := range nodes {
		a.edit(func(s *node.Settings) {
			for _, b := range nodes {
				if a != b {
					p := node.PeerSettings{Name: b.name, ID: b.id().String(), Addrs: b.addrs()}
					p.Read, p.Write = all, all
					s.Peers = append(s.Peers, p)
				}
			}
		})
	}
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				waitReachable(t, a, b)
			}
		}
	}
	waitTopics(t, nodes, node.DefaultCollection)
	return nodes
}

// waitReachable waits until a's Discovery request to b over libp2p is
// answered: a connection that merely opened proves nothing, since a gated
// peer's dial succeeds too.
func waitReachable(t testing.TB, a, b *testNode) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		_, err := request(a, b, &protocol.DiscoveryRequest{})
		return err
	})
}

// waitTopics waits until every node sees every other on a collection's
// topic, so that gossip reaches all of them.
func waitTopics(t testing.TB, nodes []*testNode, coll string) {
	t.Helper()
	eventually(t, 10*time.Second, func() error {
		for _, n := range nodes {
			on := n.node.Host().TopicPeers(coll)
			for _, m := range nodes {
				if m != n && !slices.Contains(on, m.id()) {
					return fmt.Errorf("%s does not see %s on %s", n.name, m.name, coll)
				}
			}
		}
		return nil
	})
}

// request sends a TAXII request from a to b over libp2p and fails on a
// Status Message.
func request(a, b *testNode, m protocol.Message) (protocol.Message, error) {
	m.Head().MessageID = protocol.NewMessageID(protocol.V11)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := a.node.Host().Request(ctx, b.id(), m)
	if err != nil {
		return nil, err
	}
	if st, ok := resp.(*protocol.StatusMessage); ok {
		return resp, fmt.Errorf("status %s: %s", st.StatusType, st.Message)
	}
	return resp, nil
}

// eventually calls f until it returns nil or the time is up.
func eventually(t testing.TB, limit time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %v", limit, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stixFiles returns every STIX 1.x XML document of the test data.
func stixFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir("../testdata/stix1", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".xml") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("found %d STIX files in ../testdata/stix1, want over 100", len(files))
	}
	sort.Strings(files)
	return files
}

// expectedBlocks returns, keyed by hash, the content each file becomes when
// pushed: the document without byte-order mark or XML declaration.
func expectedBlocks(t *testing.T, files []string) map[store.Hash][]byte {
	t.Helper()
	want := make(map[store.Hash][]byte)
	for _, f := range files {
		doc, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b, err := protocol.NewContentBlock(doc, "")
		if err != nil {
			b, err = protocol.NewContentBlock(doc, protocol.BindingSTIX12)
		}
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		want[store.HashOf(b.Content)] = b.Content
	}
	return want
}

// sameBlocks reports the first difference between two sets of blocks.
func sameBlocks(got, want map[store.Hash][]byte) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d blocks, want %d", len(got), len(want))
	}
	for h, w := range want {
		g, ok := got[h]
		if !ok {
			return fmt.Errorf("block %s missing", h)
		}
		if string(g) != string(w) {
			return fmt.Errorf("block %s differs", h)
		}
	}
	return nil
}
