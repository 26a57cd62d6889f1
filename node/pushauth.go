package node

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"sync"

	"github.com/taxiinode/taxiinode/protocol/httpbinding"
)

// pushClients holds the HTTP clients with their own TLS settings that push
// to subscribers' inboxes, one per client certificate and CA file, so that
// connections are reused; a renewed certificate is picked up by the
// client, a changed CA file makes a new one.
type pushClients struct {
	mu      sync.Mutex
	clients map[[3]string]pushClient
}

type pushClient struct {
	http *http.Client
	ca   stamp // the version of the CA file it trusts
}

// get returns the client presenting the certificate in certFile and
// keyFile, if any, and trusting the CAs in caFile besides the system's.
func (pc *pushClients) get(certFile, keyFile, caFile string) (*http.Client, error) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	k := [3]string{certFile, keyFile, caFile}
	ca := fileStamp(caFile)
	if c, ok := pc.clients[k]; ok && c.ca == ca {
		return c.http, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if certFile != "" {
		kp := &keyPair{cert: certFile, key: keyFile}
		if err := kp.load(); err != nil {
			return nil, fmt.Errorf("tls_cert and tls_key: %w", err)
		}
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return kp.get(nil)
		}
	}
	if caFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if err := appendCAs(pool, caFile); err != nil {
			return nil, fmt.Errorf("ca: %w", err)
		}
		cfg.RootCAs = pool
	}
	c := httpbinding.NewHTTPClient(cfg)
	if old, ok := pc.clients[k]; ok {
		old.http.CloseIdleConnections()
	}
	if pc.clients == nil {
		pc.clients = make(map[[3]string]pushClient)
	}
	pc.clients[k] = pushClient{http: c, ca: ca}
	return c, nil
}

// appendCAs adds the PEM certificates of a file to pool.
func appendCAs(pool *x509.CertPool, file string) error {
	pem, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s: no PEM certificate", file)
	}
	return nil
}

// pushClient returns the client that pushes to the inbox at addr, with the
// credentials of the most specific push_credentials URL addr lies under.
func (n *Node) pushClient(addr string) (*httpbinding.Client, error) {
	var best *PushCredentials
	creds := n.state.Load().settings.Subscriptions.PushCredentials
	for i, c := range creds {
		if urlWithin(addr, c.URL) && (best == nil || len(c.URL) > len(best.URL)) {
			best = &creds[i]
		}
	}
	if best == nil {
		return &httpbinding.Client{}, nil
	}
	password, err := pushPassword(n.dir, *best)
	if err != nil {
		return nil, err
	}
	client := &httpbinding.Client{Username: best.User, Password: password}
	if best.TLSCert != "" || best.CA != "" {
		client.HTTP, err = n.pushClients.get(inDir(n.dir, best.TLSCert), inDir(n.dir, best.TLSKey), inDir(n.dir, best.CA))
		if err != nil {
			return nil, fmt.Errorf("subscriptions.push_credentials %s: %w", best.URL, err)
		}
	}
	return client, nil
}

// pushPassword reads the password of c, if it has one.
func pushPassword(dir string, c PushCredentials) (string, error) {
	if c.PasswordFile == "" {
		return "", nil
	}
	raw, err := os.ReadFile(inDir(dir, c.PasswordFile))
	if err != nil {
		return "", fmt.Errorf("subscriptions.push_credentials %s: %w", c.URL, err)
	}
	password := string(bytes.TrimRight(raw, "\r\n"))
	if password == "" {
		return "", fmt.Errorf("subscriptions.push_credentials %s: %s is empty", c.URL, c.PasswordFile)
	}
	return password, nil
}

// checkFiles checks that the files the settings name besides the
// configuration itself load: the HTTP binding's TLS files and the push
// credentials'.
func checkFiles(dir string, s *Settings) error {
	if err := checkTLS(dir, s.HTTP); err != nil {
		return err
	}
	for _, c := range s.Subscriptions.PushCredentials {
		if err := checkPushCredentials(dir, c); err != nil {
			return err
		}
	}
	return nil
}

// checkPushCredentials checks that the files of c can be read.
func checkPushCredentials(dir string, c PushCredentials) error {
	if _, err := pushPassword(dir, c); err != nil {
		return err
	}
	if c.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(inDir(dir, c.TLSCert), inDir(dir, c.TLSKey)); err != nil {
			return fmt.Errorf("subscriptions.push_credentials %s: %w", c.URL, err)
		}
	}
	if c.CA != "" {
		if err := appendCAs(x509.NewCertPool(), inDir(dir, c.CA)); err != nil {
			return fmt.Errorf("subscriptions.push_credentials %s: ca: %w", c.URL, err)
		}
	}
	return nil
}
