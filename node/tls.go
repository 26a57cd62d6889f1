package node

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
)

// newTLSConfig returns the TLS configuration of the HTTP binding: the
// certificate and key of the settings, reloaded when their files change,
// and the CAs of client certificates. Relative file names are in dir.
// served, when not nil, is called with each certificate it starts serving.
func newTLSConfig(dir string, h HTTPSettings, log *slog.Logger,
	served func(*tls.Certificate)) (*tls.Config, error) {
	kp := &keyPair{cert: inDir(dir, h.TLSCert), key: inDir(dir, h.TLSKey), log: log, served: served}
	if err := kp.load(); err != nil {
		return nil, fmt.Errorf("http.tls_cert and tls_key: %w", err)
	}
	cfg := &tls.Config{GetCertificate: kp.get, MinVersion: tls.VersionTLS12}
	if h.ClientCA != "" {
		pool := x509.NewCertPool()
		if err := appendCAs(pool, inDir(dir, h.ClientCA)); err != nil {
			return nil, fmt.Errorf("http.client_ca: %w", err)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return cfg, nil
}

// checkTLS checks that the TLS files of the settings can be loaded.
func checkTLS(dir string, h HTTPSettings) error {
	if h.TLSCert == "" {
		return nil
	}
	_, err := newTLSConfig(dir, h, nil, nil)
	return err
}

// keyPair serves a certificate and key from files, and the new ones once
// the files change, so that a renewed certificate is served without a
// restart. A new pair that does not load leaves the old one in service.
type keyPair struct {
	cert, key string
	log       *slog.Logger
	served    func(*tls.Certificate) // told of each pair loaded, when set

	mu      sync.Mutex
	current *tls.Certificate
	stamp   [2]stamp  // the files' versions when last loaded or tried
	checked time.Time // when the files were last looked at
}

// recheck is how often the files are looked at, at most.
const recheck = time.Second

func (kp *keyPair) load() error {
	pair, err := tls.LoadX509KeyPair(kp.cert, kp.key)
	if err != nil {
		return err
	}
	kp.current = &pair
	kp.stamp = [2]stamp{fileStamp(kp.cert), fileStamp(kp.key)}
	kp.checked = time.Now()
	if kp.served != nil {
		kp.served(&pair)
	}
	return nil
}

func (kp *keyPair) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if time.Since(kp.checked) < recheck {
		return kp.current, nil
	}
	kp.checked = time.Now()
	now := [2]stamp{fileStamp(kp.cert), fileStamp(kp.key)}
	if now == kp.stamp {
		return kp.current, nil
	}
	if err := kp.load(); err != nil {
		kp.stamp = now // tried: the next change of the files is tried again
		if kp.log != nil {
			kp.log.Warn("changed TLS certificate not loaded; serving the previous one", "err", err)
		}
		return kp.current, nil
	}
	if kp.log != nil {
		kp.log.Info("TLS certificate reloaded", "cert", kp.cert)
	}
	return kp.current, nil
}

// inDir resolves a file name of the settings relative to the data
// directory.
func inDir(dir, name string) string {
	if name == "" || filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(dir, name)
}
