package node

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/sync/errgroup"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/httpbinding"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// PathPeers prefixes the operator's TAXII endpoints that reach a trusted
// peer through this node: POST /taxii/peers/<peer ID>/<service> sends the
// TAXII message in the body to that peer over libp2p.
const PathPeers = "/taxii/peers/"

// PathStatus serves the node's identity and state as JSON, for the command
// line.
const PathStatus = "/api/v1/status"

// PathPurge deletes every stored block of the collection named by the
// query parameter "collection": POST, operator only.
const PathPurge = "/api/v1/purge"

// listenHTTP binds the HTTP binding's listener, with TLS when configured.
func (n *Node) listenHTTP(s *Settings) error {
	if s.HTTP.Listen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", s.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http listen: %w", err)
	}
	maxConns := s.HTTP.MaxConnections
	if maxConns <= 0 {
		maxConns = 512
	}
	n.httpAddr = ln.Addr().String()
	if s.HTTP.TLSCert != "" {
		cfg, err := newTLSConfig(n.dir, s.HTTP, n.log, n.writeServedCert)
		if err != nil {
			ln.Close()
			return err
		}
		ln = tls.NewListener(ln, cfg)
		n.tls = true
	}
	n.httpLn = newConnLimit(ln, maxConns)
	n.publicURL = strings.TrimRight(s.HTTP.PublicURL, "/")
	if host, _, _ := net.SplitHostPort(s.HTTP.Listen); !isLoopback(host) && s.HTTP.TLSCert == "" {
		n.log.Warn("the TAXII HTTP binding listens beyond this machine without TLS", "http", n.httpAddr)
	}
	if host, _, _ := net.SplitHostPort(s.HTTP.Listen); !isLoopback(host) &&
		len(s.HTTP.Anonymous.Read)+len(s.HTTP.Anonymous.Write) > 0 {
		n.log.Warn("clients without credentials have rights on an HTTP binding open beyond this machine",
			"read", s.HTTP.Anonymous.Read, "write", s.HTTP.Anonymous.Write)
	}
	return nil
}

