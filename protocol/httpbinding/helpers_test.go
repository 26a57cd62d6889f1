package httpbinding

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// Paths of the test inputs, relative to this package.
const (
	messagesDir = "../testdata/spec/messages"
	casesDir    = "../../testdata/cases"
)

// readFile returns the contents of a test input.
func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatalf("read test input: %v", err)
	}
	return data
}

// discoveryResponse is the fixed answer of discoveryHandler, in version v.
func discoveryResponse(v protocol.Version, inResponseTo string) *protocol.DiscoveryResponse {
	return &protocol.DiscoveryResponse{
		Header: protocol.Header{
			Version:      v,
			MessageID:    protocol.NewMessageID(v),
			InResponseTo: inResponseTo,
		},
		ServiceInstances: []protocol.ServiceInstance{{
			ServiceType:     protocol.ServiceDiscovery,
			ServiceVersion:  servicesID(v),
			ProtocolBinding: protocol.ProtocolHTTP,
			Address:         "http://127.0.0.1/services/discovery",
			MessageBindings: []string{bindingID(v)},
		}},
	}
}

// discoveryHandler answers a Discovery_Request with a fixed
// Discovery_Response in the request's version, anything else with FAILURE.
// It counts its calls.
type discoveryHandler struct {
	calls atomic.Int64
}

func (d *discoveryHandler) ServeTAXII(_ context.Context, req *Request) protocol.Message {
	d.calls.Add(1)
	h := req.Message.Head()
	if req.Message.Type() != protocol.TypeDiscoveryRequest {
		st := protocol.Errorf(protocol.StatusFailure, "only discovery here").
			Status(protocol.NewMessageID(h.Version), h.MessageID)
		st.Version = h.Version
		return st
	}
	return discoveryResponse(h.Version, h.MessageID)
}

// newHTTPServer starts a plain HTTP server on 127.0.0.1 serving h.
func newHTTPServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// testPKI is a certificate authority with a server certificate for
// 127.0.0.1 and a client certificate, all made for one test.
type testPKI struct {
	pool   *x509.CertPool
	server tls.Certificate
	client tls.Certificate
}

// newPKI makes a fresh certificate authority and the certificates it signs.
func newPKI(t *testing.T, name string) *testPKI {
	t.Helper()
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name + " test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("create CA certificate: %v", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatalf("parse CA certificate: %v", err)
	}
	p := &testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca)
	p.server = issue(t, ca, caKey, &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	p.client = issue(t, ca, caKey, &x509.Certificate{
		SerialNumber: big.NewInt(3),
		Subject:      pkix.Name{CommonName: name + " client"},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
	return p
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	return key
}

// issue signs tmpl with the CA and returns it with its new private key.
func issue(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey,
	tmpl *x509.Certificate) tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(time.Hour)
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// newTLSServer starts an HTTPS server on 127.0.0.1 serving h with the
// certificate of p, trusting client certificates signed by p's authority.
// cfg gives the client authentication policy and version bounds.
func newTLSServer(t *testing.T, p *testPKI, cfg *tls.Config, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = cfg.Clone()
	srv.TLS.Certificates = []tls.Certificate{p.server}
	srv.TLS.ClientCAs = p.pool
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// requireCert is the server configuration that demands a client certificate.
var requireCert = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert}

// tlsClient returns an http.Client trusting p's authority and presenting
// the first of certs, with the TLS settings of base (nil: the defaults).
func tlsClient(p *testPKI, base *tls.Config, certs ...tls.Certificate) *http.Client {
	cfg := &tls.Config{}
	if base != nil {
		cfg = base.Clone()
	}
	cfg.RootCAs = p.pool
	if len(certs) > 0 {
		// Present the certificate even when the server's list of
		// authorities does not name its issuer.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &certs[0], nil
		}
	}
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true},
	}
}

// post sends body to url with exactly the headers in hdr and returns the
// response with its body read.
func post(t *testing.T, c *http.Client, url string, hdr map[string]string, body []byte) (
	*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	return resp, data
}

// headers11 are the request headers of the sample use page for TAXII 1.1
// over plain HTTP (messages/README.txt).
func headers11() map[string]string {
	return map[string]string{
		"Content-Type":    mediaTypeXML,
		"Accept":          mediaTypeXML,
		HeaderContentType: protocol.MessageBindingXML11,
		HeaderAccept:      protocol.MessageBindingXML11,
		HeaderServices:    protocol.ServicesV11,
		HeaderProtocol:    protocol.ProtocolHTTP,
	}
}

