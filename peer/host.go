package peer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	libp2p "github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	libp2ppeer "github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/pnet"
	"github.com/libp2p/go-libp2p/p2p/net/connmgr"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/quicreuse"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/taxiinode/taxiinode/protocol"
)

// ID is a libp2p peer ID.
type ID = libp2ppeer.ID

// ParseID parses a peer ID in its string form.
func ParseID(s string) (ID, error) { return libp2ppeer.Decode(s) }

// Info is a trusted peer and the addresses to dial it at. A peer without
// addresses is never dialed; it may still connect to us.
type Info struct {
	ID    ID
	Addrs []ma.Multiaddr
}

// Authorizer tells a Host whom it may talk to. Package node supplies one
// backed by the trust registry. Its methods are called on every connection,
// stream and gossip message, concurrently: they must be fast and safe for
// concurrent use.
type Authorizer interface {
	// Trusted reports whether the peer may connect at all.
	Trusted(p ID) bool
	// CanRead reports whether the peer may receive a collection's content.
	CanRead(p ID, collection string) bool
	// CanWrite reports whether the peer may add content to a collection.
	CanWrite(p ID, collection string) bool
}

// Handler receives what trusted peers send. Its methods are called
// concurrently.
type Handler interface {
	// ServeTAXII answers one TAXII request that arrived on a stream. It
	// returns the response message, a Status Message on any failure.
	ServeTAXII(ctx context.Context, from ID, req protocol.Message) protocol.Message
	// Deliver takes a gossiped Inbox Message whose author may write the
	// collection. It returns nil once the content is stored durably; then
	// the message is relayed to other peers. An error makes the host ignore
	// the message without blaming the peer that relayed it.
	Deliver(ctx context.Context, g *Gossip) error
}

// Gossip is one Inbox Message received on a collection's topic.
type Gossip struct {
	Collection string
	// Author signed the message; From relayed it to us.
	Author  ID
	From    ID
	Message *protocol.InboxMessage
	// Size is the size of the encoded message in bytes.
	Size int
}

// Config configures a Host. The zero value of every field but Key and
// Listen is a sensible default.
type Config struct {
	// Key is the host's identity.
	Key crypto.PrivKey
	// Listen are the multiaddrs to listen on, such as
	// /ip4/0.0.0.0/tcp/4001 and /ip4/0.0.0.0/udp/4001/quic-v1.
	Listen []string
	// PSK, when set, makes the host join only the private network of peers
	// holding the same 32-byte key. QUIC cannot carry it: with a PSK every
	// listen address must be TCP.
	PSK []byte
	// MaxFrameSize bounds one request or response on a stream.
	// Default: DefaultMaxFrameSize.
	MaxFrameSize int
	// MaxGossipSize bounds one gossip message. It must be the same on every
	// node of a mesh, since gossipsub silently drops larger messages.
	// Default: DefaultMaxGossipSize.
	MaxGossipSize int
	// RequestTimeout bounds one request/response exchange.
	// Default: DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Limits bound what one peer may ask of the host.
	Limits Limits
	// OnConnected, when set, is called each time a trusted peer's first
	// connection opens. It must not block.
	OnConnected func(ID)
	// Logger receives the host's logs; nil discards them.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultMaxFrameSize   = 32 << 20
	DefaultMaxGossipSize  = 4 << 20
	DefaultRequestTimeout = 60 * time.Second
)

