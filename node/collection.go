package node

import (
	"context"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/trust"
)

// collectionInformation answers a Collection_Information_Request with the
// collections the caller may read, and how to poll, subscribe to and push to
// each (EXC-12, MSG-42).
func (n *Node) collectionInformation(ctx context.Context, caller trust.Identity,
	req *protocol.CollectionInformationRequest) (protocol.Message, error) {
	st := n.state.Load()
	eps := n.endpoints(ctx)
	yes := true
	resp := &protocol.CollectionInformationResponse{}
	for _, name := range n.allowed(caller, st, trust.Read) {
		c, _ := st.collection(name)
		info := protocol.CollectionInformation{
			Name:            c.name,
			Type:            c.typ,
			Available:       &yes,
			Description:     c.description,
			ContentBindings: c.accept,
		}
		if len(info.ContentBindings) == 0 && req.Version == protocol.V10 {
			// TAXII 1.0 has no way to say "any binding" (V10-8).
			info.ContentBindings = commonBindings
		}
		canWrite := n.trust.Allowed(caller, name, trust.Write)
		for _, ep := range eps {
			info.PushMethods = append(info.PushMethods, protocol.PushMethod{
				ProtocolBinding: ep.protocol, MessageBindings: ep.bindings})
			info.PollingServices = append(info.PollingServices, contact(ep, protocol.ServicePoll))
			info.SubscriptionServices = append(info.SubscriptionServices,
				contact(ep, protocol.ServiceCollectionManagement))
			if canWrite {
				info.ReceivingInboxServices = append(info.ReceivingInboxServices, protocol.InboxService{
					ServiceContact:  contact(ep, protocol.ServiceInbox),
					ContentBindings: c.accept,
				})
			}
		}
		resp.Collections = append(resp.Collections, info)
	}
	return resp, nil
}

func contact(ep endpoint, t protocol.ServiceType) protocol.ServiceContact {
	return protocol.ServiceContact{
		ProtocolBinding: ep.protocol,
		Address:         ep.address(t),
		MessageBindings: ep.bindings,
	}
}

// commonBindings are the content bindings named for a collection that takes
// any, where a binding must be named.
var commonBindings = []protocol.ContentBinding{
	{BindingID: protocol.BindingSTIX10}, {BindingID: protocol.BindingSTIX101},
	{BindingID: protocol.BindingSTIX11}, {BindingID: protocol.BindingSTIX111},
	{BindingID: protocol.BindingSTIX12}, {BindingID: protocol.BindingCybox20},
	{BindingID: protocol.BindingCybox201},
}
