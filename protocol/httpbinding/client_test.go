package httpbinding

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// discoveryRequest returns a Discovery_Request in version v with a fresh ID.
func discoveryRequest(v protocol.Version) *protocol.DiscoveryRequest {
	return &protocol.DiscoveryRequest{Header: protocol.Header{
		Version: v, MessageID: protocol.NewMessageID(v)}}
}

// TestClientRoundTrip sends Discovery_Requests with a Client to a Server
// over HTTP and HTTPS with a client certificate, in 1.1 and 1.0, and checks
// the answers and what the handler saw of the caller (HTTP-10).
func TestClientRoundTrip(t *testing.T) {
	p := newPKI(t, "round-trip")
	var mu sync.Mutex
	var seen []string
	handler := HandlerFunc(func(ctx context.Context, req *Request) protocol.Message {
		who := "anonymous"
		if user, _, ok := req.HTTP.BasicAuth(); ok {
			who = "basic:" + user
		}
		if req.HTTP.TLS != nil && len(req.HTTP.TLS.PeerCertificates) > 0 {
			who = "cert:" + req.HTTP.TLS.PeerCertificates[0].Subject.CommonName
		}
		mu.Lock()
		seen = append(seen, who)
		mu.Unlock()
		return (&discoveryHandler{}).ServeTAXII(ctx, req)
	})
	plain := newHTTPServer(t, &Server{Handler: handler})
	secure := newTLSServer(t, p, requireCert, &Server{Handler: handler})
	tests := []struct {
		name    string
		url     string
		client  Client
		version protocol.Version
		wantWho string
	}{
		{name: "HTTP-10 basic auth over http 1.1", url: plain.URL,
			client:  Client{Username: "alice", Password: "secret"},
			version: protocol.V11, wantWho: "basic:alice"},
		{name: "V10-1 http 1.0", url: plain.URL, version: protocol.V10, wantWho: "anonymous"},
		{name: "HTTP-10 client certificate over https 1.1", url: secure.URL,
			client:  Client{HTTP: tlsClient(p, nil, p.client)},
			version: protocol.V11, wantWho: "cert:round-trip client"},
		{name: "https 1.0", url: secure.URL, client: Client{HTTP: tlsClient(p, nil, p.client)},
			version: protocol.V10, wantWho: "cert:round-trip client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := discoveryRequest(tt.version)

			answer, err := tt.client.Send(context.Background(), tt.url, req)

			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			res, ok := answer.(*protocol.DiscoveryResponse)
			if !ok {
				t.Fatalf("answer is %T, want *protocol.DiscoveryResponse: %+v", answer, answer)
			}
			if res.Version != tt.version || res.InResponseTo != req.MessageID {
				t.Errorf("answer version %d in response to %q, want %d and %q",
					res.Version, res.InResponseTo, tt.version, req.MessageID)
			}
			if len(res.ServiceInstances) != 1 ||
				res.ServiceInstances[0].ServiceType != protocol.ServiceDiscovery {
				t.Errorf("service instances = %+v, want the one discovery service",
					res.ServiceInstances)
			}
			mu.Lock()
			last := seen[len(seen)-1]
			mu.Unlock()
			if last != tt.wantWho {
				t.Errorf("handler saw caller %q, want %q", last, tt.wantWho)
			}
		})
	}
}

