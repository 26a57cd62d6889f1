package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/query"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// manageSubscription answers a Subscription_Management_Request, applying
// the first rule of EXC-22 that matches. A refusal changes nothing (EXC-20).
func (n *Node) manageSubscription(ctx context.Context, caller trust.Identity,
	m *protocol.SubscriptionManagementRequest) (protocol.Message, error) {
	c, err := n.readable(caller, m.CollectionName)
	if err != nil {
		return nil, err
	}
	resp := &protocol.SubscriptionManagementResponse{CollectionName: c.name}
	switch m.Action {
	case protocol.ActionSubscribe:
		sub, err := n.subscribe(ctx, caller, c, m)
		if err != nil {
			return nil, err
		}
		resp.Subscriptions = []protocol.SubscriptionInstance{n.instance(ctx, sub)}
	case protocol.ActionUnsubscribe:
		inst, err := n.unsubscribe(ctx, caller, c, m.SubscriptionID)
		if err != nil {
			return nil, err
		}
		resp.Subscriptions = []protocol.SubscriptionInstance{inst}
	case protocol.ActionPause, protocol.ActionResume:
		sub, err := n.setPaused(ctx, caller, c, m.SubscriptionID, m.Action == protocol.ActionPause)
		if err != nil {
			return nil, err
		}
		resp.Subscriptions = []protocol.SubscriptionInstance{n.instance(ctx, sub)}
	case protocol.ActionStatus:
		subs, err := n.subscriptionStatus(ctx, caller, c, m.SubscriptionID)
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			resp.Subscriptions = append(resp.Subscriptions, n.instance(ctx, s))
		}
	default:
		return nil, protocol.Errorf(protocol.StatusBadMessage, "unknown action %q", m.Action)
	}
	return resp, nil
}

// subscribe creates a subscription, or returns the identical one the caller
// already has (EXC-22 rules 4 and 5, EXC-23, EXC-24).
func (n *Node) subscribe(ctx context.Context, caller trust.Identity, c *collection,
	m *protocol.SubscriptionManagementRequest) (*store.Subscription, error) {
	params := protocol.SubscriptionParameters{}
	if m.Parameters != nil {
		params = *m.Parameters
	}
	if err := n.checkPush(m.PushParameters); err != nil {
		return nil, err
	}
	if params.Query != nil {
		if _, err := query.Parse(*params.Query); err != nil {
			return nil, err
		}
	}
	if len(params.ContentBindings) > 0 && len(c.accept) > 0 && !anyBindingShared(c.accept, params.ContentBindings) {
		return nil, protocol.Errorf(protocol.StatusUnsupportedContent,
			"collection %s holds none of the content bindings asked for", c.name).
			With(protocol.DetailSupportedContent, c.supportedContent()...)
	}
	owner := caller.String()
	key := subscriptionKey(&params, m.PushParameters)
	n.subMu.Lock()
	defer n.subMu.Unlock()
	existing, err := n.store.Subscriptions(ctx, c.name)
	if err != nil {
		return nil, internal("list subscriptions", err)
	}
	for _, s := range existing {
		if s.Owner == owner && subscriptionKey(&s.Parameters, s.Push) == key {
			return s, nil
		}
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, internal("subscription id", err)
	}
	sub := &store.Subscription{
		ID:         "urn:taxiinode:subscription:" + hex.EncodeToString(raw[:]),
		Collection: c.name,
		Owner:      owner,
		Status:     protocol.SubscriptionActive,
		Parameters: params,
		Push:       m.PushParameters,
		Created:    time.Now().UTC(),
		Delivered:  n.store.LastLabel(),
	}
	if err := n.store.PutSubscription(ctx, sub); err != nil {
		return nil, internal("save subscription", err)
	}
	n.log.Info("subscription created", "collection", c.name, "subscription", sub.ID, "owner", owner,
		"push", sub.Push != nil)
	n.subscriptions.notify(c.name)
	return sub, nil
}

// Protocol and message bindings the node can push subscription content with.
var (
	pushProtocols = []string{protocol.ProtocolHTTP, protocol.ProtocolHTTPS, protocol.ProtocolLibp2p}
	pushBindings  = []string{protocol.MessageBindingXML11, protocol.MessageBindingXML10}
)

