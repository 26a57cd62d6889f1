package node

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/httpbinding"
	"github.com/taxiinode/taxiinode/protocol/query"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// Retry backoff of a subscription whose inbox did not acknowledge.
const (
	minDeliveryRetry = time.Second
	maxDeliveryRetry = 5 * time.Minute
)

// deliverer pushes subscription content to subscribers' inboxes (EXC-60 to
// EXC-62). A subscription's Delivered label is its durable outbox: whatever
// matches it above that label is still to be sent, so nothing is lost when
// the node stops, and a resumed subscription gets what its pause held back.
// Content goes out in label order and Delivered moves only when the
// subscriber acknowledged with SUCCESS. One goroutine runs the deliveries.
type deliverer struct {
	n    *Node
	wake chan struct{}

	// retry is only touched by the delivery goroutine: when each failing
	// subscription may be tried again, and its current backoff.
	retry map[string]backoff
}

type backoff struct {
	next time.Time
	wait time.Duration
}

func newDeliverer(n *Node) *deliverer {
	return &deliverer{n: n, wake: make(chan struct{}, 1), retry: make(map[string]backoff)}
}

// notify says that a collection has new content or a subscription changed.
// It never blocks.
func (d *deliverer) notify(string) {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *deliverer) run(ctx context.Context) error {
	t := time.NewTicker(minDeliveryRetry)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-t.C:
		}
		d.round(ctx)
	}
}

// round delivers whatever is due to every active push subscription.
func (d *deliverer) round(ctx context.Context) {
	subs, err := d.n.store.Subscriptions(ctx, "")
	if err != nil {
		d.n.log.Error("subscriptions not listed", "err", err)
		return
	}
	now := time.Now()
	for _, sub := range subs {
		if sub.Push == nil || sub.Status != protocol.SubscriptionActive {
			continue
		}
		if b, ok := d.retry[sub.ID]; ok && now.Before(b.next) {
			continue
		}
		if !d.mayReceive(sub) {
			// GEN-14: the subscription stays; deliveries follow the
			// subscriber's rights, and it has none on this collection now.
			continue
		}
		err := d.deliver(ctx, sub)
		if err == nil {
			delete(d.retry, sub.ID)
			continue
		}
		b := d.retry[sub.ID]
		b.wait = min(max(2*b.wait, minDeliveryRetry), maxDeliveryRetry)
		b.next = now.Add(b.wait)
		d.retry[sub.ID] = b
		d.n.metrics.deliveryFailed(sub.Collection)
		d.n.log.Warn("subscription delivery failed", "subscription", sub.ID,
			"collection", sub.Collection, "retry_in", b.wait, "err", err)
	}
}

// mayReceive reports whether a subscription's owner may read its
// collection now.
func (d *deliverer) mayReceive(sub *store.Subscription) bool {
	owner, ok := trust.ParseIdentity(sub.Owner)
	return ok && d.n.trust.Allowed(owner, sub.Collection, trust.Read)
}

// deliver sends a subscription everything that matches it above its
// Delivered label, in batches, advancing Delivered after each acknowledged
// batch.
func (d *deliverer) deliver(ctx context.Context, sub *store.Subscription) error {
	sel := &selection{Collection: sub.Collection, Bindings: sub.Parameters.ContentBindings,
		CountOnly: sub.Parameters.ResponseType == protocol.ResponseCountOnly}
	if q := sub.Parameters.Query; q != nil {
		parsed, err := query.Parse(*q)
		if err != nil {
			return err
		}
		sel.query = parsed
	}
	end := d.n.store.LastLabel()
	for sub.Delivered < end {
		batch, until, err := d.batch(ctx, sub, sel, sub.Delivered, end)
		if err != nil {
			return err
		}
		if len(batch) > 0 || sel.CountOnly && until > sub.Delivered {
			if err := d.send(ctx, sub, sel, batch, until); err != nil {
				return err
			}
		}
		if err := d.n.advanceSubscription(ctx, sub, until); err != nil {
			return err
		}
	}
	return nil
}

