package node

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	ma "github.com/multiformats/go-multiaddr"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestInboxAllOrNothing: an Inbox Message answered with anything but
// SUCCESS leaves nothing behind (EXC-3, AMB-19), whichever block or
// destination is at fault.
func TestInboxAllOrNothing(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.HTTP.Anonymous = RightsSettings{Read: []string{"*"}, Write: []string{DefaultCollection, "stix12"}}
		s.Collections = append(s.Collections,
			CollectionSettings{Name: "stix12", Accept: []BindingSettings{{Binding: protocol.BindingSTIX12}}},
			CollectionSettings{Name: "closed"})
	})
	json := protocol.ContentBlock{Binding: protocol.ContentBinding{BindingID: protocol.BindingSTIX21JSON},
		Content: []byte(`{"type":"bundle"}`)}
	tests := []struct {
		name  string
		dests []string
		want  protocol.StatusType
	}{
		{"one block of the wrong binding", []string{"stix12"}, protocol.StatusUnsupportedContent},
		{"one destination of the wrong binding", []string{DefaultCollection, "stix12"},
			protocol.StatusUnsupportedContent},
		{"one destination not writable", []string{DefaultCollection, "closed"}, protocol.StatusUnauthorized},
		// The caller may not write "nowhere" either, and is not told
		// whether it exists (AMB-24).
		{"one destination unknown", []string{DefaultCollection, "nowhere"}, protocol.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blk := stix("fine")
			blk.Binding.BindingID = protocol.BindingSTIX12
			resp := h.send(protocol.ServiceInbox, &protocol.InboxMessage{DestinationCollectionNames: tt.dests,
				ContentBlocks: []protocol.ContentBlock{blk, json}})
			st := wantStatus(t, resp, tt.want)
			if tt.want == protocol.StatusDestinationCollection &&
				len(st.DetailValues(protocol.DetailAcceptableDestination)) == 0 {
				t.Error("no ACCEPTABLE_DESTINATION details (ST-4)")
			}
			for _, c := range []string{DefaultCollection, "stix12"} {
				if n := count(t, h, c); n != 0 {
					t.Errorf("%s holds %d blocks after a refused message", c, n)
				}
			}
		})
	}
}

// TestInboxUnknownDestination: a caller that may write any collection is
// told that a destination does not exist, with those it may push to (ST-4);
// one without rights on it gets UNAUTHORIZED, as for an existing
// collection it may not write, so existence is not disclosed (AMB-24).
func TestInboxUnknownDestination(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.HTTP.Anonymous = RightsSettings{Write: []string{"*"}}
	})
	st := wantStatus(t, h.send(protocol.ServiceInbox, &protocol.InboxMessage{
		DestinationCollectionNames: []string{"nowhere"}, ContentBlocks: []protocol.ContentBlock{stix("x")}}),
		protocol.StatusDestinationCollection)
	if got := st.DetailValues(protocol.DetailAcceptableDestination); fmt.Sprint(got) != "["+DefaultCollection+"]" {
		t.Errorf("ACCEPTABLE_DESTINATION %v, want [%s]", got, DefaultCollection)
	}

	closed := newHarness(t, func(s *Settings) {
		s.HTTP.Anonymous = RightsSettings{Write: []string{DefaultCollection}}
		s.Collections = append(s.Collections, CollectionSettings{Name: "secret"})
	})
	for _, name := range []string{"secret", "nowhere"} {
		wantStatus(t, closed.send(protocol.ServiceInbox, &protocol.InboxMessage{
			DestinationCollectionNames: []string{name}, ContentBlocks: []protocol.ContentBlock{stix("x")}}),
			protocol.StatusUnauthorized)
	}
}

// TestFeedRecordsAreImmutable: pushing the same content again changes
// nothing: it keeps its first label (GEN-7, GEN-8).
func TestFeedRecordsAreImmutable(t *testing.T) {
	h := newHarness(t, nil)
	h.push(DefaultCollection, stix("once"))
	first := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		Parameters: &protocol.PollParameters{}})).ContentBlocks[0].TimestampLabel
	h.push(DefaultCollection, stix("once"))
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		Parameters: &protocol.PollParameters{}}))
	if len(pr.ContentBlocks) != 1 || !pr.ContentBlocks[0].TimestampLabel.Equal(first) {
		t.Fatalf("after a second push: %d blocks, label %v, want one block labelled %v",
			len(pr.ContentBlocks), pr.ContentBlocks[0].TimestampLabel, first)
	}
}

// TestDataSetPoll: a Data Set ignores time bounds and its answers carry
// none (EXC-70, MSG-80, AMB-25).
func TestDataSetPoll(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.Collections = append(s.Collections, CollectionSettings{Name: "set", Type: string(protocol.DataSet)})
	})
	h.push("set", stix("a"), stix("b"))
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "set",
		ExclusiveBegin: time.Now().Add(time.Hour), InclusiveEnd: time.Now().Add(2 * time.Hour),
		Parameters: &protocol.PollParameters{}}))
	if len(pr.ContentBlocks) != 2 || !pr.ExclusiveBegin.IsZero() || !pr.InclusiveEnd.IsZero() {
		t.Errorf("data set poll: %d blocks, begin %v, end %v; want both blocks and no bounds",
			len(pr.ContentBlocks), pr.ExclusiveBegin, pr.InclusiveEnd)
	}
}

