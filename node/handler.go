package node

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/trust"
)

// services lists the request types each TAXII service accepts (§3).
var services = map[protocol.ServiceType][]protocol.MessageType{
	protocol.ServiceDiscovery: {protocol.TypeDiscoveryRequest},
	protocol.ServiceCollectionManagement: {
		protocol.TypeCollectionInformationRequest,
		protocol.TypeSubscriptionManagementRequest,
	},
	protocol.ServiceInbox: {protocol.TypeInboxMessage},
	protocol.ServicePoll:  {protocol.TypePollRequest, protocol.TypePollFulfillment},
}

// Handle answers one TAXII request from caller. svc is the service the
// request was sent to, or "" when the transport has one endpoint for all
// services (libp2p). Handle always returns a message: the response, or a
// Status Message saying why there is none. It is safe for concurrent use.
func (n *Node) Handle(ctx context.Context, caller trust.Identity, svc protocol.ServiceType,
	req protocol.Message) (resp protocol.Message) {
	defer func() {
		if r := recover(); r != nil {
			n.log.Error("request handler panicked", "type", req.Type(), "panic", r,
				"stack", string(debug.Stack()))
			resp = n.status(req, protocol.Errorf(protocol.StatusFailure, "internal error"))
		}
	}()
	resp, err := n.dispatch(ctx, caller, svc, req)
	if err != nil {
		n.metrics.refused(req.Type())
		return n.status(req, err)
	}
	h := resp.Head()
	h.Version = req.Head().Version
	h.MessageID = protocol.NewMessageID(h.Version)
	h.InResponseTo = req.Head().MessageID
	return resp
}

func (n *Node) dispatch(ctx context.Context, caller trust.Identity, svc protocol.ServiceType,
	req protocol.Message) (protocol.Message, error) {
	if svc != "" && !accepts(svc, req.Type()) {
		return nil, protocol.Errorf(protocol.StatusFailure,
			"the %s service does not handle %s messages", svc, req.Type())
	}
	switch m := req.(type) {
	case *protocol.DiscoveryRequest:
		return n.discover(ctx, caller, m)
	case *protocol.CollectionInformationRequest:
		return n.collectionInformation(ctx, caller, m)
	case *protocol.SubscriptionManagementRequest:
		return n.manageSubscription(ctx, caller, m)
	case *protocol.InboxMessage:
		return n.inbox(ctx, caller, m)
	case *protocol.PollRequest:
		return n.poll(ctx, caller, m)
	case *protocol.PollFulfillment:
		return n.fulfill(ctx, caller, m)
	default:
		return nil, protocol.Errorf(protocol.StatusFailure, "%s is not a request", req.Type())
	}
}

func accepts(svc protocol.ServiceType, t protocol.MessageType) bool {
	for _, want := range services[svc] {
		if want == t {
			return true
		}
	}
	return false
}

// status turns err into the Status Message that answers req. Errors that
// are not *protocol.StatusError are internal: they are logged and reported
// as FAILURE without detail.
func (n *Node) status(req protocol.Message, err error) *protocol.StatusMessage {
	var se *protocol.StatusError
	if !errors.As(err, &se) {
		n.log.Error("request failed", "type", req.Type(), "err", err)
		se = protocol.Errorf(protocol.StatusFailure, "internal error")
	}
	h := req.Head()
	st := se.Status(protocol.NewMessageID(h.Version), h.MessageID)
	st.Version = h.Version
	return st
}

// unauthorized is the error for a caller without the right it needs.
func unauthorized(caller trust.Identity, what string) error {
	if caller.Kind == trust.KindAnonymous {
		return protocol.Errorf(protocol.StatusUnauthorized, "%s needs credentials", what)
	}
	return protocol.Errorf(protocol.StatusUnauthorized, "%s is not allowed to %s", caller, what)
}

// notFound is the NOT_FOUND error naming a missing item (ST-8).
func notFound(kind, item string) error {
	return protocol.Errorf(protocol.StatusNotFound, "no %s %q", kind, item).
		With(protocol.DetailItem, item)
}

// internal wraps an unexpected error of a component.
func internal(op string, err error) error { return fmt.Errorf("%s: %w", op, err) }
