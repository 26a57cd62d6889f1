package node

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/httpbinding"
)

// transport sends a TAXII request to a service of the node under test and
// returns the answer.
type transport interface {
	send(t *testing.T, svc protocol.ServiceType, m protocol.Message) protocol.Message
}

// httpTransport is a TAXII client with an HTTP Basic account.
type httpTransport struct {
	h      *harness
	client *httpbinding.Client
}

func (tr httpTransport) send(t *testing.T, svc protocol.ServiceType, m protocol.Message) protocol.Message {
	t.Helper()
	resp, err := tr.client.Send(context.Background(), tr.h.base+servicePaths[svc], m)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// libp2pTransport is another node, trusted by the node under test.
type libp2pTransport struct {
	from, to *harness
}

func (tr libp2pTransport) send(t *testing.T, _ protocol.ServiceType, m protocol.Message) protocol.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := tr.from.n.host.Request(ctx, tr.to.n.ID(), m)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// twoTransports starts a node whose collection "default" an account "alice"
// (over HTTP) and a peer (over libp2p) may both read and write, and returns
// both ways of reaching it.
func twoTransports(t *testing.T) (server *harness, trs map[string]transport) {
	t.Helper()
	hash, err := HashPassword("alice-secret")
	if err != nil {
		t.Fatal(err)
	}
	rights := RightsSettings{Read: []string{DefaultCollection}, Write: []string{DefaultCollection}}
	server = newHarness(t, func(s *Settings) {
		s.HTTP.Anonymous = RightsSettings{}
		s.Poll.MaxPartBlocks = 2
		s.Collections = append(s.Collections, CollectionSettings{Name: "hidden"})
		s.Accounts = []AccountSettings{{Name: "alice", PasswordHash: hash, RightsSettings: rights}}
	})
	client := newHarness(t, nil)
	server.edit(func(s *Settings) {
		s.Peers = append(s.Peers, PeerSettings{Name: "client", ID: client.n.ID().String(), RightsSettings: rights})
	})
	client.edit(func(s *Settings) {
		s.Peers = append(s.Peers, PeerSettings{Name: "server", ID: server.n.ID().String(),
			Addrs: addrStrings(server.n.Addrs()), RightsSettings: rights})
	})
	return server, map[string]transport{
		"http":   httpTransport{h: server, client: &httpbinding.Client{Username: "alice", Password: "alice-secret"}},
		"libp2p": libp2pTransport{from: client, to: server},
	}
}

func addrStrings[A fmt.Stringer](addrs []A) []string {
	var out []string
	for _, a := range addrs {
		out = append(out, a.String())
	}
	return out
}

// edit changes the node's configuration file and applies it.
func (h *harness) edit(f func(*Settings)) {
	h.t.Helper()
	s, err := LoadSettings(h.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	f(s)
	if err := SaveSettings(h.dir, s); err != nil {
		h.t.Fatal(err)
	}
	h.n.Reload()
}

// TestServicesOverBothTransports runs the same exchanges over the HTTP
// binding and over libp2p and expects the same answers.
func TestServicesOverBothTransports(t *testing.T) {
	server, trs := twoTransports(t)
	for name, tr := range trs {
		t.Run(name, func(t *testing.T) {
			exchanges(t, server, tr, name)
		})
	}
}

func exchanges(t *testing.T, server *harness, tr transport, tag string) {
	id := func() protocol.Header { return protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)} }
	send := func(svc protocol.ServiceType, m protocol.Message) protocol.Message {
		resp := tr.send(t, svc, m)
		if resp.Head().InResponseTo != m.Head().MessageID {
			t.Fatalf("in_response_to %q, want %q (MSG-3)", resp.Head().InResponseTo, m.Head().MessageID)
		}
		if err := protocol.Validate(resp); err != nil {
			t.Fatalf("invalid answer: %v", err)
		}
		return resp
	}

	// Discovery lists the four services (SVC-1).
	d, ok := send(protocol.ServiceDiscovery, &protocol.DiscoveryRequest{Header: id()}).(*protocol.DiscoveryResponse)
	if !ok {
		t.Fatal("Discovery answered with something else")
	}
	types := map[protocol.ServiceType]bool{}
	for _, si := range d.ServiceInstances {
		types[si.ServiceType] = true
	}
	if len(types) != 4 {
		t.Errorf("discovered %v, want the four services", types)
	}

	// Collection information lists what the caller may read, not "hidden".
	ci := send(protocol.ServiceCollectionManagement,
		&protocol.CollectionInformationRequest{Header: id()}).(*protocol.CollectionInformationResponse)
	if len(ci.Collections) != 1 || ci.Collections[0].Name != DefaultCollection {
		t.Errorf("collections %+v, want only default", ci.Collections)
	}

	// Inbox: five blocks, then a poll in three parts of at most two blocks.
	for i := range 5 {
		m := &protocol.InboxMessage{Header: id(), DestinationCollectionNames: []string{DefaultCollection},
			ContentBlocks: []protocol.ContentBlock{stix(tag + " block " + string(rune('a'+i)))}}
		wantStatus(t, send(protocol.ServiceInbox, m), protocol.StatusSuccess)
	}
	var got []string
	pr := wantPoll(t, send(protocol.ServicePoll, &protocol.PollRequest{Header: id(),
		CollectionName: DefaultCollection, Parameters: &protocol.PollParameters{}}))
	for part := 1; ; part++ {
		got = append(got, titles(pr)...)
		if !pr.More {
			break
		}
		pr = wantPoll(t, send(protocol.ServicePoll, &protocol.PollFulfillment{Header: id(),
			CollectionName: DefaultCollection, ResultID: pr.ResultID, ResultPartNumber: part + 1}))
	}
	var mine []string
	for _, g := range got {
		if strings.HasPrefix(g, tag+" ") {
			mine = append(mine, g)
		}
	}
	if len(mine) != 5 {
		t.Errorf("polled %v, want this transport's five blocks", got)
	}

	// Errors come back as the same Status Messages.
	wantStatus(t, send(protocol.ServicePoll, &protocol.PollRequest{Header: id(), CollectionName: "hidden",
		Parameters: &protocol.PollParameters{}}), protocol.StatusUnauthorized)
	wantStatus(t, send(protocol.ServiceInbox, &protocol.InboxMessage{Header: id(),
		DestinationCollectionNames: []string{"hidden"}, ContentBlocks: []protocol.ContentBlock{stix("x")}}),
		protocol.StatusUnauthorized)
	wantStatus(t, send(protocol.ServicePoll, &protocol.PollFulfillment{Header: id(), CollectionName: DefaultCollection,
		ResultID: "urn:example:none", ResultPartNumber: 1}), protocol.StatusNotFound)

	// A subscription's whole life (EXC-20 to EXC-25).
	sm := send(protocol.ServiceCollectionManagement, &protocol.SubscriptionManagementRequest{Header: id(),
		Action: protocol.ActionSubscribe, CollectionName: DefaultCollection,
		Parameters: &protocol.SubscriptionParameters{}}).(*protocol.SubscriptionManagementResponse)
	subID := sm.Subscriptions[0].SubscriptionID
	for _, step := range []struct {
		action protocol.Action
		want   protocol.SubscriptionStatus
	}{
		{protocol.ActionPause, protocol.SubscriptionPaused},
		{protocol.ActionStatus, protocol.SubscriptionPaused},
		{protocol.ActionResume, protocol.SubscriptionActive},
		{protocol.ActionUnsubscribe, protocol.SubscriptionUnsubscribed},
	} {
		resp := send(protocol.ServiceCollectionManagement, &protocol.SubscriptionManagementRequest{Header: id(),
			Action: step.action, CollectionName: DefaultCollection, SubscriptionID: subID})
		r, ok := resp.(*protocol.SubscriptionManagementResponse)
		if !ok {
			t.Fatalf("%s answered %s", step.action, resp.Type())
		}
		st := r.Subscriptions[0].Status
		if st == "" {
			st = protocol.SubscriptionActive
		}
		if len(r.Subscriptions) != 1 || st != step.want {
			t.Errorf("%s: %+v, want one subscription %s", step.action, r.Subscriptions, step.want)
		}
	}
	status := send(protocol.ServiceCollectionManagement, &protocol.SubscriptionManagementRequest{Header: id(),
		Action: protocol.ActionStatus, CollectionName: DefaultCollection}).(*protocol.SubscriptionManagementResponse)
	if slices.ContainsFunc(status.Subscriptions, func(s protocol.SubscriptionInstance) bool {
		return s.SubscriptionID == subID
	}) {
		t.Error("a cancelled subscription is still listed")
	}
}

