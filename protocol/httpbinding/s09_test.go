package httpbinding

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// s09Dir holds the requests and the answer of fault case S09 (TAXII 1.0 and
// 1.1 on the same endpoint).
const s09Dir = casesDir + "/S09-taxii-10-vs-11"

// TestS09Server sends the .http requests of S09 to a server, as whole
// requests with CRLF line ends, and checks the answer's message, binding and
// headers (V10-1, AMB-15, HTTP-4).
func TestS09Server(t *testing.T) {
	// The node speaks TAXII 1.0, so discovery-10 gets a 1.0
	// Discovery_Response, in the binding X-TAXII-Accept allows. Its
	// in_response_to is "0": a 1.0 message cannot carry the ID "s09-1"
	// (V10-3, AMB-11), though the ID itself is accepted (AMB-32).
	tests := []struct {
		name     string
		file     string
		wantType protocol.MessageType
		wantVer  protocol.Version
		wantST   protocol.StatusType
		wantIRT  string
	}{
		{
			name: "discovery-10", file: "discovery-10.http",
			wantType: protocol.TypeDiscoveryResponse, wantVer: protocol.V10, wantIRT: "0",
		},
		{
			// Header says 1.0, body is 1.1: BAD_MESSAGE, written in 1.1 as
			// X-TAXII-Accept asks.
			name: "header-10-body-11", file: "header-10-body-11.http",
			wantType: protocol.TypeStatusMessage, wantVer: protocol.V11,
			wantST: protocol.StatusBadMessage, wantIRT: "s09-2",
		},
		{
			name: "header-11-body-10", file: "header-11-body-10.http",
			wantType: protocol.TypeStatusMessage, wantVer: protocol.V11,
			wantST: protocol.StatusBadMessage, wantIRT: "s09-3",
		},
	}
	h := &discoveryHandler{}
	srv := newHTTPServer(t, &Server{Handler: h})
	addr := srv.Listener.Addr().String()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.calls.Load()
			resp, data := sendRaw(t, addr, readFile(t, s09Dir+"/"+tt.file))

			if tt.wantST == "" {
				checkAnswer(t, resp, data, tt.wantType, tt.wantVer, tt.wantIRT)
				return
			}
			checkStatus(t, resp, data, tt.wantVer, tt.wantST, tt.wantIRT)
			if h.calls.Load() != before {
				t.Error("a body in another version than its headers reached the handler")
			}
		})
	}
}

// TestS09ServerWithout10 checks the other branch of discovery-10: a node
// that does not speak 1.0 (here: a handler that refuses it) answers a 1.0
// UNSUPPORTED_MESSAGE listing XML 1.1, in the binding the request accepts.
// The request is discovery-10.http with a message ID a 1.0 message can
// carry (V10-3), so that the refusal comes from the handler.
func TestS09ServerWithout10(t *testing.T) {
	only11 := HandlerFunc(func(_ context.Context, req *Request) protocol.Message {
		h := req.Message.Head()
		if h.Version == protocol.V10 {
			return protocol.Errorf(protocol.StatusUnsupportedMessage, "TAXII 1.0 not served").
				With(protocol.DetailSupportedBinding, protocol.MessageBindingXML11).
				Status(protocol.NewMessageID(protocol.V10), h.MessageID)
		}
		return discoveryResponse(h.Version, h.MessageID)
	})
	srv := newHTTPServer(t, &Server{Handler: only11})
	file := bytes.Replace(readFile(t, s09Dir+"/discovery-10.http"),
		[]byte(`message_id="s09-1"`), []byte(`message_id="901"`), 1)

	resp, data := sendRaw(t, srv.Listener.Addr().String(), file)

	st := checkStatus(t, resp, data, protocol.V10, protocol.StatusUnsupportedMessage, "901")
	got := st.DetailValues(protocol.DetailSupportedBinding)
	if !slices.Contains(got, protocol.MessageBindingXML11) {
		t.Errorf("SUPPORTED_BINDING %q lacks XML 1.1", got)
	}
}

// TestS09Client checks the client side of S09: a client that accepts only
// TAXII 1.0 and receives response-11-for-10-client.http reports an error,
// not a message.
func TestS09Client(t *testing.T) {
	endpoint := serveRaw(t, readFile(t, s09Dir+"/response-11-for-10-client.http"))
	req := &protocol.DiscoveryRequest{Header: protocol.Header{
		Version: protocol.V10, MessageID: protocol.NewMessageID(protocol.V10)}}
	c := &Client{Accept: []string{protocol.MessageBindingXML10}}

	answer, err := c.Send(context.Background(), endpoint, req)

	if !errors.Is(err, ErrBindingNotAccepted) {
		t.Fatalf("Send = %v, %v; want ErrBindingNotAccepted", answer, err)
	}
	if answer != nil {
		t.Errorf("Send returned a message with the error: %+v", answer)
	}
}
