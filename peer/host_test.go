package peer

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/taxiinode/taxiinode/protocol"
)

// allow is an Authorizer built from plain maps, guarded by a mutex so that
// tests can change it while hosts run.
type allow struct {
	mu    sync.Mutex
	peers map[ID]bool
	read  map[ID]bool
	write map[ID]bool
}

func newAllow() *allow {
	return &allow{peers: map[ID]bool{}, read: map[ID]bool{}, write: map[ID]bool{}}
}

func (a *allow) set(p ID, trusted, read, write bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.peers[p], a.read[p], a.write[p] = trusted, read, write
}

func (a *allow) Trusted(p ID) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.peers[p]
}

func (a *allow) CanRead(p ID, _ string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.read[p]
}

func (a *allow) CanWrite(p ID, _ string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.write[p]
}

// recorder is a Handler that answers Discovery with an empty response and
// records the gossip it is given.
type recorder struct {
	mu     sync.Mutex
	gossip []*Gossip
}

func (r *recorder) ServeTAXII(_ context.Context, _ ID, req protocol.Message) protocol.Message {
	return &protocol.DiscoveryResponse{Header: protocol.Header{
		MessageID: protocol.NewMessageID(protocol.V11), InResponseTo: req.Head().MessageID}}
}

func (r *recorder) Deliver(_ context.Context, g *Gossip) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gossip = append(r.gossip, g)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.gossip)
}

type testHost struct {
	*Host
	auth *allow
	rec  *recorder
}

func newTestHost(t *testing.T, mod func(*Config)) *testHost {
	t.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Key: key, Listen: []string{"/ip4/127.0.0.1/tcp/0"}}
	if mod != nil {
		mod(&cfg)
	}
	th := &testHost{auth: newAllow(), rec: &recorder{}}
	h, err := New(cfg, th.auth, th.rec)
	if err != nil {
		t.Fatal(err)
	}
	th.Host = h
	t.Cleanup(func() { h.Close() })
	return th
}

// befriend makes a and b trust each other with the given rights and gives
// each the other's address.
func befriend(a, b *testHost, read, write bool) {
	a.auth.set(b.ID(), true, read, write)
	b.auth.set(a.ID(), true, read, write)
	a.SetPeers([]Info{{ID: b.ID(), Addrs: b.host.Addrs()}})
	b.SetPeers([]Info{{ID: a.ID(), Addrs: a.host.Addrs()}})
}

func discovery() *protocol.DiscoveryRequest {
	return &protocol.DiscoveryRequest{Header: protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)}}
}