// checkPush refuses delivery parameters the node cannot honour (MSG-51).
func (n *Node) checkPush(p *protocol.DeliveryParameters) error {
	if p == nil {
		return nil
	}
	if !slices.Contains(pushProtocols, p.ProtocolBinding) {
		return protocol.Errorf(protocol.StatusUnsupportedProtocol,
			"cannot push with protocol %s", p.ProtocolBinding).
			With(protocol.DetailSupportedProtocol, pushProtocols...)
	}
	if !slices.Contains(pushBindings, p.MessageBinding) ||
		(p.ProtocolBinding == protocol.ProtocolLibp2p && p.MessageBinding != protocol.MessageBindingXML11) {
		return protocol.Errorf(protocol.StatusUnsupportedMessage,
			"cannot push with message binding %s", p.MessageBinding).
			With(protocol.DetailSupportedBinding, pushBindings...)
	}
	if _, err := n.pushTarget(p); err != nil {
		return protocol.Errorf(protocol.StatusUnsupportedProtocol, "cannot push to %q: %v", p.Address, err).
			With(protocol.DetailSupportedProtocol, pushProtocols...)
	}
	if p.ProtocolBinding != protocol.ProtocolLibp2p && !n.pushAllowed(p.Address) {
		return protocol.Errorf(protocol.StatusDenied,
			"this node does not push to %q; its operator lists the inboxes it may push to", p.Address)
	}
	return nil
}

// pushAllowed reports whether an HTTP(S) inbox address is on the
// operator's list, with no credentials in it.
func (n *Node) pushAllowed(addr string) bool {
	if validPushURL(addr) != nil {
		return false
	}
	for _, base := range n.state.Load().settings.Subscriptions.PushURLs {
		if urlWithin(addr, base) {
			return true
		}
	}
	return false
}

// urlWithin reports whether addr lies at or below base: the same scheme,
// host and port, and a path below base's path, segment by segment once dot
// segments are resolved; a base path without a final slash admits itself
// too. A textual prefix would let https://siem.example.org admit
// https://siem.example.org.attacker.test.
func urlWithin(addr, base string) bool {
	a, errA := url.Parse(addr)
	b, errB := url.Parse(base)
	if errA != nil || errB != nil || a.Scheme != b.Scheme ||
		!strings.EqualFold(a.Hostname(), b.Hostname()) || portOf(a) != portOf(b) {
		return false
	}
	target, listed := cleanPath(a.Path), cleanPath(b.Path)
	if strings.HasSuffix(listed, "/") {
		return strings.HasPrefix(target, listed)
	}
	return target == listed || strings.HasPrefix(target, listed+"/")
}

