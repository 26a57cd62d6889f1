package node

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	ma "github.com/multiformats/go-multiaddr"
	"golang.org/x/sync/errgroup"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// Config configures a Node. Everything else comes from the data directory.
type Config struct {
	// Dir is the data directory; it must have been made by Init.
	Dir string
	// Logger receives the node's logs. Nil builds one from the log settings
	// of the configuration file, writing to standard error.
	Logger *slog.Logger
	// PSKFile, when set, names the pre-shared key for this run, over the
	// configuration file's p2p.psk_file.
	PSKFile string
	// Now is the wall clock the store labels content with. Nil means
	// time.Now; tests set it to give content known labels.
	Now func() time.Time
	// OnStored, when set, is called each time new content blocks are stored
	// durably, whichever way they arrived. It runs on the goroutine that
	// stored them and must not block: an application that embeds the node
	// hands the event on, for instance to forward content elsewhere.
	OnStored func(Stored)
}

// Stored describes content blocks just stored durably.
type Stored struct {
	Collection string
	// Via is how they arrived: inbox, gossip, poll or subscription.
	Via    string
	Hashes []store.Hash
}

// Node is one taxiinode node. Its exported methods are safe for concurrent
// use. The applied configuration is an immutable state swapped atomically;
// the components run as goroutines that Run owns.
type Node struct {
	pushClients pushClients

	dir       string
	log       *slog.Logger
	token     string
	store     *store.Store
	trust     *trust.Registry
	host      *peer.Host
	metrics   *metrics
	maxGossip int
	now       func() time.Time
	onStored  func(Stored)

	httpLn    *connLimit
	httpAddr  string
	publicURL string
	tls       bool

	state         atomic.Pointer[state]
	catchUps      *catchUpLoop
	fetcher       *fetcher
	subscriptions *deliverer

	// configErr is why the configuration file was last refused, nil once
	// it applies.
	configErr atomic.Pointer[string]

	// subMu serializes read-modify-write of stored subscriptions.
	subMu sync.Mutex
	// reloadMu serializes configuration reloads.
	reloadMu sync.Mutex
}

// New opens the node in cfg.Dir: it loads the configuration and the key,
// opens the store, and starts listening on the libp2p and HTTP addresses,
// so that Addrs and HTTPAddr are known when it returns. Run serves.
func New(cfg Config) (*Node, error) {
	settings, err := LoadSettings(cfg.Dir)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = newLogger(settings.Log, os.Stderr)
	}
	if cfg.PSKFile != "" {
		settings.P2P.PSKFile = cfg.PSKFile
	}
	n := &Node{dir: cfg.Dir, log: log, metrics: newMetrics(), now: cfg.Now, onStored: cfg.OnStored}
	n.catchUps = newCatchUpLoop(n)
	n.fetcher = newFetcher(n)
	n.subscriptions = newDeliverer(n)
	if err := n.open(settings); err != nil {
		n.close()
		return nil, err
	}
	return n, nil
}

func (n *Node) open(s *Settings) error {
	st, err := newState(n.dir, s)
	if err != nil {
		return err
	}
	if err := checkFiles(n.dir, s); err != nil {
		return err
	}
	n.state.Store(st)
	if n.token, err = LoadToken(n.dir); err != nil {
		return fmt.Errorf("api token: %w", err)
	}
	policy, err := s.policy()
	if err != nil {
		return err
	}
	if n.trust, err = trust.NewRegistry(policy); err != nil {
		return err
	}
	n.store, err = store.Open(store.Options{
		Dir:    filepath.Join(n.dir, StoreDir),
		Logger: n.log.With("component", "store"),
		Now:    n.now,
	})
	if err != nil {
		return err
	}
	if err := n.startHost(s); err != nil {
		return err
	}
	if err := n.listenHTTP(s); err != nil {
		return err
	}
	n.applyPeers(s)
	n.joinTopics(nil, st)
	n.writeAddrFile()
	n.log.Info("node started", "peer", n.host.ID(), "p2p", n.host.Addrs(), "http", n.httpAddr)
	return nil
}

func (n *Node) startHost(s *Settings) error {
	key, err := LoadKey(n.dir)
	if err != nil {
		return err
	}
	psk, err := loadPSK(n.dir, s)
	if err != nil {
		return err
	}
	listen := s.P2P.Listen
	if psk != nil {
		listen = tcpOnly(listen)
		n.log.Info("pre-shared key in use: QUIC is off, libp2p listens on TCP only", "listen", listen)
		if len(listen) == 0 {
			return errors.New("p2p.listen: a pre-shared key needs a TCP listen address")
		}
	}
	n.maxGossip = s.P2P.MaxGossipSize
	if n.maxGossip <= 0 {
		n.maxGossip = peer.DefaultMaxGossipSize
	}
	n.host, err = peer.New(peer.Config{
		Key:           key,
		Listen:        listen,
		PSK:           psk,
		MaxFrameSize:  s.P2P.MaxFrameSize,
		MaxGossipSize: n.maxGossip,
		Limits: peer.Limits{
			RequestRate:     s.P2P.RequestRate,
			RequestBurst:    s.P2P.RequestBurst,
			GossipRate:      s.P2P.GossipRate,
			GossipBurst:     s.P2P.GossipBurst,
			GossipBytesRate: s.P2P.GossipBytesRate,
		},
		OnConnected: n.catchUps.connected,
		Logger:      n.log.With("component", "peer"),
	}, authorizer{n.trust}, (*libp2pHandler)(n))
	return err
}

