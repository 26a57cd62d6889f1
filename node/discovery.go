package node

import (
	"context"
	"slices"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/query"
	"github.com/taxiinode/taxiinode/trust"
)

// HTTP paths of the TAXII services.
const (
	PathDiscovery            = "/taxii/discovery"
	PathCollectionManagement = "/taxii/collection-management"
	PathInbox                = "/taxii/inbox"
	PathPoll                 = "/taxii/poll"
)

var servicePaths = map[protocol.ServiceType]string{
	protocol.ServiceDiscovery:            PathDiscovery,
	protocol.ServiceCollectionManagement: PathCollectionManagement,
	protocol.ServiceInbox:                PathInbox,
	protocol.ServicePoll:                 PathPoll,
}

// endpoint is one way to reach this node's services: a protocol binding and
// the address of each service under it.
type endpoint struct {
	protocol string
	bindings []string
	address  func(protocol.ServiceType) string
}

type baseURLKey struct{}

// withBaseURL records the scheme and host an HTTP request came to, so that
// answers advertise addresses the caller can use.
func withBaseURL(ctx context.Context, base string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, base)
}

// endpoints returns the ways the caller can reach the node: the HTTP
// binding (at the URL the caller used, or the configured listener) and one
// libp2p endpoint per listen address.
func (n *Node) endpoints(ctx context.Context) []endpoint {
	var eps []endpoint
	if base := n.baseURL(ctx); base != "" {
		proto := protocol.ProtocolHTTP
		if n.tls {
			proto = protocol.ProtocolHTTPS
		}
		eps = append(eps, endpoint{
			protocol: proto,
			bindings: []string{protocol.MessageBindingXML11, protocol.MessageBindingXML10},
			address:  func(s protocol.ServiceType) string { return base + servicePaths[s] },
		})
	}
	for _, a := range n.host.Addrs() {
		addr := a.String()
		eps = append(eps, endpoint{
			protocol: protocol.ProtocolLibp2p,
			bindings: []string{protocol.MessageBindingXML11},
			address:  func(protocol.ServiceType) string { return addr },
		})
	}
	return eps
}

func (n *Node) baseURL(ctx context.Context) string {
	if base, ok := ctx.Value(baseURLKey{}).(string); ok {
		return base
	}
	if n.httpAddr == "" {
		return ""
	}
	if n.tls {
		return "https://" + n.httpAddr
	}
	return "http://" + n.httpAddr
}

// discover answers a Discovery_Request with the services the caller may use
// (SVC-1, EXC-10, EXC-11).
func (n *Node) discover(ctx context.Context, caller trust.Identity, req *protocol.DiscoveryRequest) (protocol.Message, error) {
	st := n.state.Load()
	readable := n.allowed(caller, st, trust.Read)
	writable := n.allowed(caller, st, trust.Write)
	var types []protocol.ServiceType
	types = append(types, protocol.ServiceDiscovery)
	if len(readable) > 0 {
		types = append(types, protocol.ServiceCollectionManagement, protocol.ServicePoll)
	}
	if len(writable) > 0 {
		types = append(types, protocol.ServiceInbox)
	}
	// A TAXII 1.0 client is told of the services as TAXII 1.0 services,
	// which is how the same endpoints answer it.
	version, bindingsFor := protocol.ServicesV11, func(ep endpoint) []string { return ep.bindings }
	if req.Version == protocol.V10 {
		version = protocol.ServicesV10
		bindingsFor = func(endpoint) []string { return []string{protocol.MessageBindingXML10} }
	}
	yes := true
	resp := &protocol.DiscoveryResponse{}
	for _, ep := range n.endpoints(ctx) {
		if req.Version == protocol.V10 && ep.protocol == protocol.ProtocolLibp2p {
			continue
		}
		for _, t := range types {
			si := protocol.ServiceInstance{
				ServiceType:     t,
				ServiceVersion:  version,
				Available:       &yes,
				ProtocolBinding: ep.protocol,
				Address:         ep.address(t),
				MessageBindings: bindingsFor(ep),
			}
			switch t {
			case protocol.ServicePoll, protocol.ServiceCollectionManagement:
				si.SupportedQueries = []protocol.SupportedQuery{query.SupportedQuery()}
			case protocol.ServiceInbox:
				si.ContentBindings = inboxBindings(st, writable)
			}
			resp.ServiceInstances = append(resp.ServiceInstances, si)
		}
	}
	return resp, nil
}

// inboxBindings returns what an Inbox takes across the given collections:
// nothing listed when one of them takes everything (MSG-32).
func inboxBindings(st *state, names []string) []protocol.ContentBinding {
	var all []protocol.ContentBinding
	for _, name := range names {
		c, _ := st.collection(name)
		if len(c.accept) == 0 {
			return nil
		}
		for _, b := range c.accept {
			if !slices.ContainsFunc(all, func(x protocol.ContentBinding) bool {
				return x.BindingID == b.BindingID && slices.Equal(x.Subtypes, b.Subtypes)
			}) {
				all = append(all, b)
			}
		}
	}
	return all
}

// allowed returns, sorted, the collections on which the caller holds
// every right in want.
func (n *Node) allowed(caller trust.Identity, st *state, want trust.Right) []string {
	var names []string
	for _, name := range st.names {
		if n.trust.Allowed(caller, name, want) {
			names = append(names, name)
		}
	}
	return names
}
