package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/httpbinding"
)

// pki is a throw-away certificate authority.
type pki struct {
	t    *testing.T
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &pki{t: t, cert: cert, key: key, pool: pool}
}

// issue returns a certificate for cn (a server's when server is set) and
// its key, as a tls.Certificate and as PEM.
func (p *pki) issue(cn string, server bool) (tls.Certificate, []byte, []byte) {
	p.t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if server {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		p.t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		p.t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		p.t.Fatal(err)
	}
	return pair, certPEM, keyPEM
}

func (p *pki) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw})
}

// TestHTTPSClientCertificates serves the HTTP binding over TLS and maps
// client certificates to accounts (HTTP-10).
func TestHTTPSClientCertificates(t *testing.T) {
	ca := newPKI(t)
	_, srvCert, srvKey := ca.issue("node", true)
	robot, _, _ := ca.issue("robot.example.org", false)
	stranger, _, _ := ca.issue("stranger.example.org", false)
	h := newHarness(t, func(s *Settings) {
		dir := t.TempDir()
		for name, data := range map[string][]byte{"node.crt": srvCert, "node.pem": srvKey, "ca.crt": ca.caPEM()} {
			if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		s.HTTP.TLSCert, s.HTTP.TLSKey = filepath.Join(dir, "node.crt"), filepath.Join(dir, "node.pem")
		s.HTTP.ClientCA = filepath.Join(dir, "ca.crt")
		s.HTTP.Anonymous = RightsSettings{}
		s.Accounts = []AccountSettings{{Name: "robot", CertSubjects: []string{"robot.example.org"},
			RightsSettings: RightsSettings{Read: []string{DefaultCollection}}}}
	})
	base := "https://" + h.n.HTTPAddr()
	client := func(cert *tls.Certificate) *httpbinding.Client {
		cfg := &tls.Config{RootCAs: ca.pool}
		if cert != nil {
			cfg.Certificates = []tls.Certificate{*cert}
		}
		return &httpbinding.Client{HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}}
	}
	poll := func(c *httpbinding.Client) protocol.Message {
		resp, err := c.Send(context.Background(), base+PathPoll, &protocol.PollRequest{
			Header:         protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
			CollectionName: DefaultCollection, Parameters: &protocol.PollParameters{}})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	wantPoll(t, poll(client(&robot)))
	wantStatus(t, poll(client(&stranger)), protocol.StatusUnauthorized)
	wantStatus(t, poll(client(nil)), protocol.StatusUnauthorized)

	// Discovery advertises HTTPS addresses (HTTP-2, AMB-33).
	resp, err := client(&robot).Send(context.Background(), base+PathDiscovery, &protocol.DiscoveryRequest{
		Header: protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, si := range resp.(*protocol.DiscoveryResponse).ServiceInstances {
		if si.ProtocolBinding == protocol.ProtocolLibp2p {
			continue
		}
		if si.ProtocolBinding != protocol.ProtocolHTTPS || !strings.HasPrefix(si.Address, "https://") {
			t.Errorf("service %s at %s over %s, want https", si.ServiceType, si.Address, si.ProtocolBinding)
		}
	}

	// The operator's command line client pins the node's own certificate.
	c, err := NewClient(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(context.Background())
	if err != nil {
		t.Fatalf("operator client over https: %v", err)
	}
	if st.HTTP != base {
		t.Errorf("status gives the HTTP binding as %q, want %q", st.HTTP, base)
	}
}

// TestCertificateRenewal: a certificate and key replaced on disk are served
// within seconds, without a restart, and the command line, which pins the
// configured certificate, follows; files that do not load are refused in
// the configuration and keep the node on its last good one.
func TestCertificateRenewal(t *testing.T) {
	ca := newPKI(t)
	_, certPEM, keyPEM := ca.issue("node", true)
	files := t.TempDir()
	certFile, keyFile := filepath.Join(files, "node.crt"), filepath.Join(files, "node.pem")
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(certFile, certPEM)
	write(keyFile, keyPEM)
	h := newHarness(t, func(s *Settings) { s.HTTP.TLSCert, s.HTTP.TLSKey = certFile, keyFile })
	served := func() *big.Int {
		t.Helper()
		conn, err := tls.Dial("tcp", h.n.HTTPAddr(), &tls.Config{RootCAs: ca.pool})
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber
	}
	first := served()

	renewed, certPEM, keyPEM := ca.issue("node", true)
	write(keyFile, keyPEM)
	write(certFile, certPEM)
	want := renewed.Leaf.SerialNumber
	deadline := time.Now().Add(5 * time.Second)
	for served().Cmp(want) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("still serving certificate %v after renewal (first %v), want %v", served(), first, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c, err := NewClient(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(context.Background()); err != nil {
		t.Fatalf("operator client after renewal: %v", err)
	}

	// A renewal that does not load leaves the node on the certificate it
	// serves, which the command line still reaches.
	_, certPEM, _ = ca.issue("node", true) // without its key
	write(certFile, certPEM)
	time.Sleep(recheck + 100*time.Millisecond)
	if got := served(); got.Cmp(want) != 0 {
		t.Fatalf("serving %v after a renewal that does not load, want %v", got, want)
	}
	for _, broken := range [][]byte{certPEM, []byte("garbage")} {
		write(certFile, broken)
		c, err := NewClient(h.dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Status(context.Background()); err != nil {
			t.Errorf("operator client after a renewal that does not load: %v", err)
		}
	}

	err = EditSettings(h.dir, func(s *Settings) error {
		s.HTTP.TLSCert = filepath.Join(files, "missing.crt")
		return nil
	})
	if !errors.Is(err, ErrInvalidSettings) {
		t.Errorf("a missing certificate file: EditSettings = %v, want ErrInvalidSettings", err)
	}
}