// decodeAs decodes data and fails the test unless it is a message of type
// want in version v.
func decodeAs(t *testing.T, data []byte, want protocol.MessageType,
	v protocol.Version) protocol.Message {
	t.Helper()
	m, err := protocol.Decode(data)
	if err != nil {
		t.Fatalf("decode answer: %v\n%s", err, data)
	}
	if m.Type() != want || m.Head().Version != v {
		t.Fatalf("answer is %s version %d, want %s version %d\n%s",
			m.Type(), m.Head().Version, want, v, data)
	}
	return m
}

// statusOf decodes data as a Status Message in version v.
func statusOf(t *testing.T, data []byte, v protocol.Version) *protocol.StatusMessage {
	t.Helper()
	m := decodeAs(t, data, protocol.TypeStatusMessage, v)
	return m.(*protocol.StatusMessage)
}

// checkAnswerHeaders fails the test unless resp carries the headers of an
// answer in version v over the protocol binding proto (HTTP-4, HTTP-6).
func checkAnswerHeaders(t *testing.T, resp *http.Response, v protocol.Version, proto string) {
	t.Helper()
	want := map[string]string{
		"Content-Type":    mediaTypeXML,
		HeaderContentType: bindingID(v),
		HeaderServices:    servicesID(v),
		HeaderProtocol:    proto,
	}
	for k, w := range want {
		if got := resp.Header.Get(k); got != w {
			t.Errorf("answer header %s = %q, want %q", k, got, w)
		}
	}
}

// checkAnswer fails the test unless resp is an HTTP 200 answer over plain
// HTTP carrying a message of type want in version v (with the headers of
// that binding and, for 1.0, a numeric message ID) that answers the request
// irt. It returns the message.
func checkAnswer(t *testing.T, resp *http.Response, data []byte, want protocol.MessageType,
	v protocol.Version, irt string) protocol.Message {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("HTTP status %d, want 200 (HTTP-7)", resp.StatusCode)
	}
	checkAnswerHeaders(t, resp, v, protocol.ProtocolHTTP)
	m := decodeAs(t, data, want, v)
	if got := m.Head().InResponseTo; got != irt {
		t.Errorf("in_response_to = %q, want %q", got, irt)
	}
	if v == protocol.V10 && !numeric(m.Head().MessageID) {
		t.Errorf("1.0 message_id %q is not numeric (V10-3)", m.Head().MessageID)
	}
	return m
}

// checkStatus is checkAnswer for a Status Message of type st.
func checkStatus(t *testing.T, resp *http.Response, data []byte, v protocol.Version,
	st protocol.StatusType, irt string) *protocol.StatusMessage {
	t.Helper()
	m := checkAnswer(t, resp, data, protocol.TypeStatusMessage, v, irt).(*protocol.StatusMessage)
	if m.StatusType != st {
		t.Errorf("status_type = %s, want %s (%s)", m.StatusType, st, m.Message)
	}
	return m
}

// httpBody returns the body of a whole HTTP message in a .http test file.
func httpBody(t *testing.T, file []byte) []byte {
	t.Helper()
	_, body, ok := bytes.Cut(file, []byte("\n\n"))
	if !ok {
		t.Fatalf("test file has no blank line after its headers")
	}
	return body
}

// sendRaw writes a whole HTTP request to addr as CRLF-separated lines, the
// way a .http test file is meant to be sent, and returns the response with
// its body read. A Content-Length header for the body is added.
func sendRaw(t *testing.T, addr string, file []byte) (*http.Response, []byte) {
	t.Helper()
	head, _, _ := strings.Cut(string(file), "\n\n")
	body := strings.ReplaceAll(string(httpBody(t, file)), "\n", "\r\n")
	var req strings.Builder
	for _, line := range strings.Split(head, "\n") {
		req.WriteString(line + "\r\n")
	}
	req.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	req.WriteString("Connection: close\r\n\r\n")
	req.WriteString(body)

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatalf("set deadline: %v", err)
	}
	if _, err := io.WriteString(conn, req.String()); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return resp, data
}

// serveRaw starts a TCP listener on 127.0.0.1 that reads one HTTP request
// per connection and answers with the whole HTTP response in file, its
// lines sent with CRLF, then closes the connection. It returns the URL.
func serveRaw(t *testing.T, file []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	answer := strings.ReplaceAll(string(file), "\n", "\r\n")
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			answerRaw(conn, answer)
		}
	}()
	return "http://" + ln.Addr().String() + "/services/discovery"
}

// answerRaw reads one request from conn, writes answer and closes conn.
func answerRaw(conn net.Conn, answer string) {
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(conn))
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, req.Body)
	_, _ = io.WriteString(conn, answer)
}
