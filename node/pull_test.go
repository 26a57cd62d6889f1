package node

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
)

// scriptedPeer answers polls from a script: the answer to the poll
// request, then one per fulfillment part. It plays a remote TAXII producer,
// here for the node's client side.
type scriptedPeer struct {
	host *peer.Host

	mu           sync.Mutex
	answers      []protocol.Message
	fulfillments []int
}

func (s *scriptedPeer) serve(req protocol.Message) protocol.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := 0
	if f, ok := req.(*protocol.PollFulfillment); ok {
		s.fulfillments = append(s.fulfillments, f.ResultPartNumber)
		i = f.ResultPartNumber - 1
	}
	return s.answers[min(i, len(s.answers)-1)]
}

// newScriptedPeer starts the scripted producer; h trusts it with read and
// write on the default collection.
func newScriptedPeer(t *testing.T, h *harness, answers ...protocol.Message) *scriptedPeer {
	t.Helper()
	s := &scriptedPeer{answers: answers}
	all := []string{DefaultCollection}
	s.host = startRemote(t, h, s.serve, RightsSettings{Read: all, Write: all})
	return s
}

func part(more bool, n int, end string, blocks ...protocol.ContentBlock) *protocol.PollResponse {
	t, _ := protocol.ParseTimestamp(end)
	return &protocol.PollResponse{CollectionName: DefaultCollection, More: more, ResultID: "result-0001",
		ResultPartNumber: n, InclusiveEnd: t, RecordCount: &protocol.RecordCount{Count: 5},
		ContentBlocks: blocks}
}

// TestCaseS04ClientStopsAfterLastPart: given parts 1 and 2 with more="true"
// and part 3 of the case file, catch-up sends exactly two Poll_Fulfillment
// requests, stores the blocks of all three parts once, and keeps the end of
// the last part as its cursor, exactly as sent (case S03's client rule).
func TestCaseS04ClientStopsAfterLastPart(t *testing.T) {
	h := newHarness(t, nil)
	m, err := protocol.Decode(caseFile(t, "S04-multipart-poll-last-part/poll-response-part-3-of-3.xml"))
	if err != nil {
		t.Fatal(err)
	}
	last := m.(*protocol.PollResponse)
	last.CollectionName = DefaultCollection
	s := newScriptedPeer(t, h,
		part(true, 1, "2020-02-25T00:00:00Z", stix("p1a"), stix("p1b")),
		part(true, 2, "2020-02-25T12:00:00Z", stix("p2a"), stix("p1a")),
		last,
	)
	// Connecting triggers the catch-up.
	waitCursor(t, h, s, "2020-02-26T00:00:00.404Z")
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fulfillments) != 2 || s.fulfillments[0] != 2 || s.fulfillments[1] != 3 {
		t.Errorf("fulfillment requests for parts %v, want [2 3]", s.fulfillments)
	}
	if n := count(t, h, DefaultCollection); n != 4 {
		t.Errorf("%d blocks stored, want 4 (p1a is sent twice)", n)
	}
}

// waitCursor waits until h's catch-up cursor for the scripted peer is at
// want.
func waitCursor(t *testing.T, h *harness, s *scriptedPeer, want string) {
	t.Helper()
	wantTime, err := protocol.ParseTimestamp(want)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		cur, err := h.n.store.Cursor(context.Background(), s.host.ID().String(), DefaultCollection)
		if err != nil {
			t.Fatal(err)
		}
		if got := cur.Time(); got.Equal(wantTime) {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("cursor %v, want %s", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCaseS14ClientKeepsNothingOfABadPart: when part 2 of a result does not
// come (here the producer answers with an error), the blocks of part 1 are
// kept, nothing of part 2, and the cursor stays at the end of part 1, so the
// next catch-up asks again from there.
func TestCaseS14ClientKeepsNothingOfABadPart(t *testing.T) {
	h := newHarness(t, nil)
	s := newScriptedPeer(t, h,
		part(true, 1, "2020-02-25T00:00:00Z", stix("p1")),
		&protocol.StatusMessage{StatusType: protocol.StatusFailure, Message: "cut off"},
	)
	waitCursor(t, h, s, "2020-02-25T00:00:00Z")
	// The failed part 2 was asked for; wait for it before looking.
	for deadline := time.Now().Add(10 * time.Second); ; {
		s.mu.Lock()
		asked := len(s.fulfillments)
		s.mu.Unlock()
		if asked > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := count(t, h, DefaultCollection); n != 1 {
		t.Errorf("%d blocks stored, want part 1's only", n)
	}
	waitCursor(t, h, s, "2020-02-25T00:00:00Z")
}