// TestClientRequestHeaders checks the headers of HTTP-4 on a request: the
// binding of the message, X-TAXII-Accept, the services version, the protocol
// binding matching the URL scheme, and the extra headers.
func TestClientRequestHeaders(t *testing.T) {
	p := newPKI(t, "headers")
	var mu sync.Mutex
	var got http.Header
	record := HandlerFunc(func(ctx context.Context, req *Request) protocol.Message {
		mu.Lock()
		got = req.HTTP.Header.Clone()
		mu.Unlock()
		return (&discoveryHandler{}).ServeTAXII(ctx, req)
	})
	plain := newHTTPServer(t, &Server{Handler: record})
	secure := newTLSServer(t, p, &tls.Config{}, &Server{Handler: record})
	extra := http.Header{"Authorization": {"Bearer t0ken"}, HeaderServices: {"overridden"}}
	tests := []struct {
		name   string
		url    string
		client Client
		v      protocol.Version
		want   map[string]string
	}{
		{
			name: "1.1 over http", url: plain.URL, client: Client{Header: extra}, v: protocol.V11,
			want: map[string]string{
				HeaderContentType: protocol.MessageBindingXML11,
				HeaderAccept:      protocol.MessageBindingXML11,
				HeaderServices:    protocol.ServicesV11,
				HeaderProtocol:    protocol.ProtocolHTTP,
				"Authorization":   "Bearer t0ken",
			},
		},
		{
			name: "1.0 over https accepting both", url: secure.URL, v: protocol.V10,
			client: Client{HTTP: tlsClient(p, nil), Accept: MessageBindings()},
			want: map[string]string{
				HeaderContentType: protocol.MessageBindingXML10,
				HeaderAccept:      strings.Join(MessageBindings(), " "),
				HeaderServices:    protocol.ServicesV10,
				HeaderProtocol:    protocol.ProtocolHTTPS,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.client.Send(context.Background(), tt.url, discoveryRequest(tt.v))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			tt.want["Content-Type"] = mediaTypeXML
			tt.want["Accept"] = mediaTypeXML
			for k, w := range tt.want {
				if g := got.Get(k); g != w {
					t.Errorf("request header %s = %q, want %q", k, g, w)
				}
			}
		})
	}
}

// TestClientHTTPStatusMapping checks HTTP-8: an answer without a TAXII
// message becomes a Status Message of the mapped type, its Message the HTTP
// response, returned without error.
func TestClientHTTPStatusMapping(t *testing.T) {
	tests := []struct {
		code int
		want protocol.StatusType
	}{
		{http.StatusBadRequest, protocol.StatusBadMessage},
		{http.StatusUnauthorized, protocol.StatusUnauthorized},
		{http.StatusForbidden, protocol.StatusUnauthorized},
		{http.StatusNotAcceptable, protocol.StatusUnsupportedMessage},
		{http.StatusProxyAuthRequired, protocol.StatusUnauthorized},
		{http.StatusRequestEntityTooLarge, protocol.StatusBadMessage},
		{http.StatusUnsupportedMediaType, protocol.StatusUnsupportedMessage},
		{http.StatusNotFound, protocol.StatusFailure},
		{http.StatusInternalServerError, protocol.StatusFailure},
		{http.StatusBadGateway, protocol.StatusFailure},
		{http.StatusFound, protocol.StatusFailure},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.code), func(t *testing.T) {
			srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				if tt.code == http.StatusFound {
					w.Header().Set("Location", "https://example.org/login")
				}
				w.WriteHeader(tt.code)
				_, _ = io.WriteString(w, "<html><body>\n  proxy says no\n</body></html>")
			}))
			req := discoveryRequest(protocol.V11)

			answer, err := (&Client{}).Send(context.Background(), srv.URL, req)

			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			st, ok := answer.(*protocol.StatusMessage)
			if !ok {
				t.Fatalf("answer is %T, want a Status Message", answer)
			}
			if st.StatusType != tt.want || st.InResponseTo != req.MessageID {
				t.Errorf("status %s in response to %q, want %s to %q",
					st.StatusType, st.InResponseTo, tt.want, req.MessageID)
			}
			if !strings.Contains(st.Message, http.StatusText(tt.code)) ||
				!strings.Contains(st.Message, "proxy says no") {
				t.Errorf("Message %q does not carry the HTTP response", st.Message)
			}
			if err := protocol.Validate(st); err != nil {
				t.Errorf("synthetic status is not a valid message: %v", err)
			}
		})
	}
}

