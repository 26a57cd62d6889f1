package httpbinding

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestServerHeaderRules checks the X-TAXII header decisions of HTTP-4 and
// AMB-12 to AMB-15 over plain HTTP: every answer is HTTP 200 with the TAXII
// headers of the binding actually written (HTTP-6, HTTP-7).
func TestServerHeaderRules(t *testing.T) {
	req11 := readFile(t, messagesDir+"/discovery_request.sample-use.xml")
	req10 := readFile(t, messagesDir+"/taxii-1.0/discovery_request.xml")
	const (
		json    = "urn:cert.europa.eu:message:json:1.0"
		xml11   = protocol.MessageBindingXML11
		xml10   = protocol.MessageBindingXML10
		id11    = "1"
		id10    = "4711"
		discRes = protocol.TypeDiscoveryResponse
		status  = protocol.TypeStatusMessage
		bad     = protocol.StatusBadMessage
		v11     = protocol.V11
		v10     = protocol.V10
	)
	supportedHTTP := []string{protocol.DetailSupportedProtocol, protocol.ProtocolHTTP}
	with := func(changes map[string]string) map[string]string {
		h := headers11()
		for k, v := range changes {
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return h
	}
	tests := []struct {
		name     string
		header   map[string]string
		body     []byte
		wantType protocol.MessageType
		wantVer  protocol.Version
		wantST   protocol.StatusType
		wantIRT  string
		// wantDetail names a detail and the values it must list.
		wantDetail []string
	}{
		{
			name: "HTTP-4 sample-use headers", header: headers11(), body: req11,
			wantType: discRes, wantVer: v11, wantIRT: id11,
		},
		{
			name: "AMB-13 no TAXII headers, 1.1 body", header: map[string]string{}, body: req11,
			wantType: discRes, wantVer: v11, wantIRT: id11,
		},
		{
			name:   "AMB-13 V10-1 no TAXII headers, 1.0 body",
			header: map[string]string{}, body: req10,
			wantType: discRes, wantVer: v10, wantIRT: id10,
		},
		{
			name: "V10-1 1.0 headers and body",
			header: with(map[string]string{HeaderContentType: xml10, HeaderAccept: xml10,
				HeaderServices: protocol.ServicesV10}),
			body: req10, wantType: discRes, wantVer: v10, wantIRT: id10,
		},
		{
			name:   "AMB-15 1.1 request accepting only 1.0 is answered in 1.0",
			header: with(map[string]string{HeaderAccept: xml10}), body: req11,
			wantType: discRes, wantVer: v10, wantIRT: id11,
		},
		{
			name:   "AMB-14 accept list with an unknown binding first",
			header: with(map[string]string{HeaderAccept: json + " " + xml10 + " " + xml11}),
			body:   req11, wantType: discRes, wantVer: v11, wantIRT: id11,
		},
		{
			name:   "AMB-15 first acceptable binding when the request's is left out",
			header: with(map[string]string{HeaderAccept: json + " " + xml10}), body: req11,
			wantType: discRes, wantVer: v10, wantIRT: id11,
		},
		{
			name:   "AMB-12 ST-14 unsupported X-TAXII-Content-Type",
			header: with(map[string]string{HeaderContentType: json}), body: req11,
			wantType: status, wantVer: v11, wantST: protocol.StatusUnsupportedMessage,
			wantIRT: id11, wantDetail: []string{protocol.DetailSupportedBinding, xml11, xml10},
		},
		{
			name:   "AMB-12 ST-14 X-TAXII-Accept excludes every binding",
			header: with(map[string]string{HeaderAccept: json}), body: req11,
			wantType: status, wantVer: v11, wantST: protocol.StatusUnsupportedMessage,
			wantIRT: id11, wantDetail: []string{protocol.DetailSupportedBinding, xml11, xml10},
		},
		{
			name:   "AMB-12 ST-16 https protocol binding over plain http",
			header: with(map[string]string{HeaderProtocol: protocol.ProtocolHTTPS}), body: req11,
			wantType: status, wantVer: v11, wantST: protocol.StatusUnsupportedProtocol,
			wantIRT: id11, wantDetail: supportedHTTP,
		},
		{
			name:     "AMB-12 ST-16 unknown protocol binding",
			header:   with(map[string]string{HeaderProtocol: "urn:example:protocol:smtp"}),
			body:     req11,
			wantType: status, wantVer: v11, wantST: protocol.StatusUnsupportedProtocol,
			wantIRT: id11, wantDetail: supportedHTTP,
		},
		{
			name:   "AMB-12 unknown X-TAXII-Services",
			header: with(map[string]string{HeaderServices: "urn:taxii.mitre.org:services:2.0"}),
			body:   req11, wantType: status, wantVer: v11,
			wantST: bad, wantIRT: id11,
		},
		{
			name:   "S09 V10-1 X-TAXII-Services 1.0 with a 1.1 body",
			header: with(map[string]string{HeaderServices: protocol.ServicesV10}), body: req11,
			wantType: status, wantVer: v11, wantST: bad, wantIRT: id11,
		},
		{
			name:   "XML-5 AMB-11 body not well-formed",
			header: headers11(), body: []byte("<Discovery_Request message_id='1'"),
			wantType: status, wantVer: v11, wantST: bad, wantIRT: "0",
		},
		{
			name:     "AMB-10 AMB-11 unknown root element answers its message_id",
			header:   headers11(),
			body:     []byte(`<Foo xmlns="` + protocol.NamespaceXML11 + `" message_id="7"/>`),
			wantType: status, wantVer: v11, wantST: bad, wantIRT: "7",
		},
		{
			name:   "AMB-10 root element outside the TAXII namespaces",
			header: headers11(), body: []byte(`<Discovery_Request message_id="1"/>`),
			wantType: status, wantVer: v11, wantST: bad, wantIRT: "0",
		},
		{
			name:   "HTTP-3 AMB-11 empty body",
			header: headers11(), body: nil,
			wantType: status, wantVer: v11, wantST: bad, wantIRT: "0",
		},
		{
			name: "AMB-15 refusal of a 1.0 request is written in 1.0",
			header: with(map[string]string{HeaderContentType: xml10, HeaderAccept: xml10,
				HeaderServices: protocol.ServicesV10, HeaderProtocol: protocol.ProtocolHTTPS}),
			body: req10, wantType: status, wantVer: v10,
			wantST: protocol.StatusUnsupportedProtocol, wantIRT: id10,
		},
	}
	h := &discoveryHandler{}
	srv := newHTTPServer(t, &Server{Handler: h})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := h.calls.Load()
			resp, data := post(t, srv.Client(), srv.URL, tt.header, tt.body)

			called := h.calls.Load() > before
			if called != (tt.wantType != status) {
				t.Errorf("handler called = %v, want %v", called, tt.wantType != status)
			}
			if tt.wantType != status {
				checkAnswer(t, resp, data, tt.wantType, tt.wantVer, tt.wantIRT)
				return
			}
			st := checkStatus(t, resp, data, tt.wantVer, tt.wantST, tt.wantIRT)
			if len(tt.wantDetail) > 0 {
				got := st.DetailValues(tt.wantDetail[0])
				if !slices.Equal(got, tt.wantDetail[1:]) {
					t.Errorf("detail %s = %q, want %q", tt.wantDetail[0], got, tt.wantDetail[1:])
				}
			}
		})
	}
}