// tcpOnly drops the listen addresses that are not TCP.
func tcpOnly(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			continue
		}
		if _, err := m.ValueForProtocol(ma.P_TCP); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// Run serves until ctx ends, then stops every component in reverse order of
// start under the shutdown timeout: the HTTP binding, the background loops,
// the libp2p host, the store.
func (n *Node) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return n.store.Run(gctx) })
	g.Go(func() error { return n.catchUps.run(gctx) })
	g.Go(func() error { return n.fetcher.run(gctx) })
	g.Go(func() error { return n.subscriptions.run(gctx) })
	g.Go(func() error { return n.retain(gctx) })
	g.Go(func() error { return n.watchSettings(gctx) })
	stopHTTP := n.serveHTTP(g)
	<-gctx.Done()
	n.log.Info("node stopping")
	stopHTTP()
	err := g.Wait()
	n.close()
	n.log.Info("node stopped")
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

// writeAddrFile records where the HTTP binding listens.
func (n *Node) writeAddrFile() {
	if n.httpAddr == "" {
		return
	}
	path := filepath.Join(n.dir, AddrFile)
	if err := writeFileAtomic(path, []byte(n.httpAddr+"\n"), 0o644); err != nil {
		n.log.Warn("http address not recorded", "file", path, "err", err)
	}
}

// writeServedCert records the certificate the HTTPS binding serves, for
// the command line to pin.
func (n *Node) writeServedCert(c *tls.Certificate) {
	path := filepath.Join(n.dir, ServedCertFile)
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		n.log.Warn("served certificate not recorded", "file", path, "err", err)
	}
}

// close releases what open acquired, in reverse order.
func (n *Node) close() {
	if n.httpLn != nil {
		n.httpLn.Close()
		os.Remove(filepath.Join(n.dir, AddrFile))
		os.Remove(filepath.Join(n.dir, ServedCertFile))
	}
	if n.host != nil {
		if err := n.host.Close(); err != nil {
			n.log.Warn("libp2p host close", "err", err)
		}
	}
	if n.store != nil {
		if err := n.store.Close(); err != nil {
			n.log.Error("store close", "err", err)
		}
	}
}

// ID returns the node's peer ID.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Addrs returns the node's libp2p addresses, each ending in /p2p/<peer ID>.
func (n *Node) Addrs() []ma.Multiaddr { return n.host.Addrs() }

// HTTPAddr returns the host:port of the HTTP binding, "" when it is off.
func (n *Node) HTTPAddr() string { return n.httpAddr }

// Store returns the node's store, for tests and tools in this process.
func (n *Node) Store() *store.Store { return n.store }

// Host returns the node's libp2p host.
func (n *Node) Host() *peer.Host { return n.host }

// retain applies the collections' retention limits every minute.
func (n *Node) retain(ctx context.Context) error {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			n.pruneAll(ctx)
		}
	}
}

func (n *Node) pruneAll(ctx context.Context) {
	st := n.state.Load()
	for _, name := range st.names {
		c, _ := st.collection(name)
		if c.maxAge == 0 && c.maxBlocks == 0 {
			continue
		}
		removed, err := n.store.Prune(ctx, c.name, time.Duration(c.maxAge)*time.Microsecond, c.maxBlocks)
		if err != nil {
			n.log.Error("retention failed", "collection", c.name, "err", err)
		} else if removed > 0 {
			n.log.Info("retention removed blocks", "collection", c.name, "blocks", removed)
		}
	}
}

// libp2pHandler is the node seen by the libp2p host.
type libp2pHandler Node

func (h *libp2pHandler) ServeTAXII(ctx context.Context, from peer.ID, req protocol.Message) protocol.Message {
	n := (*Node)(h)
	resp := n.Handle(ctx, trust.Peer(from.String()), "", req)
	n.metrics.request("libp2p", req.Type(), resp)
	return resp
}

func (h *libp2pHandler) Deliver(ctx context.Context, g *peer.Gossip) error {
	return (*Node)(h).deliverGossip(ctx, g)
}

// applyPeers hands the trusted peers to the host.
func (n *Node) applyPeers(s *Settings) { n.host.SetPeers(s.peerInfos()) }

// joinTopics joins the topic of every collection of st and leaves those of
// old that st no longer has.
func (n *Node) joinTopics(old, st *state) {
	for _, name := range st.names {
		if err := n.host.Join(name); err != nil {
			n.log.Error("topic not joined", "collection", name, "err", err)
		}
	}
	if old == nil {
		return
	}
	for _, name := range old.names {
		if !slices.Contains(st.names, name) {
			n.host.Leave(name)
		}
	}
}