// TestClientAnswerErrors checks the answers Send refuses with an error.
func TestClientAnswerErrors(t *testing.T) {
	status11 := `<Status_Message xmlns="` + protocol.NamespaceXML11 +
		`" message_id="9" in_response_to="1" status_type="SUCCESS"/>`
	status10 := `<Status_Message xmlns="` + protocol.NamespaceXML10 +
		`" message_id="9" in_response_to="1" status_type="SUCCESS"/>`
	tests := []struct {
		name    string
		header  map[string]string
		body    string
		client  Client
		wantErr error
	}{
		{
			name:   "HTTP-6 200 with an HTML page",
			header: map[string]string{"Content-Type": "text/html"},
			body:   "<html><body>Welcome</body></html>", wantErr: ErrNotTAXII,
		},
		{
			name:   "HTTP-6 200 with an empty body",
			header: map[string]string{HeaderContentType: protocol.MessageBindingXML11},
			body:   "", wantErr: ErrNotTAXII,
		},
		{
			name:   "S09 answer in 1.0 to a client accepting 1.1",
			header: map[string]string{HeaderContentType: protocol.MessageBindingXML10},
			body:   status10, wantErr: ErrBindingNotAccepted,
		},
		{
			name:    "S09 answer without header in a binding not accepted",
			body:    status10,
			wantErr: ErrBindingNotAccepted,
		},
		{
			name:   "header names 1.1 but the body is 1.0",
			header: map[string]string{HeaderContentType: protocol.MessageBindingXML11},
			client: Client{Accept: MessageBindings()},
			body:   status10, wantErr: ErrBindingMismatch,
		},
		{
			name:   "answer over MaxResponseSize",
			header: map[string]string{HeaderContentType: protocol.MessageBindingXML11},
			body:   status11, client: Client{MaxResponseSize: 16}, wantErr: ErrResponseTooLarge,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				_, _ = io.WriteString(w, tt.body)
			}))

			req := discoveryRequest(protocol.V11)

			answer, err := tt.client.Send(context.Background(), srv.URL, req)

			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Send = %+v, %v; want %v", answer, err, tt.wantErr)
			}
		})
	}
}

// TestClientLenientAnswer checks that a 200 answer lacking the X-TAXII
// headers is still taken when its body is a TAXII message in an accepted
// binding (AMB-13), and that a non-200 answer carrying a TAXII message is
// returned as that message (HTTP-7).
func TestClientLenientAnswer(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		header map[string]string
	}{
		{name: "AMB-13 200 without TAXII headers", code: http.StatusOK},
		{name: "HTTP-7 405 with a Status Message", code: http.StatusMethodNotAllowed,
			header: map[string]string{HeaderContentType: protocol.MessageBindingXML11}},
	}
	body := `<Status_Message xmlns="` + protocol.NamespaceXML11 +
		`" message_id="9" in_response_to="1" status_type="DENIED"/>`
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newHTTPServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.code)
				_, _ = io.WriteString(w, body)
			}))

			req := discoveryRequest(protocol.V11)

			answer, err := (&Client{}).Send(context.Background(), srv.URL, req)

			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			st, ok := answer.(*protocol.StatusMessage)
			if !ok || st.StatusType != protocol.StatusDenied || st.MessageID != "9" {
				t.Errorf("answer = %+v, want the server's DENIED status", answer)
			}
		})
	}
}

// TestClientBadURL checks that only http and https endpoints are accepted.
func TestClientBadURL(t *testing.T) {
	req := discoveryRequest(protocol.V11)
	_, err := (&Client{}).Send(context.Background(), "ftp://127.0.0.1/taxii", req)
	if !errors.Is(err, ErrUnsupportedScheme) {
		t.Errorf("Send to ftp:// = %v, want ErrUnsupportedScheme", err)
	}
}

// TestClientTransportError checks that a connection that cannot be made is
// an error, not a Status Message.
func TestClientTransportError(t *testing.T) {
	srv := newHTTPServer(t, http.NotFoundHandler())
	url := srv.URL
	srv.Close()

	answer, err := (&Client{}).Send(context.Background(), url, discoveryRequest(protocol.V11))

	if err == nil {
		t.Fatalf("Send to a closed server = %+v, want an error", answer)
	}
}