// TestServerProtocolOverTLS checks X-TAXII-Protocol over HTTPS: the https
// binding is accepted, the http one refused with UNSUPPORTED_PROTOCOL naming
// https (AMB-12, HTTP-2), and the answer names https (HTTP-4).
func TestServerProtocolOverTLS(t *testing.T) {
	p := newPKI(t, "proto")
	srv := newTLSServer(t, p, &tls.Config{}, &Server{Handler: &discoveryHandler{}})
	c := tlsClient(p, nil)
	body := readFile(t, messagesDir+"/discovery_request.sample-use.xml")
	tests := []struct {
		name   string
		proto  string
		wantST protocol.StatusType
	}{
		{name: "https binding over TLS", proto: protocol.ProtocolHTTPS},
		{name: "http binding over TLS", proto: protocol.ProtocolHTTP,
			wantST: protocol.StatusUnsupportedProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := headers11()
			h[HeaderProtocol] = tt.proto
			resp, data := post(t, c, srv.URL, h, body)

			checkAnswerHeaders(t, resp, protocol.V11, protocol.ProtocolHTTPS)
			if tt.wantST == "" {
				decodeAs(t, data, protocol.TypeDiscoveryResponse, protocol.V11)
				return
			}
			st := statusOf(t, data, protocol.V11)
			if st.StatusType != tt.wantST {
				t.Fatalf("status_type = %s, want %s", st.StatusType, tt.wantST)
			}
			got := st.DetailValues(protocol.DetailSupportedProtocol)
			if !slices.Equal(got, []string{protocol.ProtocolHTTPS}) {
				t.Errorf("SUPPORTED_PROTOCOL = %q, want https only", got)
			}
		})
	}
}

