package node

import (
	"context"
	"fmt"
	"os"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/query"
)

// Subscription describes one TAXII subscription.
type Subscription struct {
	ID         string `json:"id"`
	Collection string `json:"collection"`
	Status     string `json:"status"`
	// Push is where content is pushed, empty for a subscriber that polls.
	Push string `json:"push,omitempty"`
	// Query tells whether a Default Query selects the content; nil when
	// the answer did not carry the subscription's parameters.
	Query *bool `json:"query,omitempty"`
}

// Subscribe asks a trusted peer to push a collection's new content to this
// node over libp2p, optionally filtered by the Default Query in queryFile.
// The pushed content lands in this node's collection of the same name, so
// the peer needs the write right on it here.
func (c *Client) Subscribe(ctx context.Context, peerID, collection, queryFile string) (*Subscription, error) {
	p, err := parsePeer(peerID)
	if err != nil || p == "" {
		return nil, fmt.Errorf("%w: subscribe needs a peer ID", ErrBadInput)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	params := &protocol.SubscriptionParameters{ResponseType: protocol.ResponseFull}
	if queryFile != "" {
		body, err := os.ReadFile(queryFile)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadInput, err)
		}
		params.Query = &protocol.Query{FormatID: protocol.QueryFormatDefault, Body: stripXMLDecl(body)}
		if _, err := query.Parse(*params.Query); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadInput, queryFile, err)
		}
	}
	subs, err := c.manage(ctx, p, &protocol.SubscriptionManagementRequest{
		Action:         protocol.ActionSubscribe,
		CollectionName: collection,
		Parameters:     params,
		PushParameters: &protocol.DeliveryParameters{
			ProtocolBinding: protocol.ProtocolLibp2p,
			Address:         st.PeerID,
			MessageBinding:  protocol.MessageBindingXML11,
		},
	})
	if err != nil {
		return nil, err
	}
	return &subs[0], nil
}

// Subscriptions lists the subscriptions this node holds on a collection of
// a peer, or, with an empty peerID, those others hold on this node.
func (c *Client) Subscriptions(ctx context.Context, peerID, collection string) ([]Subscription, error) {
	p, err := parsePeer(peerID)
	if err != nil {
		return nil, err
	}
	return c.manage(ctx, p, &protocol.SubscriptionManagementRequest{
		Action: protocol.ActionStatus, CollectionName: collection})
}

// ChangeSubscription pauses, resumes or cancels a subscription; action is
// PAUSE, RESUME or UNSUBSCRIBE.
func (c *Client) ChangeSubscription(ctx context.Context, peerID, collection, id, action string) (*Subscription, error) {
	p, err := parsePeer(peerID)
	if err != nil {
		return nil, err
	}
	switch protocol.Action(action) {
	case protocol.ActionPause, protocol.ActionResume, protocol.ActionUnsubscribe:
	default:
		return nil, fmt.Errorf("%w: unknown action %q", ErrBadInput, action)
	}
	subs, err := c.manage(ctx, p, &protocol.SubscriptionManagementRequest{
		Action: protocol.Action(action), CollectionName: collection, SubscriptionID: id})
	if err != nil {
		return nil, err
	}
	return &subs[0], nil
}

func (c *Client) manage(ctx context.Context, p peer.ID, m *protocol.SubscriptionManagementRequest) ([]Subscription, error) {
	m.MessageID = protocol.NewMessageID(protocol.V11)
	resp, err := c.Send(ctx, protocol.ServiceCollectionManagement, p, m)
	if err != nil {
		return nil, err
	}
	switch r := resp.(type) {
	case *protocol.SubscriptionManagementResponse:
		var out []Subscription
		for _, s := range r.Subscriptions {
			sub := Subscription{ID: s.SubscriptionID, Collection: r.CollectionName, Status: string(s.Status)}
			if sub.Status == "" {
				sub.Status = string(protocol.SubscriptionActive)
			}
			if s.PushParameters != nil {
				sub.Push = s.PushParameters.Address
			}
			if s.Parameters != nil {
				q := s.Parameters.Query != nil
				sub.Query = &q
			}
			out = append(out, sub)
		}
		if len(out) == 0 && m.Action != protocol.ActionStatus {
			return nil, fmt.Errorf("answer to %s names no subscription", m.Action)
		}
		return out, nil
	case *protocol.StatusMessage:
		return nil, &protocol.StatusError{Type: r.StatusType, Message: r.Message, Details: r.Details}
	}
	return nil, fmt.Errorf("unexpected answer %s", resp.Type())
}

// stripXMLDecl drops a byte-order mark and an XML declaration from the
// start of a document, so that it can be embedded in a message.
func stripXMLDecl(doc []byte) []byte {
	s := string(doc)
	if len(s) >= 3 && s[:3] == "\xef\xbb\xbf" {
		s = s[3:]
	}
	if len(s) >= 5 && s[:5] == "<?xml" {
		for i := 5; i+1 < len(s); i++ {
			if s[i] == '?' && s[i+1] == '>' {
				s = s[i+2:]
				break
			}
		}
	}
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\n' || s[0] == '\r' || s[0] == '\t') {
		s = s[1:]
	}
	return []byte(s)
}
