package httpbinding

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestFinish checks the IDs and version an answer goes out with (MSG-3,
// AMB-11, V10-3) and that the handler's message is left as it was.
func TestFinish(t *testing.T) {
	tests := []struct {
		name      string
		in        protocol.Header
		v         protocol.Version
		requestID string
		wantID    string // "" = a fresh ID of version v
		wantIRT   string
	}{
		{name: "complete 1.1 answer unchanged", v: protocol.V11, requestID: "r",
			in:     protocol.Header{MessageID: "urn:uuid:x", InResponseTo: "r"},
			wantID: "urn:uuid:x", wantIRT: "r"},
		{name: "missing in_response_to filled", v: protocol.V11, requestID: "r",
			in: protocol.Header{MessageID: "m"}, wantID: "m", wantIRT: "r"},
		{name: "AMB-11 unknown request", v: protocol.V11,
			in: protocol.Header{MessageID: "m"}, wantID: "m", wantIRT: "0"},
		{name: "missing message_id filled", v: protocol.V11, requestID: "r",
			in: protocol.Header{InResponseTo: "r"}, wantIRT: "r"},
		{name: "V10-3 numeric id for 1.0", v: protocol.V10, requestID: "7",
			in: protocol.Header{MessageID: "urn:uuid:x", InResponseTo: "7"}, wantIRT: "7"},
		{name: "V10-3 AMB-11 request id 1.0 cannot carry", v: protocol.V10, requestID: "s09-1",
			in: protocol.Header{MessageID: "12"}, wantID: "12", wantIRT: "0"},
		{name: "numeric id kept for 1.0", v: protocol.V10, requestID: "7",
			in: protocol.Header{MessageID: "12", InResponseTo: "7"}, wantID: "12", wantIRT: "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := &protocol.StatusMessage{Header: tt.in, StatusType: protocol.StatusSuccess}

			got := finish(orig, tt.v, tt.requestID).Head()

			if got.Version != tt.v || got.InResponseTo != tt.wantIRT {
				t.Errorf("version %d in response to %q, want %d and %q",
					got.Version, got.InResponseTo, tt.v, tt.wantIRT)
			}
			switch {
			case tt.wantID != "" && got.MessageID != tt.wantID:
				t.Errorf("message_id = %q, want %q", got.MessageID, tt.wantID)
			case got.MessageID == "":
				t.Error("message_id empty")
			case tt.v == protocol.V10 && !numeric(got.MessageID):
				t.Errorf("1.0 message_id %q not numeric", got.MessageID)
			}
			if orig.MessageID != tt.in.MessageID || orig.InResponseTo != tt.in.InResponseTo ||
				orig.Version != tt.in.Version {
				t.Errorf("original modified: %+v", orig.Header)
			}
		})
	}
}

// TestFinishKeepsRequests checks that in_response_to is only added to
// message types that carry it (MSG-2).
func TestFinishKeepsRequests(t *testing.T) {
	in := &protocol.InboxMessage{Header: protocol.Header{MessageID: "m"}}
	if got := finish(in, protocol.V11, "r").Head().InResponseTo; got != "" {
		t.Errorf("Inbox_Message got in_response_to %q", got)
	}
}

// oddMessage is a message type package protocol does not know, so it can be
// neither validated nor encoded.
type oddMessage struct{ protocol.Header }

func (*oddMessage) Type() protocol.MessageType { return "Odd_Message" }

// TestWriteEncodeFailure checks that an answer that fails to encode before
// any byte is sent is replaced by a FAILURE Status Message.
func TestWriteEncodeFailure(t *testing.T) {
	s := &Server{}
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	w := httptest.NewRecorder()
	ex := exchange{requestID: "r1", answer: protocol.V11}
	odd := &oddMessage{Header: protocol.Header{MessageID: "m", InResponseTo: "r1"}}

	s.write(w, r, http.StatusOK, ex, odd)

	st := statusOf(t, w.Body.Bytes(), protocol.V11)
	if st.StatusType != protocol.StatusFailure || st.InResponseTo != "r1" {
		t.Errorf("status %s in response to %q, want FAILURE to r1", st.StatusType, st.InResponseTo)
	}
}

// TestServerLargeAnswer checks that an answer larger than the 64 KiB that
// protocol.Write holds back streams to the client whole.
func TestServerLargeAnswer(t *testing.T) {
	const n = 2000
	big := discoveryResponse(protocol.V11, "1")
	for len(big.ServiceInstances) < n {
		big.ServiceInstances = append(big.ServiceInstances, big.ServiceInstances[0])
	}
	handler := HandlerFunc(func(context.Context, *Request) protocol.Message { return big })
	srv := newHTTPServer(t, &Server{Handler: handler})

	_, data := post(t, srv.Client(), srv.URL, headers11(),
		readFile(t, messagesDir+"/discovery_request.sample-use.xml"))

	if len(data) <= 64<<10 {
		t.Fatalf("answer of %d bytes does not exceed 64 KiB", len(data))
	}
	m := decodeAs(t, data, protocol.TypeDiscoveryResponse, protocol.V11)
	if got := len(m.(*protocol.DiscoveryResponse).ServiceInstances); got != n {
		t.Errorf("answer has %d service instances, want %d", got, n)
	}
}

// TestServerSharedAnswer checks that the server never modifies the message
// a handler returns: one shared Discovery_Response answers 1.1 and 1.0
// requests at once (run with -race), each in its own binding, and keeps its
// own version and IDs.
func TestServerSharedAnswer(t *testing.T) {
	shared := discoveryResponse(protocol.V11, "")
	sharedID := shared.MessageID
	handler := HandlerFunc(func(context.Context, *Request) protocol.Message { return shared })
	srv := newHTTPServer(t, &Server{Handler: handler})
	req11 := readFile(t, messagesDir+"/discovery_request.sample-use.xml")
	req10 := readFile(t, messagesDir+"/taxii-1.0/discovery_request.xml")

	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			body, v, id := req11, protocol.V11, "1"
			if i%2 == 1 {
				body, v, id = req10, protocol.V10, "4711"
			}
			resp, data := post(t, srv.Client(), srv.URL, map[string]string{}, body)
			checkAnswerHeaders(t, resp, v, protocol.ProtocolHTTP)
			m := decodeAs(t, data, protocol.TypeDiscoveryResponse, v)
			if m.Head().InResponseTo != id {
				t.Errorf("in_response_to = %q, want %q (MSG-3)", m.Head().InResponseTo, id)
			}
			if v == protocol.V10 && !numeric(m.Head().MessageID) {
				t.Errorf("1.0 message_id %q is not numeric (V10-3)", m.Head().MessageID)
			}
		})
	}
	wg.Wait()
	if shared.Version != protocol.V11 || shared.MessageID != sharedID || shared.InResponseTo != "" {
		t.Errorf("handler's answer modified: %+v", shared.Header)
	}
}
