package node

import (
	"slices"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

func manage(t *testing.T, h *harness, m *protocol.SubscriptionManagementRequest) protocol.Message {
	t.Helper()
	return h.send(protocol.ServiceCollectionManagement, m)
}

func subscribeReq(coll string, p *protocol.SubscriptionParameters,
	push *protocol.DeliveryParameters) *protocol.SubscriptionManagementRequest {
	if p == nil {
		p = &protocol.SubscriptionParameters{}
	}
	return &protocol.SubscriptionManagementRequest{Action: protocol.ActionSubscribe, CollectionName: coll,
		Parameters: p, PushParameters: push}
}

func wantManaged(t *testing.T, m protocol.Message) *protocol.SubscriptionManagementResponse {
	t.Helper()
	r, ok := m.(*protocol.SubscriptionManagementResponse)
	if !ok {
		if st, isStatus := m.(*protocol.StatusMessage); isStatus {
			t.Fatalf("answer is status %s (%s)", st.StatusType, st.Message)
		}
		t.Fatalf("answer is a %s", m.Type())
	}
	return r
}

// TestSubscriptionRules walks the processing rules of EXC-22 in order.
func TestSubscriptionRules(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.HTTP.Anonymous = RightsSettings{Read: []string{"open", "typed"}}
		s.Subscriptions.PushURLs = []string{"http://127.0.0.1:1/"}
		s.Collections = append(s.Collections, CollectionSettings{Name: "open"},
			CollectionSettings{Name: "typed", Accept: []BindingSettings{{Binding: protocol.BindingSTIX12}}},
			CollectionSettings{Name: "closed"})
	})
	httpPush := &protocol.DeliveryParameters{ProtocolBinding: protocol.ProtocolHTTP,
		Address: "http://127.0.0.1:1/inbox", MessageBinding: protocol.MessageBindingXML11}

	// Rule 1: no right, no change (UNAUTHORIZED beats NOT_FOUND).
	wantStatus(t, manage(t, h, subscribeReq("closed", nil, nil)), protocol.StatusUnauthorized)
	// Rule 2: unknown collection.
	h.edit(func(s *Settings) { s.HTTP.Anonymous.Read = []string{"*"} })
	st := wantStatus(t, manage(t, h, subscribeReq("missing", nil, nil)), protocol.StatusNotFound)
	if !slices.Equal(st.DetailValues(protocol.DetailItem), []string{"missing"}) {
		t.Errorf("NOT_FOUND details %v", st.Details)
	}
	// Rule 3: unsubscribing an unknown ID succeeds and changes nothing (AMB-17).
	r := wantManaged(t, manage(t, h, &protocol.SubscriptionManagementRequest{Action: protocol.ActionUnsubscribe,
		CollectionName: "open", SubscriptionID: "urn:example:nope"}))
	if len(r.Subscriptions) != 1 || r.Subscriptions[0].Status != protocol.SubscriptionUnsubscribed ||
		r.Subscriptions[0].SubscriptionID != "urn:example:nope" {
		t.Errorf("unsubscribe of an unknown id: %+v", r.Subscriptions)
	}
	// Rule 4: what the node cannot honour (MSG-51).
	badProto := *httpPush
	badProto.ProtocolBinding = "urn:example:pigeon"
	wantStatus(t, manage(t, h, subscribeReq("open", nil, &badProto)), protocol.StatusUnsupportedProtocol)
	badBinding := *httpPush
	badBinding.MessageBinding = "urn:example:json"
	wantStatus(t, manage(t, h, subscribeReq("open", nil, &badBinding)), protocol.StatusUnsupportedMessage)
	// Only the inboxes the operator lists receive pushes.
	elsewhere := *httpPush
	elsewhere.Address = "http://127.0.0.1:2/admin"
	wantStatus(t, manage(t, h, subscribeReq("open", nil, &elsewhere)), protocol.StatusDenied)
	withUser := *httpPush
	withUser.Address = "http://user:pass@127.0.0.1:1/inbox"
	wantStatus(t, manage(t, h, subscribeReq("open", nil, &withUser)), protocol.StatusDenied)
	wantStatus(t, manage(t, h, subscribeReq("open", &protocol.SubscriptionParameters{
		Query: &protocol.Query{FormatID: "urn:example:sql"}}, nil)), protocol.StatusUnsupportedQuery)
	wantStatus(t, manage(t, h, subscribeReq("typed", &protocol.SubscriptionParameters{
		ContentBindings: []protocol.ContentBinding{{BindingID: protocol.BindingCAP12}}}, nil)),
		protocol.StatusUnsupportedContent)
	if got := len(wantManaged(t, manage(t, h, &protocol.SubscriptionManagementRequest{
		Action: protocol.ActionStatus, CollectionName: "open"})).Subscriptions); got != 0 {
		t.Fatalf("refused requests created %d subscriptions (EXC-20)", got)
	}

	// Rule 5: the same SUBSCRIBE twice gives the same subscription (AMB-18:
	// binding order does not matter).
	params := func(order ...string) *protocol.SubscriptionParameters {
		p := &protocol.SubscriptionParameters{ResponseType: protocol.ResponseFull}
		for _, b := range order {
			p.ContentBindings = append(p.ContentBindings, protocol.ContentBinding{BindingID: b})
		}
		return p
	}
	first := wantManaged(t, manage(t, h, subscribeReq("open", params(protocol.BindingSTIX12, protocol.BindingSTIX111),
		httpPush))).Subscriptions[0]
	again := wantManaged(t, manage(t, h, subscribeReq("open", params(protocol.BindingSTIX111, protocol.BindingSTIX12),
		httpPush))).Subscriptions[0]
	if first.SubscriptionID != again.SubscriptionID {
		t.Errorf("duplicate SUBSCRIBE made %s and %s", first.SubscriptionID, again.SubscriptionID)
	}
	if first.PushParameters == nil || first.Parameters == nil {
		t.Errorf("SUBSCRIBE answer lacks the parameter copies: %+v", first)
	}
	id := first.SubscriptionID
	action := func(a protocol.Action, id string) protocol.Message {
		return manage(t, h, &protocol.SubscriptionManagementRequest{Action: a, CollectionName: "open",
			SubscriptionID: id})
	}
	// Rule 6: pausing twice and resuming twice are harmless. The answers
	// carry the parameters too (MSG-62 allows it), so that a subscriber
	// sees what it paused.
	for _, a := range []protocol.Action{protocol.ActionPause, protocol.ActionPause} {
		s := wantManaged(t, action(a, id)).Subscriptions[0]
		if s.Status != protocol.SubscriptionPaused {
			t.Errorf("%s: status %s", a, s.Status)
		}
		if s.Parameters == nil || len(s.Parameters.ContentBindings) != 2 {
			t.Errorf("%s answer lacks the parameters: %+v", a, s.Parameters)
		}
	}
	for _, a := range []protocol.Action{protocol.ActionResume, protocol.ActionResume} {
		s := wantManaged(t, action(a, id)).Subscriptions[0]
		if s.Status == protocol.SubscriptionPaused {
			t.Errorf("%s: still paused", a)
		}
		if s.Parameters == nil || len(s.Parameters.ContentBindings) != 2 {
			t.Errorf("%s answer lacks the parameters: %+v", a, s.Parameters)
		}
	}
	// Rule 7: PAUSE, RESUME or STATUS of an unknown ID.
	for _, a := range []protocol.Action{protocol.ActionPause, protocol.ActionResume, protocol.ActionStatus} {
		wantStatus(t, action(a, "urn:example:nope"), protocol.StatusNotFound)
	}
	// STATUS carries the parameters (EXC-25, MSG-62).
	s := wantManaged(t, action(protocol.ActionStatus, id)).Subscriptions
	if len(s) != 1 || s[0].Parameters == nil || len(s[0].Parameters.ContentBindings) != 2 {
		t.Errorf("STATUS: %+v", s)
	}
}

