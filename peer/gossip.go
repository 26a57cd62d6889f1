package peer

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"

	"github.com/taxiinode/taxiinode/protocol"
)

// TopicPrefix starts the name of every collection's gossip topic.
const TopicPrefix = "/taxii/1.1/collection/"

// Topic returns the gossip topic of a collection.
func Topic(collection string) string { return TopicPrefix + collection }

// collectionOf returns the collection of a topic, or false for a topic that
// is not one of ours.
func collectionOf(topic string) (string, bool) {
	c, ok := strings.CutPrefix(topic, TopicPrefix)
	return c, ok && c != ""
}

// Queue sizes of pubsub. Its defaults (32) drop messages silently under
// bursts; these are set on purpose and are the same on every node.
const (
	outboundQueueSize = 4096
	validateQueueSize = 1024
	subscriptionQueue = 1024
	// gossipOverhead is room for the pubsub envelope (signature, key,
	// sequence number, topic) around a payload of MaxGossipSize.
	gossipOverhead = 64 << 10
)

// messageID is the content address of a gossip message: copies arriving by
// several paths have the same ID and are delivered once.
func messageID(m *pb.Message) string {
	sum := sha256.Sum256(m.GetData())
	return string(sum[:])
}

func (h *Host) newPubSub(ctx context.Context) (*pubsub.PubSub, error) {
	ps, err := pubsub.NewGossipSub(ctx, h.host,
		pubsub.WithMessageSignaturePolicy(pubsub.StrictSign),
		pubsub.WithMessageIdFn(messageID),
		pubsub.WithPeerExchange(false),
		// The author sends to every peer on the topic at once; relays
		// then follow gossipsub's mesh. One hop to every peer that is
		// connected to the author, and no flood beyond it.
		pubsub.WithFloodPublish(true),
		pubsub.WithMaxMessageSize(h.cfg.MaxGossipSize+gossipOverhead),
		pubsub.WithPeerOutboundQueueSize(outboundQueueSize),
		pubsub.WithValidateQueueSize(validateQueueSize),
		pubsub.WithPeerFilter(h.mayRead),
		pubsub.WithSubscriptionFilter(subscriptionFilter{h}),
		pubsub.WithRawTracer(tracer{h.stats}),
		pubsub.WithLogger(h.log.With("component", "pubsub")),
	)
	if err != nil {
		return nil, fmt.Errorf("peer: start gossipsub: %w", err)
	}
	return ps, nil
}

// mayRead keeps peers that may not read a collection out of its topic's
// mesh and gossip.
func (h *Host) mayRead(p ID, topic string) bool {
	c, ok := collectionOf(topic)
	return ok && h.auth.CanRead(p, c)
}

// subscriptionFilter drops a peer's subscription to a topic it may not read,
// so that no message of that topic is ever sent to it, whether it is a mesh
// peer or a direct peer.
type subscriptionFilter struct{ h *Host }

func (f subscriptionFilter) CanSubscribe(topic string) bool {
	_, ok := collectionOf(topic)
	return ok
}

func (f subscriptionFilter) FilterIncomingSubscriptions(
	p ID, subs []*pb.RPC_SubOpts,
) ([]*pb.RPC_SubOpts, error) {
	kept := subs[:0:0]
	for _, s := range subs {
		if !s.GetSubscribe() || f.h.mayRead(p, s.GetTopicid()) {
			kept = append(kept, s)
		}
	}
	return kept, nil
}

// topic is a joined collection topic.
type topic struct {
	t      *pubsub.Topic
	sub    *pubsub.Subscription
	cancel context.CancelFunc
	done   chan struct{}
}

func (t *topic) close() {
	t.cancel()
	<-t.done
	t.sub.Cancel()
	t.t.Close()
}