func eventually(t *testing.T, f func() error) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRequestBetweenTrustedPeers(t *testing.T) {
	a, b := newTestHost(t, nil), newTestHost(t, nil)
	befriend(a, b, true, true)
	req := discovery()
	resp, err := a.Request(context.Background(), b.ID(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Type() != protocol.TypeDiscoveryResponse || resp.Head().InResponseTo != req.MessageID {
		t.Fatalf("answer %s in response to %q, want a Discovery_Response to %q",
			resp.Type(), resp.Head().InResponseTo, req.MessageID)
	}
}

func TestUntrustedPeerRefused(t *testing.T) {
	a, d := newTestHost(t, nil), newTestHost(t, nil)
	// d trusts a and knows its address; a does not list d.
	d.auth.set(a.ID(), true, true, true)
	d.SetPeers([]Info{{ID: a.ID(), Addrs: a.host.Addrs()}})
	if _, err := d.Request(context.Background(), a.ID(), discovery()); err == nil {
		t.Fatal("an untrusted peer's request was answered")
	}
	eventually(t, func() error {
		if a.Stats().RefusedConns == 0 {
			return errors.New("no refused connection counted")
		}
		return nil
	})
	// a will not dial d either.
	if _, err := a.Request(context.Background(), d.ID(), discovery()); !errors.Is(err, ErrNotTrusted) {
		t.Fatalf("request to an untrusted peer: %v, want ErrNotTrusted", err)
	}
}

func TestFrameLimit(t *testing.T) {
	a := newTestHost(t, nil)
	b := newTestHost(t, func(c *Config) { c.MaxFrameSize = 1 << 10 })
	befriend(a, b, true, true)
	big := &protocol.InboxMessage{Header: protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
		ContentBlocks: []protocol.ContentBlock{{
			Binding: protocol.ContentBinding{BindingID: protocol.BindingSTIX12},
			Content: make([]byte, 4<<10),
		}}}
	for i := range big.ContentBlocks[0].Content {
		big.ContentBlocks[0].Content[i] = 'x'
	}
	resp, err := a.Request(context.Background(), b.ID(), big)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := resp.(*protocol.StatusMessage)
	if !ok || st.StatusType != protocol.StatusBadMessage {
		t.Fatalf("oversized request answered %v, want BAD_MESSAGE", resp)
	}
	if n := b.Stats().Malformed; n != 1 {
		t.Errorf("%d malformed requests counted, want 1", n)
	}
}

func TestRequestRateLimit(t *testing.T) {
	a := newTestHost(t, nil)
	b := newTestHost(t, func(c *Config) { c.Limits = Limits{RequestRate: 1, RequestBurst: 2} })
	befriend(a, b, true, true)
	var retries int
	for range 5 {
		resp, err := a.Request(context.Background(), b.ID(), discovery())
		if err != nil {
			t.Fatal(err)
		}
		if st, ok := resp.(*protocol.StatusMessage); ok {
			if st.StatusType != protocol.StatusRetry || len(st.DetailValues(protocol.DetailEstimatedWait)) != 1 {
				t.Fatalf("over the limit: %s, want RETRY with ESTIMATED_WAIT", st.StatusType)
			}
			retries++
		}
	}
	if retries < 3 {
		t.Fatalf("%d of 5 requests refused, want at least 3 with a burst of 2", retries)
	}
}

func inbox(t *testing.T, text string) []byte {
	t.Helper()
	payload, err := protocol.Encode(&protocol.InboxMessage{
		Header: protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
		ContentBlocks: []protocol.ContentBlock{{
			Binding: protocol.ContentBinding{BindingID: protocol.BindingSTIX12},
			Content: []byte(text),
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return payload
}

func join(t *testing.T, coll string, hosts ...*testHost) {
	t.Helper()
	for _, h := range hosts {
		if err := h.Join(coll); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGossipDelivered(t *testing.T) {
	a, b := newTestHost(t, nil), newTestHost(t, nil)
	befriend(a, b, true, true)
	join(t, "feed", a, b)
	eventually(t, func() error {
		if len(a.TopicPeers("feed")) == 0 {
			return errors.New("b not on a's topic")
		}
		return nil
	})
	if err := a.Publish(context.Background(), "feed", inbox(t, "hello")); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if b.rec.count() != 1 {
			return errors.New("gossip not delivered")
		}
		return nil
	})
	g := b.rec.gossip[0]
	if g.Author != a.ID() || g.From != a.ID() || g.Collection != "feed" ||
		string(g.Message.ContentBlocks[0].Content) != "hello" {
		t.Fatalf("delivered %+v", g)
	}
	if a.rec.count() != 0 {
		t.Error("the author's own message was delivered back to it")
	}
}

func TestGossipNeedsRights(t *testing.T) {
	a, b := newTestHost(t, nil), newTestHost(t, nil)
	// b may not write on a, and a may not read on b: a's message must not
	// reach b, and b's must not be stored by a.
	a.auth.set(b.ID(), true, true, false)
	b.auth.set(a.ID(), true, false, true)
	a.SetPeers([]Info{{ID: b.ID(), Addrs: b.host.Addrs()}})
	b.SetPeers([]Info{{ID: a.ID(), Addrs: a.host.Addrs()}})
	join(t, "feed", a, b)
	eventually(t, func() error {
		if len(a.TopicPeers("feed")) == 0 {
			return errors.New("b not on a's topic")
		}
		return nil
	})
	if len(b.TopicPeers("feed")) != 0 {
		t.Fatal("a, which may not read, is on b's topic")
	}
	// b's message is never sent to a, which is not on b's topic; a's
	// message, published after it, reaches b.
	if err := b.Publish(context.Background(), "feed", inbox(t, "to a")); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(context.Background(), "feed", inbox(t, "to b")); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() error {
		if b.rec.count() != 1 {
			return errors.New("a's message did not reach b")
		}
		return nil
	})
	time.Sleep(200 * time.Millisecond)
	if a.rec.count() != 0 || a.Stats().Ignored != 0 {
		t.Fatalf("gossip from b reached a (%d stored, %d ignored)", a.rec.count(), a.Stats().Ignored)
	}
}

// gossipOver publishes n messages from a on topic feed and waits until b
// has decided on all of them; it returns how many b took and throttled.
func gossipOver(t *testing.T, a, b *testHost, n int, text string) (taken, throttled int) {
	t.Helper()
	join(t, "feed", a, b)
	eventually(t, func() error {
		if len(a.TopicPeers("feed")) == 0 {
			return errors.New("b not on a's topic")
		}
		return nil
	})
	for i := range n {
		if err := a.Publish(context.Background(), "feed", inbox(t, fmt.Sprintf("%s %d", text, i))); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, func() error {
		if got := b.rec.count() + int(b.Stats().Throttled); got != n {
			return fmt.Errorf("b decided on %d of %d messages", got, n)
		}
		return nil
	})
	return b.rec.count(), int(b.Stats().Throttled)
}

// TestGossipRateLimit: a peer relaying more messages than its limit allows
// has the excess ignored (catch-up polls it later), counted as throttled.
func TestGossipRateLimit(t *testing.T) {
	a := newTestHost(t, nil)
	b := newTestHost(t, func(c *Config) { c.Limits = Limits{GossipRate: 0.5, GossipBurst: 3} })
	befriend(a, b, true, true)
	taken, throttled := gossipOver(t, a, b, 10, "message")
	// The burst, and at most one more if publishing took two seconds.
	if taken < 3 || taken > 4 || throttled < 6 {
		t.Fatalf("%d taken, %d throttled; want the burst of 3 taken and the rest throttled", taken, throttled)
	}
}

// TestGossipByteLimit: the byte budget holds as well, and a message it
// refuses costs none of the message budget.
func TestGossipByteLimit(t *testing.T) {
	a := newTestHost(t, nil)
	const maxSize = 2048
	b := newTestHost(t, func(c *Config) {
		c.MaxGossipSize = maxSize
		c.Limits = Limits{GossipRate: 0.001, GossipBurst: 100, GossipBytesRate: 1}
	})
	befriend(a, b, true, true)
	// Each message carries 1,500 bytes of text: the byte bucket (one
	// byte a second, burst one maximum message and a byte) holds one.
	text := strings.Repeat("x", 1500)
	if n := len(inbox(t, text+" 0")); n > maxSize || 2*n <= maxSize+1 {
		t.Fatalf("a message is %d bytes: the test needs one, not two, per %d", n, maxSize+1)
	}
	taken, throttled := gossipOver(t, a, b, 5, text)
	if taken != 1 || throttled != 4 {
		t.Fatalf("%d taken, %d throttled; want 1 and 4", taken, throttled)
	}
	if got := b.limits.of(a.ID()).gossip.Tokens(); got < 98 {
		t.Fatalf("%.0f message tokens left of 100: refused messages took some", got)
	}
}

// TestDialsOnlyGivenAddresses: b listens on two addresses and tells a about
// both (identify), but a was given one: every connection a opens to b, also
// after being disconnected again and again, goes to that one.
func TestDialsOnlyGivenAddresses(t *testing.T) {
	a := newTestHost(t, nil)
	b := newTestHost(t, func(c *Config) {
		c.Listen = []string{"/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/0"}
	})
	addrs := b.host.Addrs()
	if len(addrs) != 2 {
		t.Fatalf("b listens on %v, want two addresses", addrs)
	}
	given := addrs[0]
	a.auth.set(b.ID(), true, true, true)
	b.auth.set(a.ID(), true, true, true)
	a.SetPeers([]Info{{ID: b.ID(), Addrs: []ma.Multiaddr{given}}})
	b.SetPeers([]Info{{ID: a.ID()}}) // b never dials a
	join(t, "feed", a, b)
	for round := range 5 {
		if _, err := a.Request(context.Background(), b.ID(), discovery()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, c := range b.host.Network().ConnsToPeer(a.ID()) {
			if !c.LocalMultiaddr().Equal(given) {
				t.Fatalf("a dialed b at %v, an address it was not given", c.LocalMultiaddr())
			}
		}
		b.Disconnect(a.ID())
		eventually(t, func() error {
			if a.Connected(b.ID()) {
				return errors.New("a still connected to b")
			}
			return nil
		})
	}
	if a.Stats().RefusedDials != 0 {
		t.Logf("the gater refused %d dials to other addresses", a.Stats().RefusedDials)
	}
}