// TestPollBySubscription honours the subscription's parameters and state.
func TestPollBySubscription(t *testing.T) {
	h := newHarness(t, nil)
	sub := wantManaged(t, manage(t, h, subscribeReq(DefaultCollection, &protocol.SubscriptionParameters{
		ResponseType: protocol.ResponseCountOnly}, nil))).Subscriptions[0]
	h.push(DefaultCollection, stix("one"), stix("two"))
	poll := func() protocol.Message {
		return h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
			SubscriptionID: sub.SubscriptionID})
	}
	pr := wantPoll(t, poll())
	if pr.SubscriptionID != sub.SubscriptionID || pr.RecordCount.Count != 2 || len(pr.ContentBlocks) != 0 {
		t.Errorf("poll by a COUNT_ONLY subscription: id %q count %v blocks %d", pr.SubscriptionID, pr.RecordCount,
			len(pr.ContentBlocks))
	}
	manage(t, h, &protocol.SubscriptionManagementRequest{Action: protocol.ActionPause,
		CollectionName: DefaultCollection, SubscriptionID: sub.SubscriptionID})
	wantStatus(t, poll(), protocol.StatusDenied)
	manage(t, h, &protocol.SubscriptionManagementRequest{Action: protocol.ActionUnsubscribe,
		CollectionName: DefaultCollection, SubscriptionID: sub.SubscriptionID})
	wantStatus(t, poll(), protocol.StatusNotFound)
}

// TestURLWithin: an inbox is on the operator's list only at or below a
// listed URL: same scheme, host and port, and a path below, segment by
// segment.
func TestURLWithin(t *testing.T) {
	tests := []struct {
		addr, base string
		want       bool
	}{
		{"https://siem.example.org/taxii/inbox", "https://siem.example.org/taxii/", true},
		{"https://siem.example.org/taxii", "https://siem.example.org/taxii/", false},
		{"https://siem.example.org/taxii/", "https://siem.example.org/taxii/", true},
		{"https://siem.example.org/taxii", "https://siem.example.org/taxii", true},
		{"https://siem.example.org", "https://siem.example.org/", true},
		{"https://SIEM.example.org:443/taxii/inbox", "https://siem.example.org/taxii", true},
		{"https://siem.example.org/inbox", "https://siem.example.org", true},
		{"https://siem.example.org.attacker.test/inbox", "https://siem.example.org", false},
		{"https://siem.example.org@attacker.test/inbox", "https://siem.example.org", false},
		{"http://127.0.0.1:9998/inbox", "http://127.0.0.1:999", false},
		{"http://siem.example.org/taxii/inbox", "https://siem.example.org/taxii/", false},
		{"https://siem.example.org/taxiiadmin", "https://siem.example.org/taxii", false},
		{"https://siem.example.org/taxii/../admin", "https://siem.example.org/taxii/", false},
		{"https://siem.example.org/taxii/%2e%2e/admin", "https://siem.example.org/taxii/", false},
	}
	for _, tt := range tests {
		if got := urlWithin(tt.addr, tt.base); got != tt.want {
			t.Errorf("urlWithin(%q, %q) = %v, want %v", tt.addr, tt.base, got, tt.want)
		}
	}
}