// TestPollIgnoresDeliveryParameters: a node that answers at once ignores
// Delivery_Parameters, even ones it could not use (EXC-56), and never
// answers PENDING (EXC-50).
func TestPollIgnoresDeliveryParameters(t *testing.T) {
	h := newHarness(t, nil)
	h.push(DefaultCollection, stix("now"))
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		Parameters: &protocol.PollParameters{AllowAsynch: true, DeliveryParameters: &protocol.DeliveryParameters{
			ProtocolBinding: "urn:example:pigeon", Address: "loft 7", MessageBinding: "urn:example:paper"}}}))
	if len(pr.ContentBlocks) != 1 {
		t.Errorf("%d blocks, want 1", len(pr.ContentBlocks))
	}
}

// TestPollWindowEnd: the end of a feed's answer is never beyond the newest
// label, so a poll from that end misses nothing added later (EXC-73,
// EXC-74).
func TestPollWindowEnd(t *testing.T) {
	h := newHarness(t, nil)
	h.push(DefaultCollection, stix("first"))
	far := time.Now().Add(24 * time.Hour)
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		InclusiveEnd: far, Parameters: &protocol.PollParameters{}}))
	if pr.InclusiveEnd.IsZero() || !pr.InclusiveEnd.Before(far) {
		t.Fatalf("end %v: it must be present and not beyond the newest label", pr.InclusiveEnd)
	}
	h.push(DefaultCollection, stix("second"))
	next := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		ExclusiveBegin: pr.InclusiveEnd, Parameters: &protocol.PollParameters{}}))
	if got := titles(next); len(got) != 1 || got[0] != "second" {
		t.Fatalf("poll from the reported end: %v, want the block added since", got)
	}
}

// TestPollUnsupportedContent: a poll asking only for bindings the
// collection never holds is answered UNSUPPORTED_CONTENT with the
// supported ones (EXC-35, ST-15).
func TestPollUnsupportedContent(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.Collections = append(s.Collections,
			CollectionSettings{Name: "stix12", Accept: []BindingSettings{{Binding: protocol.BindingSTIX12}}})
	})
	st := wantStatus(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "stix12",
		Parameters: &protocol.PollParameters{ContentBindings: []protocol.ContentBinding{
			{BindingID: protocol.BindingCAP12}}}}), protocol.StatusUnsupportedContent)
	if got := st.DetailValues(protocol.DetailSupportedContent); len(got) != 1 || got[0] != protocol.BindingSTIX12 {
		t.Errorf("SUPPORTED_CONTENT %v", got)
	}
}

// TestWrongService: a request sent to a service that does not handle its
// type is answered FAILURE saying so (AMB-10).
func TestWrongService(t *testing.T) {
	h := newHarness(t, nil)
	body, err := protocol.Encode(&protocol.PollRequest{Header: protocol.Header{MessageID: "wrong-1"},
		CollectionName: DefaultCollection, Parameters: &protocol.PollParameters{}})
	if err != nil {
		t.Fatal(err)
	}
	st := wantStatus(t, h.post(PathInbox, body, nil), protocol.StatusFailure)
	if st.InResponseTo != "wrong-1" {
		t.Errorf("in_response_to %q", st.InResponseTo)
	}
}

// TestPeerUnreachable: the operator's request to a trusted peer that cannot
// be reached is answered NETWORK_ERROR (ST-7), not an HTTP error.
func TestPeerUnreachable(t *testing.T) {
	h := newHarness(t, nil)
	gone := newHarness(t, nil)
	id := gone.n.ID().String()
	h.edit(func(s *Settings) {
		s.Peers = append(s.Peers, PeerSettings{Name: "gone", ID: id, Addrs: []string{"/ip4/127.0.0.1/tcp/1"}})
	})
	c, err := NewClient(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Poll(t.Context(), PollOptions{Collection: DefaultCollection, Peer: id}, func(*Block) error { return nil })
	var se *protocol.StatusError
	if !errors.As(err, &se) || se.Type != protocol.StatusNetworkError {
		t.Fatalf("poll of an unreachable peer: %v, want NETWORK_ERROR", err)
	}
	// The status says why the peer is not connected.
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := c.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Peers) == 1 && st.Peers[0].LastError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status gives no reason for the unreachable peer: %+v", st.Peers)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStalledClientCutOff: a client that stops in the middle of its body is
// disconnected after the read timeout instead of holding the connection.
func TestStalledClientCutOff(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.HTTP.ReadTimeout = 500 * time.Millisecond })
	conn, err := net.Dial("tcp", h.n.HTTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"+
		"Content-Length: 1000\r\n\r\n<taxii", PathInbox)
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	io.Copy(io.Discard, conn) // returns when the node closes the connection
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("connection held for %v", d)
	}
}

// TestPortTaken: a node cannot start on a libp2p port another node uses;
// it would otherwise share it and take some of the other's connections.
func TestPortTaken(t *testing.T) {
	h := newHarness(t, nil)
	var tcp string
	for _, a := range h.n.Addrs() {
		if transport, _ := ma.SplitLast(a); strings.Contains(transport.String(), "/tcp/") {
			tcp = transport.String()
		}
	}
	dir := t.TempDir()
	if _, err := Init(dir, InitOptions{P2PListen: []string{tcp}, HTTPListen: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	if n, err := New(Config{Dir: dir, Logger: discardLogger()}); err == nil {
		n.close()
		t.Fatalf("a second node started on %s", tcp)
	}
}
