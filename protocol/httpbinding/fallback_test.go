package httpbinding

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestAlertStatus checks the table of HTTP-9 on every alert it names and a
// few it does not, for both forms the tls package reports alerts in.
func TestAlertStatus(t *testing.T) {
	tests := []struct {
		name string
		code uint8
		want protocol.StatusType
	}{
		{name: "handshake_failure", code: 40, want: protocol.StatusUnauthorized},
		{name: "no_certificate", code: 41, want: protocol.StatusUnauthorized},
		{name: "bad_certificate", code: 42, want: protocol.StatusUnauthorized},
		{name: "unsupported_certificate", code: 43, want: protocol.StatusUnauthorized},
		{name: "unknown_ca", code: 48, want: protocol.StatusUnauthorized},
		{name: "access_denied", code: 49, want: protocol.StatusUnauthorized},
		{name: "certificate_required (TLS 1.3)", code: 116, want: protocol.StatusUnauthorized},
		{name: "certificate_expired", code: 45, want: protocol.StatusFailure},
		{name: "protocol_version", code: 70, want: protocol.StatusFailure},
		{name: "internal_error", code: 80, want: protocol.StatusFailure},
	}
	req := discoveryRequest(protocol.V11)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrapped := fmt.Errorf("post: %w", tls.AlertError(tt.code))

			st, ok := alertStatus(wrapped, req)

			if !ok {
				t.Fatalf("alert %d not recognised", tt.code)
			}
			if st.StatusType != tt.want || st.InResponseTo != req.MessageID {
				t.Errorf("status %s in response to %q, want %s to %q",
					st.StatusType, st.InResponseTo, tt.want, req.MessageID)
			}
			if hex := fmt.Sprintf("0x%02x", tt.code); !strings.Contains(st.Message, hex) {
				t.Errorf("Message %q lacks the alert %s", st.Message, hex)
			}
		})
	}
	for _, err := range []error{
		errors.New("remote error: tls: bad certificate"),
		&net.OpError{Op: "remote error", Err: errors.New("not an alert")},
		&net.OpError{Op: "dial", Err: errors.New("connection refused")},
	} {
		if _, ok := alertStatus(err, req); ok {
			t.Errorf("alertStatus(%v) took a non-alert for an alert", err)
		}
	}
}

// TestClientTLSAlerts checks HTTP-9 against a real HTTPS server: the alerts
// it sends when a client certificate is missing, unknown, or the TLS version
// cannot be agreed reach the client's caller as Status Messages, and an
// unknown server certificate is an error (server authentication, HTTP-10).
func TestClientTLSAlerts(t *testing.T) {
	p := newPKI(t, "alerts")
	stranger := newPKI(t, "stranger")
	srv := newTLSServer(t, p, requireCert, &Server{Handler: &discoveryHandler{}})
	only13 := newTLSServer(t, p,
		&tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13},
		&Server{Handler: &discoveryHandler{}})
	tls12 := &tls.Config{MaxVersion: tls.VersionTLS12}
	tests := []struct {
		name    string
		url     string
		http    *Client
		want    protocol.StatusType
		wantErr bool
	}{
		{name: "no client certificate, TLS 1.3",
			http: &Client{HTTP: tlsClient(p, nil)}, want: protocol.StatusUnauthorized},
		{name: "no client certificate, TLS 1.2",
			http: &Client{HTTP: tlsClient(p, tls12)}, want: protocol.StatusUnauthorized},
		{name: "client certificate of an unknown CA, TLS 1.3",
			http: &Client{HTTP: tlsClient(p, nil, stranger.client)},
			want: protocol.StatusUnauthorized},
		{name: "client certificate of an unknown CA, TLS 1.2",
			http: &Client{HTTP: tlsClient(p, tls12, stranger.client)},
			want: protocol.StatusUnauthorized},
		{name: "no common TLS version", url: only13.URL,
			http: &Client{HTTP: tlsClient(p, tls12, p.client)}, want: protocol.StatusFailure},
		{name: "server certificate of an unknown CA",
			http: &Client{HTTP: tlsClient(stranger, nil, p.client)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := discoveryRequest(protocol.V11)
			url := srv.URL
			if tt.url != "" {
				url = tt.url
			}

			answer, err := tt.http.Send(context.Background(), url, req)

			if tt.wantErr {
				if err == nil {
					t.Fatalf("Send = %+v, want an error", answer)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			st, ok := answer.(*protocol.StatusMessage)
			if !ok || st.StatusType != tt.want || st.InResponseTo != req.MessageID {
				t.Fatalf("answer = %+v, want %s in response to %q", answer, tt.want, req.MessageID)
			}
			t.Logf("%s: %s", st.StatusType, st.Message)
			if !strings.Contains(st.Message, "TLS alert 0x") {
				t.Errorf("Message %q does not name the alert", st.Message)
			}
		})
	}
}

// TestExcerpt checks how much of a non-TAXII body goes into a Message.
func TestExcerpt(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{name: "white space collapsed", body: []byte("a\n\t b  c\n"), want: "a b c"},
		{name: "binary", body: []byte{0x1f, 0x8b, 0x08, 0x00, 0x01}, want: ""},
		{name: "cut to the limit", body: []byte(strings.Repeat("x", 2*maxExcerpt)),
			want: strings.Repeat("x", maxExcerpt)},
		{name: "cut inside a rune", body: []byte(strings.Repeat("x", maxExcerpt-1) + "é"),
			want: strings.Repeat("x", maxExcerpt-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := excerpt(tt.body); got != tt.want {
				t.Errorf("excerpt = %q, want %q", got, tt.want)
			}
		})
	}
}