// batch collects the matching blocks in (after, end] up to the part limits
// and returns them with the label the batch covers up to.
func (d *deliverer) batch(ctx context.Context, sub *store.Subscription, sel *selection, after, end store.Label) (
	[]protocol.ContentBlock, store.Label, error) {
	maxBlocks, maxBytes, _ := d.n.state.Load().settings.Poll.limits()
	budget := maxBytes - answerOverhead(deliveryEnvelope(sub))
	var blocks []protocol.ContentBlock
	var size int
	full := false
	until := end
	err := d.n.each(ctx, sel, after, end, !sel.CountOnly, func(m *store.Meta, content []byte) error {
		cost := 0
		if !sel.CountOnly {
			var err error
			if cost, err = d.n.blockSize(ctx, sel, m, content); err != nil {
				return err
			}
		}
		if len(blocks) > 0 && (len(blocks) == maxBlocks || size+cost > budget) {
			full = true
			return store.ErrStop
		}
		if !sel.CountOnly {
			blocks = append(blocks, contentBlock(m, content))
		} else {
			blocks = append(blocks, protocol.ContentBlock{})
		}
		size += cost
		until = m.Label
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if !full {
		until = end // the scan reached the end of the window
	}
	return blocks, until, nil
}

// deliveryEnvelope returns a delivery to sub without its blocks, every
// field at its widest.
func deliveryEnvelope(sub *store.Subscription) *protocol.InboxMessage {
	return &protocol.InboxMessage{
		SourceSubscription: &protocol.SourceSubscription{
			CollectionName: sub.Collection,
			SubscriptionID: sub.ID,
			ExclusiveBegin: widestTime,
			InclusiveEnd:   widestTime,
		},
		RecordCount: &protocol.RecordCount{Count: math.MaxUint64},
	}
}

// send pushes one batch as an Inbox Message with the subscription's
// information and waits for the subscriber's SUCCESS.
func (d *deliverer) send(ctx context.Context, sub *store.Subscription, sel *selection,
	blocks []protocol.ContentBlock, until store.Label) error {
	m := &protocol.InboxMessage{
		Header: protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
		SourceSubscription: &protocol.SourceSubscription{
			CollectionName: sub.Collection,
			SubscriptionID: sub.ID,
			ExclusiveBegin: sub.Delivered.Time(),
			InclusiveEnd:   until.Time(),
		},
		RecordCount: &protocol.RecordCount{Count: uint64(len(blocks))},
	}
	if sub.Delivered == 0 {
		m.SourceSubscription.ExclusiveBegin = time.Time{}
	}
	if sub.Push.MessageBinding == protocol.MessageBindingXML10 {
		m.Version, m.MessageID = protocol.V10, protocol.NewMessageID(protocol.V10)
	}
	if !sel.CountOnly {
		m.ContentBlocks = blocks
	}
	target, err := d.n.pushTarget(sub.Push)
	if err != nil {
		return err
	}
	if _, ok := target.(httpTarget); ok && !d.n.pushAllowed(sub.Push.Address) {
		return fmt.Errorf("push to %s is no longer allowed (subscriptions.push_urls)", sub.Push.Address)
	}
	if _, ok := target.(libp2pTarget); ok {
		// Between taxiinode nodes the collection keeps its name.
		m.DestinationCollectionNames = []string{sub.Collection}
	}
	resp, err := target.send(ctx, m)
	if err != nil {
		return err
	}
	st, ok := resp.(*protocol.StatusMessage)
	if !ok || st.StatusType != protocol.StatusSuccess {
		return fmt.Errorf("inbox answered %s", describeAnswer(resp))
	}
	d.n.metrics.delivered(sub.Collection, len(blocks))
	return nil
}

func describeAnswer(m protocol.Message) string {
	if st, ok := m.(*protocol.StatusMessage); ok {
		return fmt.Sprintf("%s: %s", st.StatusType, st.Message)
	}
	return string(m.Type())
}

// advanceSubscription records that a subscription got everything up to
// label l, unless it was cancelled meanwhile.
func (n *Node) advanceSubscription(ctx context.Context, sub *store.Subscription, l store.Label) error {
	n.subMu.Lock()
	defer n.subMu.Unlock()
	cur, err := n.store.GetSubscription(ctx, sub.Collection, sub.ID)
	if errors.Is(err, store.ErrNotFound) {
		return errors.New("subscription cancelled during delivery")
	}
	if err != nil {
		return err
	}
	cur.Delivered = max(cur.Delivered, l)
	sub.Delivered = cur.Delivered
	return n.store.PutSubscription(ctx, cur)
}

// pushTarget is where a subscription's content goes.
type pushTarget interface {
	send(ctx context.Context, m *protocol.InboxMessage) (protocol.Message, error)
}

type libp2pTarget struct {
	n  *Node
	id peer.ID
}

func (t libp2pTarget) send(ctx context.Context, m *protocol.InboxMessage) (protocol.Message, error) {
	return t.n.host.Request(ctx, t.id, m)
}

type httpTarget struct {
	client *httpbinding.Client
	url    string
}

func (t httpTarget) send(ctx context.Context, m *protocol.InboxMessage) (protocol.Message, error) {
	return t.client.Send(ctx, t.url, m)
}

// pushTarget resolves delivery parameters: an http(s) URL, or for libp2p a
// trusted peer's ID or a multiaddr ending in /p2p/<peer ID>.
func (n *Node) pushTarget(p *protocol.DeliveryParameters) (pushTarget, error) {
	addr := strings.TrimSpace(p.Address)
	switch p.ProtocolBinding {
	case protocol.ProtocolHTTP, protocol.ProtocolHTTPS:
		u, err := url.Parse(addr)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("not an http(s) URL: %q", addr)
		}
		client, err := n.pushClient(addr)
		if err != nil {
			return nil, err
		}
		return httpTarget{client: client, url: addr}, nil
	case protocol.ProtocolLibp2p:
		id, err := peer.ParseID(addr)
		if err != nil {
			m, merr := ma.NewMultiaddr(addr)
			if merr != nil {
				return nil, fmt.Errorf("neither a peer ID nor a multiaddr: %q", addr)
			}
			v, verr := m.ValueForProtocol(ma.P_P2P)
			if verr != nil {
				return nil, fmt.Errorf("multiaddr without /p2p/ peer ID: %q", addr)
			}
			if id, err = peer.ParseID(v); err != nil {
				return nil, err
			}
		}
		if !n.trust.Trusted(id.String()) {
			return nil, fmt.Errorf("peer %s is not trusted", id)
		}
		return libp2pTarget{n: n, id: id}, nil
	}
	return nil, fmt.Errorf("unsupported protocol binding %s", p.ProtocolBinding)
}