// cleanPath resolves the dot segments of a URL path and keeps its final
// slash; the empty path is the root.
func cleanPath(p string) string {
	c := path.Clean("/" + p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

// portOf returns u's port, or its scheme's default.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// subscriptionKey is a canonical form of a subscription's parameters, equal
// for requests that ask for the same thing (AMB-18).
func subscriptionKey(p *protocol.SubscriptionParameters, push *protocol.DeliveryParameters) string {
	var b strings.Builder
	rt := p.ResponseType
	if rt == "" {
		rt = protocol.ResponseFull
	}
	b.WriteString(string(rt))
	var bindings []string
	for _, cb := range p.ContentBindings {
		subs := slices.Clone(cb.Subtypes)
		sort.Strings(subs)
		bindings = append(bindings, cb.BindingID+"{"+strings.Join(subs, ",")+"}")
	}
	sort.Strings(bindings)
	b.WriteString("|" + strings.Join(bindings, ","))
	if p.Query != nil {
		if q, err := query.Parse(*p.Query); err == nil {
			b.WriteString("|" + q.Canonical())
		}
	}
	if push != nil {
		b.WriteString("|" + push.ProtocolBinding + " " + push.Address + " " + push.MessageBinding)
	}
	return b.String()
}

// owned returns the caller's subscription with the given ID.
func (n *Node) owned(ctx context.Context, caller trust.Identity, c *collection, id string) (*store.Subscription, error) {
	sub, err := n.store.GetSubscription(ctx, c.name, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sub.Owner != caller.String() && caller != trust.Operator) {
		return nil, notFound("subscription", id)
	}
	if err != nil {
		return nil, internal("load subscription", err)
	}
	return sub, nil
}

// unsubscribe cancels a subscription; an unknown one is a success that
// changes nothing (EXC-22 rule 3, AMB-17).
func (n *Node) unsubscribe(ctx context.Context, caller trust.Identity, c *collection,
	id string) (protocol.SubscriptionInstance, error) {
	inst := protocol.SubscriptionInstance{Status: protocol.SubscriptionUnsubscribed, SubscriptionID: id}
	n.subMu.Lock()
	defer n.subMu.Unlock()
	sub, err := n.owned(ctx, caller, c, id)
	var se *protocol.StatusError
	if errors.As(err, &se) && se.Type == protocol.StatusNotFound {
		return inst, nil
	}
	if err != nil {
		return inst, err
	}
	if err := n.store.DeleteSubscription(ctx, c.name, sub.ID); err != nil {
		return inst, internal("delete subscription", err)
	}
	n.log.Info("subscription cancelled", "collection", c.name, "subscription", id)
	return inst, nil
}

// setPaused pauses or resumes a subscription; doing it twice is harmless
// (EXC-22 rules 6 and 7). Resuming lets the deliverer send what the pause
// held back (EXC-61).
func (n *Node) setPaused(ctx context.Context, caller trust.Identity, c *collection, id string,
	pause bool) (*store.Subscription, error) {
	n.subMu.Lock()
	defer n.subMu.Unlock()
	sub, err := n.owned(ctx, caller, c, id)
	if err != nil {
		return nil, err
	}
	want := protocol.SubscriptionActive
	if pause {
		want = protocol.SubscriptionPaused
	}
	if sub.Status != want {
		sub.Status = want
		if err := n.store.PutSubscription(ctx, sub); err != nil {
			return nil, internal("save subscription", err)
		}
		n.subscriptions.notify(c.name)
	}
	return sub, nil
}

// subscriptionStatus returns one subscription, or all the caller has on the
// collection (EXC-25, AMB-16, AMB-38).
func (n *Node) subscriptionStatus(ctx context.Context, caller trust.Identity, c *collection,
	id string) ([]*store.Subscription, error) {
	if id != "" {
		sub, err := n.owned(ctx, caller, c, id)
		if err != nil {
			return nil, err
		}
		return []*store.Subscription{sub}, nil
	}
	all, err := n.store.Subscriptions(ctx, c.name)
	if err != nil {
		return nil, internal("list subscriptions", err)
	}
	var mine []*store.Subscription
	for _, s := range all {
		if s.Owner == caller.String() || caller == trust.Operator {
			mine = append(mine, s)
		}
	}
	return mine, nil
}

// instance describes a subscription in a response (MSG-62), with its
// parameters whatever the action: STATUS must carry them, the others may,
// and a subscriber then sees what it paused or resumed.
func (n *Node) instance(ctx context.Context, s *store.Subscription) protocol.SubscriptionInstance {
	p := s.Parameters
	inst := protocol.SubscriptionInstance{
		Status:         s.Status,
		SubscriptionID: s.ID,
		PushParameters: s.Push,
		Parameters:     &p,
	}
	for _, ep := range n.endpoints(ctx) {
		inst.PollInstances = append(inst.PollInstances, contact(ep, protocol.ServicePoll))
	}
	return inst
}

// pollableSubscription returns the caller's subscription for a poll by
// Subscription ID: a paused subscription is not served (EXC-61).
func (n *Node) pollableSubscription(ctx context.Context, caller trust.Identity, coll,
	id string) (*store.Subscription, error) {
	c, _ := n.state.Load().collection(coll)
	sub, err := n.owned(ctx, caller, c, id)
	if err != nil {
		return nil, err
	}
	if sub.Status == protocol.SubscriptionPaused {
		return nil, protocol.Errorf(protocol.StatusDenied, "subscription %s is paused", id)
	}
	return sub, nil
}