// Join subscribes the host to a collection's topic. Messages on it are
// validated and handed to the Handler's Deliver. Joining twice is harmless.
func (h *Host) Join(collection string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.topics[collection]; ok {
		return nil
	}
	name := Topic(collection)
	err := h.ps.RegisterTopicValidator(name, h.validator(collection))
	if err != nil {
		return fmt.Errorf("peer: validator for %q: %w", collection, err)
	}
	t, err := h.ps.Join(name)
	if err != nil {
		h.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("peer: join %q: %w", collection, err)
	}
	sub, err := t.Subscribe(pubsub.WithBufferSize(subscriptionQueue))
	if err != nil {
		t.Close()
		h.ps.UnregisterTopicValidator(name)
		return fmt.Errorf("peer: subscribe %q: %w", collection, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tp := &topic{t: t, sub: sub, cancel: cancel, done: make(chan struct{})}
	go drain(ctx, sub, tp.done)
	h.topics[collection] = tp
	return nil
}

// Leave unsubscribes the host from a collection's topic.
func (h *Host) Leave(collection string) {
	h.mu.Lock()
	tp, ok := h.topics[collection]
	delete(h.topics, collection)
	h.mu.Unlock()
	if !ok {
		return
	}
	tp.close()
	h.ps.UnregisterTopicValidator(Topic(collection))
}

// Joined returns the collections whose topics the host has joined.
func (h *Host) Joined() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	cs := make([]string, 0, len(h.topics))
	for c := range h.topics {
		cs = append(cs, c)
	}
	return cs
}

// TopicPeers returns the peers known to be on a collection's topic.
func (h *Host) TopicPeers(collection string) []ID { return h.ps.ListPeers(Topic(collection)) }

// drain empties a subscription: the validator has already delivered every
// message, the subscription only keeps the host on the topic. It closes
// done when ctx ends.
func drain(ctx context.Context, sub *pubsub.Subscription, done chan struct{}) {
	defer close(done)
	for {
		if _, err := sub.Next(ctx); err != nil {
			return
		}
	}
}

// Publish gossips an encoded Inbox Message on a collection's topic, signed
// by this host. The payload must not exceed Config.MaxGossipSize: larger
// content has to travel by announcement and poll.
func (h *Host) Publish(ctx context.Context, collection string, payload []byte) error {
	if len(payload) > h.cfg.MaxGossipSize {
		return fmt.Errorf("%w: gossip of %d bytes", ErrFrameTooLarge, len(payload))
	}
	h.mu.Lock()
	tp, ok := h.topics[collection]
	h.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotJoined, collection)
	}
	if err := tp.t.Publish(ctx, payload); err != nil {
		return fmt.Errorf("peer: publish on %q: %w", collection, err)
	}
	h.stats.published.Add(1)
	return nil
}

// validator decides on every message of a collection's topic. A message is
// accepted, and so relayed, only once its content is stored.
func (h *Host) validator(collection string) pubsub.ValidatorEx {
	return func(ctx context.Context, from ID, m *pubsub.Message) pubsub.ValidationResult {
		author := m.GetFrom()
		if author == h.host.ID() {
			return pubsub.ValidationAccept // our own publication
		}
		if !h.auth.CanWrite(author, collection) {
			// An author we do not trust, relayed by a peer we do: not the
			// relay's fault.
			h.stats.ignored.Add(1)
			return pubsub.ValidationIgnore
		}
		if !h.limits.allowGossip(from, len(m.GetData())) {
			h.stats.throttled.Add(1)
			return pubsub.ValidationIgnore
		}
		msg, err := protocol.Decode(m.GetData())
		inbox, ok := msg.(*protocol.InboxMessage)
		if err != nil || !ok {
			h.stats.rejected.Add(1)
			h.log.Warn("malformed gossip", "peer", author, "collection", collection, "err", err)
			return pubsub.ValidationReject
		}
		g := &Gossip{Collection: collection, Author: author, From: from, Message: inbox,
			Size: len(m.GetData())}
		if err := h.handler.Deliver(ctx, g); err != nil {
			h.stats.ignored.Add(1)
			h.log.Warn("gossip not stored", "peer", author, "collection", collection, "err", err)
			return pubsub.ValidationIgnore
		}
		h.stats.accepted.Add(1)
		return pubsub.ValidationAccept
	}
}