// TestHTTPAuthentication checks the ways an HTTP client is identified.
func TestHTTPAuthentication(t *testing.T) {
	server, _ := twoTransports(t)
	poll := &protocol.PollRequest{CollectionName: DefaultCollection, Parameters: &protocol.PollParameters{}}
	tests := []struct {
		name   string
		client *httpbinding.Client
		want   protocol.StatusType // "" for a Poll_Response
	}{
		{"no credentials", &httpbinding.Client{}, protocol.StatusUnauthorized},
		{"wrong password", &httpbinding.Client{Username: "alice", Password: "nope"}, protocol.StatusUnauthorized},
		{"unknown account", &httpbinding.Client{Username: "bob", Password: "x"}, protocol.StatusUnauthorized},
		{"account", &httpbinding.Client{Username: "alice", Password: "alice-secret"}, ""},
		{"wrong token", &httpbinding.Client{Header: http.Header{"Authorization": {"Bearer nope"}}},
			protocol.StatusUnauthorized},
		{"operator token", &httpbinding.Client{Header: http.Header{"Authorization": {"Bearer " + server.token()}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			poll.MessageID = protocol.NewMessageID(protocol.V11)
			resp, err := tt.client.Send(context.Background(), server.base+PathPoll, poll)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				wantPoll(t, resp)
			} else {
				wantStatus(t, resp, tt.want)
			}
		})
	}
}

func (h *harness) token() string {
	h.t.Helper()
	tok, err := LoadToken(h.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}