// isLoopback reports whether a listen host only accepts local clients.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveHTTP serves the HTTP binding in g and returns the function that
// stops it gracefully.
func (n *Node) serveHTTP(g *errgroup.Group) (stop func()) {
	if n.httpLn == nil {
		return func() {}
	}
	readTimeout := n.state.Load().settings.HTTP.ReadTimeout
	if readTimeout <= 0 {
		// A 32 MiB request at 300 KB/s still arrives.
		readTimeout = 2 * time.Minute
	}
	srv := &http.Server{
		Handler:           n.httpHandler(),
		ReadHeaderTimeout: min(10*time.Second, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ConnState:         n.httpLn.ConnState,
		// net/http's own complaints, such as failed TLS handshakes, go to
		// the node's log in its format.
		ErrorLog: slog.NewLogLogger(n.log.With("component", "http").Handler(), slog.LevelWarn),
	}
	g.Go(func() error {
		if err := srv.Serve(n.httpLn); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			n.log.Warn("http shutdown", "err", err)
		}
	}
}

// httpHandler routes the TAXII services, the operator's peer endpoints,
// the health check, the metrics and the status.
func (n *Node) httpHandler() http.Handler {
	maxBody := n.state.Load().settings.HTTP.MaxBodySize
	mux := http.NewServeMux()
	for svc, path := range servicePaths {
		srv := &httpbinding.Server{
			Handler:     n.serviceHandler(svc),
			MaxBodySize: maxBody,
			Logger:      n.log.With("component", "http"),
			Observe:     n.observeHTTP,
		}
		mux.Handle(path, srv)
		mux.Handle(path+"/", srv)
	}
	mux.Handle(PathPeers, &httpbinding.Server{
		Handler:     httpbinding.HandlerFunc(n.servePeerProxy),
		MaxBodySize: maxBody,
		Logger:      n.log.With("component", "http"),
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("GET /metrics", n.localOrOperator(promhttp.HandlerFor(n.metrics.registry(n), promhttp.HandlerOpts{})))
	mux.HandleFunc("GET "+PathStatus, n.serveStatus)
	mux.HandleFunc("POST "+PathPurge, n.servePurge)
	if maxBody <= 0 {
		maxBody = httpbinding.DefaultMaxBodySize
	}
	gate := newLargeBodies(maxBody)
	gate.admit = n.mayPushLarge
	gate.observe = func(answer protocol.Message) { n.observeHTTP("", answer, true) }
	return gate.wrap(mux)
}

// mayPushLarge refuses a large request from a sender that may write no
// collection, before it is read: only pushes are large, and a sender
// without credentials must not hold the room of those who have them.
func (n *Node) mayPushLarge(r *http.Request) error {
	caller, err := n.authenticate(r)
	if err != nil {
		return err
	}
	if len(n.allowed(caller, n.state.Load(), trust.Write)) == 0 {
		return unauthorized(caller, "push content")
	}
	return nil
}

// localOrOperator serves clients on this machine, and others that give the
// node's API token: the metrics name collections and peers, which TAXII
// clients are not told of.
func (n *Node) localOrOperator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if !isLoopback(host) {
			if id, err := n.authenticate(r); err != nil || id != trust.Operator {
				w.Header().Set("WWW-Authenticate", "Bearer")
				http.Error(w, "operator token required", http.StatusUnauthorized)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// serviceHandler answers the requests of one TAXII service over HTTP.
func (n *Node) serviceHandler(svc protocol.ServiceType) httpbinding.Handler {
	return httpbinding.HandlerFunc(func(ctx context.Context, r *httpbinding.Request) protocol.Message {
		caller, err := n.authenticate(r.HTTP)
		var resp protocol.Message
		if err != nil {
			resp = n.status(r.Message, err)
		} else {
			resp = n.Handle(withBaseURL(ctx, n.baseOf(r.HTTP)), caller, svc, r.Message)
		}
		return resp
	})
}

// observeHTTP counts every answer of the HTTP binding, those to requests
// it refused before they reached a service included. A request whose
// message was not read, or could not be, counts as of type "unread".
func (n *Node) observeHTTP(t protocol.MessageType, answer protocol.Message, refused bool) {
	if t == "" {
		t = "unread"
	}
	if refused {
		n.metrics.refused(t)
	}
	n.metrics.request("http", t, answer)
}

// baseOf returns the scheme and host an HTTP request was sent to, or the
// configured public URL.
func (n *Node) baseOf(r *http.Request) string {
	if n.publicURL != "" {
		return n.publicURL
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// authenticate tells who sent an HTTP request: the operator (bearer token),
// an account (HTTP Basic or client certificate) or nobody in particular.
// Credentials that are given but wrong are an error, not anonymity.
func (n *Node) authenticate(r *http.Request) (trust.Identity, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
			if subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(n.token)) == 1 {
				return trust.Operator, nil
			}
			return trust.Anonymous, protocol.Errorf(protocol.StatusUnauthorized, "wrong API token")
		}
		user, pass, ok := r.BasicAuth()
		if !ok {
			return trust.Anonymous, protocol.Errorf(protocol.StatusUnauthorized, "unsupported Authorization scheme")
		}
		if id, ok := n.trust.AuthenticateBasic(user, pass); ok {
			return id, nil
		}
		return trust.Anonymous, protocol.Errorf(protocol.StatusUnauthorized, "wrong user name or password")
	}
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cert := r.TLS.PeerCertificates[0]
		if id, ok := n.trust.AuthenticateCert(sha256.Sum256(cert.Raw), cert.Subject.CommonName); ok {
			return id, nil
		}
		return trust.Anonymous, protocol.Errorf(protocol.StatusUnauthorized, "client certificate not mapped to an account")
	}
	return trust.Anonymous, nil
}

// servePeerProxy sends the operator's TAXII request to a trusted peer over
// libp2p and answers with the peer's answer.
func (n *Node) servePeerProxy(ctx context.Context, r *httpbinding.Request) protocol.Message {
	caller, err := n.authenticate(r.HTTP)
	if err == nil && caller != trust.Operator {
		err = protocol.Errorf(protocol.StatusUnauthorized, "only the node's operator may reach peers through it")
	}
	if err != nil {
		return n.status(r.Message, err)
	}
	rest := strings.TrimPrefix(r.HTTP.URL.Path, PathPeers)
	idText, _, _ := strings.Cut(rest, "/")
	id, err := peer.ParseID(idText)
	if err != nil {
		return n.status(r.Message, protocol.Errorf(protocol.StatusBadMessage, "bad peer ID %q", idText))
	}
	resp, err := n.host.Request(ctx, id, r.Message)
	switch {
	case errors.Is(err, peer.ErrNotTrusted):
		// The operator named a peer the configuration does not list: a
		// mistake in the request, not a failure of the network.
		return n.status(r.Message, protocol.Errorf(protocol.StatusNotFound,
			"%s is not a trusted peer (taxiinode peer list)", id))
	case err != nil:
		return n.status(r.Message, protocol.Errorf(protocol.StatusNetworkError, "peer %s: %v", id, err))
	}
	return resp
}

// storeAll is the range of every label.
var storeAll = store.Range{}

// Status is what GET /api/v1/status answers.
type Status struct {
	PeerID string   `json:"peer_id"`
	Addrs  []string `json:"addrs"`
	// HTTP is the base URL of the HTTP binding, such as
	// https://127.0.0.1:9000.
	HTTP        string             `json:"http"`
	Peers       []PeerStatus       `json:"peers"`
	Collections []CollectionStatus `json:"collections"`
	Gossip      peer.Stats         `json:"gossip"`
	// ConfigError says why the configuration file as it is now was not
	// applied; the node runs on the last one that was.
	ConfigError string `json:"config_error,omitempty"`
}

// PeerStatus describes one trusted peer.
type PeerStatus struct {
	Name      string `json:"name"`
	ID        string `json:"id"`
	Connected bool   `json:"connected"`
	// LastError is why the last dial of the peer failed, when it is not
	// connected.
	LastError string   `json:"last_error,omitempty"`
	Read      []string `json:"read"`
	Write     []string `json:"write"`
}

// CollectionStatus describes one collection.
type CollectionStatus struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Blocks uint64 `json:"blocks"`
}

func (n *Node) serveStatus(w http.ResponseWriter, r *http.Request) {
	if id, err := n.authenticate(r); err != nil || id != trust.Operator {
		http.Error(w, "operator token required", http.StatusUnauthorized)
		return
	}
	st := n.state.Load()
	s := Status{PeerID: n.host.ID().String(), HTTP: "http://" + n.httpAddr, Gossip: n.host.Stats(),
		Addrs: []string{}, Peers: []PeerStatus{}, Collections: []CollectionStatus{}}
	if n.tls {
		s.HTTP = "https://" + n.httpAddr
	}
	if e := n.configErr.Load(); e != nil {
		s.ConfigError = *e
	}
	for _, a := range n.host.Addrs() {
		s.Addrs = append(s.Addrs, a.String())
	}
	for _, p := range st.settings.Peers {
		id, _ := peer.ParseID(p.ID)
		s.Peers = append(s.Peers, PeerStatus{Name: p.Name, ID: p.ID, Connected: n.host.Connected(id),
			LastError: n.host.DialError(id), Read: nonNil(p.Read), Write: nonNil(p.Write)})
	}
	for _, name := range st.names {
		c, _ := st.collection(name)
		count, err := n.store.Count(r.Context(), name, storeAll)
		if err != nil {
			http.Error(w, "store: "+err.Error(), http.StatusInternalServerError)
			return
		}
		s.Collections = append(s.Collections, CollectionStatus{Name: name, Type: string(c.typ), Blocks: count})
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(s)
}

// isConnRefused reports whether err says nothing listens at the address.
func isConnRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (n *Node) servePurge(w http.ResponseWriter, r *http.Request) {
	if id, err := n.authenticate(r); err != nil || id != trust.Operator {
		http.Error(w, "operator token required", http.StatusUnauthorized)
		return
	}
	coll := r.URL.Query().Get("collection")
	if coll == "" {
		http.Error(w, "name the collection", http.StatusBadRequest)
		return
	}
	if err := n.store.DeleteCollection(r.Context(), coll); err != nil {
		http.Error(w, "purge: "+err.Error(), http.StatusInternalServerError)
		return
	}
	n.log.Info("collection purged", "collection", coll)
	fmt.Fprintln(w, "purged")
}