// TestServerMethods checks that methods other than POST get HTTP 405 with
// Allow: POST (HTTP-3, AMB-12), and a Status Message for detail (HTTP-7).
func TestServerMethods(t *testing.T) {
	h := &discoveryHandler{}
	srv := newHTTPServer(t, &Server{Handler: h})
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete,
		http.MethodOptions} {
		t.Run(method, func(t *testing.T) {
			req, err := http.NewRequest(method, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("HTTP status %d, want 405", resp.StatusCode)
			}
			if got := resp.Header.Get("Allow"); got != http.MethodPost {
				t.Errorf("Allow = %q, want POST", got)
			}
			st := statusOf(t, data, protocol.V11)
			if st.StatusType != protocol.StatusBadMessage || st.InResponseTo != "0" {
				t.Errorf("status %s in response to %q, want BAD_MESSAGE to 0",
					st.StatusType, st.InResponseTo)
			}
		})
	}
	if n := h.calls.Load(); n != 0 {
		t.Errorf("handler called %d times for refused methods", n)
	}
}

// TestServerHandlerFailures checks that a panicking handler, a nil answer
// (also a typed nil) and an invalid answer all reach the client as FAILURE
// (HTTP-7, never an HTTP 500 or an empty body), are logged, and that the
// server keeps serving.
func TestServerHandlerFailures(t *testing.T) {
	tests := []struct {
		name    string
		handler HandlerFunc
		wantLog string
	}{
		{
			name: "panic",
			handler: func(context.Context, *Request) protocol.Message {
				panic("handler bug")
			},
			wantLog: "taxii handler panicked",
		},
		{
			name:    "nil answer",
			handler: func(context.Context, *Request) protocol.Message { return nil },
			wantLog: "taxii handler returned no answer",
		},
		{
			name: "typed nil answer",
			handler: func(context.Context, *Request) protocol.Message {
				var res *protocol.DiscoveryResponse
				return res
			},
			wantLog: "taxii handler returned no answer",
		},
		{
			name: "invalid answer",
			handler: func(_ context.Context, req *Request) protocol.Message {
				return &protocol.StatusMessage{Header: protocol.Header{
					MessageID: "x", InResponseTo: req.Message.Head().MessageID}}
			},
			wantLog: "taxii answer replaced by failure",
		},
	}
	body := readFile(t, messagesDir+"/discovery_request.sample-use.xml")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			healthy := &discoveryHandler{}
			var broken sync.Once
			handler := HandlerFunc(func(ctx context.Context, req *Request) protocol.Message {
				first := false
				broken.Do(func() { first = true })
				if first {
					return tt.handler(ctx, req)
				}
				return healthy.ServeTAXII(ctx, req)
			})
			srv := newHTTPServer(t, &Server{Handler: handler, Logger: log})

			resp, data := post(t, srv.Client(), srv.URL, headers11(), body)
			st := checkStatus(t, resp, data, protocol.V11, protocol.StatusFailure, "1")
			if strings.Contains(st.Message, "handler bug") {
				t.Errorf("FAILURE message %q discloses the panic", st.Message)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, logs.String())
			}

			_, data = post(t, srv.Client(), srv.URL, headers11(), body)
			decodeAs(t, data, protocol.TypeDiscoveryResponse, protocol.V11)
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestServerRequestReachesHandler checks what the Handler is given: the
// decoded message and the HTTP request with its credentials.
func TestServerRequestReachesHandler(t *testing.T) {
	var got *Request
	handler := HandlerFunc(func(ctx context.Context, req *Request) protocol.Message {
		got = req
		return discoveryResponse(req.Message.Head().Version, req.Message.Head().MessageID)
	})
	srv := newHTTPServer(t, &Server{Handler: handler})
	body := readFile(t, messagesDir+"/poll_request.time-range.sample-use.xml")
	h := headers11()
	h["Authorization"] = "Bearer token-123"

	post(t, srv.Client(), srv.URL, h, body)

	if got == nil {
		t.Fatal("handler not called")
	}
	pr, ok := got.Message.(*protocol.PollRequest)
	if !ok || pr.MessageID != "42158" {
		t.Fatalf("handler got %T %+v, want the Poll_Request 42158", got.Message, got.Message)
	}
	if got.HTTP.Header.Get("Authorization") != "Bearer token-123" {
		t.Errorf("Authorization header not passed to the handler")
	}
}