func (c *Config) setDefaults() {
	if c.MaxFrameSize <= 0 {
		c.MaxFrameSize = DefaultMaxFrameSize
	}
	if c.MaxGossipSize <= 0 {
		c.MaxGossipSize = DefaultMaxGossipSize
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	c.Limits.setDefaults()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Host is a libp2p host speaking TAXII with trusted peers. It is safe for
// concurrent use. Its peer table and topics are guarded by a mutex; the
// dialer runs in one goroutine that Close waits for.
type Host struct {
	cfg     Config
	auth    Authorizer
	handler Handler
	log     *slog.Logger
	host    host.Host
	ps      *pubsub.PubSub
	stats   *stats
	limits  *limiter

	cancel context.CancelFunc
	wg     sync.WaitGroup
	redial chan struct{}

	// mu guards peers and topics.
	mu     sync.Mutex
	peers  map[ID]*dialState
	topics map[string]*topic
}

// New starts a host listening on cfg.Listen. It runs until Close.
func New(cfg Config, auth Authorizer, handler Handler) (*Host, error) {
	cfg.setDefaults()
	if cfg.Key == nil {
		return nil, errors.New("peer: config has no key")
	}
	h := &Host{
		cfg:     cfg,
		auth:    auth,
		handler: handler,
		log:     cfg.Logger,
		stats:   &stats{},
		limits:  newLimiter(cfg.Limits, cfg.MaxGossipSize),
		redial:  make(chan struct{}, 1),
		peers:   make(map[ID]*dialState),
		topics:  make(map[string]*topic),
	}
	lh, err := h.newLibp2pHost()
	if err != nil {
		return nil, err
	}
	h.host = lh
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	ps, err := h.newPubSub(ctx)
	if err != nil {
		cancel()
		lh.Close()
		return nil, err
	}
	h.ps = ps

	lh.SetStreamHandler(ProtocolID, h.serveStream)
	lh.Network().Notify(&network.NotifyBundle{ConnectedF: h.connected})
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.dialLoop(ctx)
	}()
	return h, nil
}

func (h *Host) newLibp2pHost() (host.Host, error) {
	cm, err := connmgr.NewConnManager(100, 400, connmgr.WithGracePeriod(time.Minute))
	if err != nil {
		return nil, fmt.Errorf("peer: connection manager: %w", err)
	}
	opts := []libp2p.Option{
		libp2p.Identity(h.cfg.Key),
		libp2p.ListenAddrStrings(h.cfg.Listen...),
		// No SO_REUSEPORT: a second node on a taken port must fail to start
		// rather than share the port, and dials from the listen port make
		// two nodes that dial each other at once open one TCP connection
		// from both ends, whose security handshakes then collide.
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		libp2p.QUICReuse(quicreuse.NewConnManager, quicreuse.DisableReuseport()),
		libp2p.ConnectionGater(&gater{h: h}),
		libp2p.ConnectionManager(cm),
		libp2p.DisableRelay(),
		libp2p.ForceReachabilityPrivate(),
		libp2p.DisableIdentifyAddressDiscovery(),
		libp2p.DisableMetrics(),
		libp2p.Ping(false),
		libp2p.UserAgent("taxiinode"),
	}
	if len(h.cfg.PSK) > 0 {
		for _, a := range h.cfg.Listen {
			if isQUIC(a) {
				return nil, fmt.Errorf("%w: %s", ErrPSKWithQUIC, a)
			}
		}
		opts = append(opts, libp2p.PrivateNetwork(pnet.PSK(h.cfg.PSK)))
	} else {
		opts = append(opts, libp2p.Transport(quic.NewTransport))
	}
	lh, err := libp2p.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("peer: start libp2p host: %w", err)
	}
	return lh, nil
}

// isQUIC reports whether a multiaddr string names a UDP transport.
func isQUIC(addr string) bool {
	m, err := ma.NewMultiaddr(addr)
	if err != nil {
		return false
	}
	_, err = m.ValueForProtocol(ma.P_UDP)
	return err == nil
}

// ID returns the host's peer ID.
func (h *Host) ID() ID { return h.host.ID() }

// Addrs returns the addresses the host listens on, each ending in
// /p2p/<peer ID>, so that they can be given to other nodes as they are.
// Unspecified listen addresses (0.0.0.0) are expanded to the machine's
// interface addresses.
func (h *Host) Addrs() []ma.Multiaddr {
	self, err := ma.NewComponent("p2p", h.ID().String())
	if err != nil {
		return nil
	}
	var out []ma.Multiaddr
	for _, a := range h.host.Addrs() {
		out = append(out, a.Encapsulate(self))
	}
	return out
}

// Connected reports whether the host has a connection to p right now.
func (h *Host) Connected(p ID) bool {
	return h.host.Network().Connectedness(p) == network.Connected
}

// ConnectedPeers returns the peers the host has connections to.
func (h *Host) ConnectedPeers() []ID { return h.host.Network().Peers() }

// Close leaves every topic, stops dialing and closes the host.
func (h *Host) Close() error {
	h.mu.Lock()
	for name, t := range h.topics {
		t.close()
		delete(h.topics, name)
	}
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
	return h.host.Close()
}

func (h *Host) connected(_ network.Network, c network.Conn) {
	p := c.RemotePeer()
	if h.cfg.OnConnected != nil && len(h.host.Network().ConnsToPeer(p)) == 1 {
		h.cfg.OnConnected(p)
	}
}

// IDFromPrivateKey returns the peer ID of a private key.
func IDFromPrivateKey(k crypto.PrivKey) (ID, error) { return libp2ppeer.IDFromPrivateKey(k) }
