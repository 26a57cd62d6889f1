package node

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	ma "github.com/multiformats/go-multiaddr"
	"go.yaml.in/yaml/v3"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/trust"
)

// File names inside a data directory.
const (
	ConfigFile = "config.yaml"
	KeyFile    = "node.key"
	TokenFile  = "api.token"
	StoreDir   = "store"
	SwarmKey   = "swarm.key"
	// AddrFile holds the HTTP binding's address while the node runs, so
	// that the command line finds a node listening on port 0.
	AddrFile = "http.addr"
	// ServedCertFile holds the certificate the HTTPS binding serves while
	// the node runs, which the command line pins: after a renewal that
	// did not load, it is not the one in tls_cert.
	ServedCertFile = "http.crt"
)

// DefaultCollection is the collection a new node starts with, and the one an
// Inbox Message without a destination goes to.
const DefaultCollection = "default"

// Settings is the content of a node's configuration file. The command line
// edits it; a running node applies every change within a second.
type Settings struct {
	P2P     P2PSettings     `yaml:"p2p"`
	HTTP    HTTPSettings    `yaml:"http"`
	Inbox   InboxSettings   `yaml:"inbox"`
	CatchUp CatchUpSettings `yaml:"catchup"`
	Poll    PollSettings    `yaml:"poll,omitempty"`
	// Subscriptions configure the pushing of subscription content.
	Subscriptions SubscriptionSettings `yaml:"subscriptions,omitempty"`
	Collections   []CollectionSettings `yaml:"collections"`
	Peers         []PeerSettings       `yaml:"peers"`
	Accounts      []AccountSettings    `yaml:"accounts,omitempty"`
	Log           LogSettings          `yaml:"log"`
}

// P2PSettings configure the libp2p side of the node.
type P2PSettings struct {
	// Listen are multiaddrs to listen on.
	Listen []string `yaml:"listen"`
	// PSKFile names a 32-byte pre-shared key (hex or the go-libp2p swarm key
	// format) that closes the mesh to nodes without it. With a key the node
	// listens on TCP only. A file swarm.key in the data directory is used
	// when this is empty.
	PSKFile string `yaml:"psk_file,omitempty"`
	// MaxGossipSize bounds one gossip message; it must be the same on every
	// node. Content blocks too large for gossip travel by announcement and
	// poll. 0 means 4 MiB.
	MaxGossipSize int `yaml:"max_gossip_size,omitempty"`
	// MaxFrameSize bounds one request or response on a stream. 0 means 32 MiB.
	MaxFrameSize int `yaml:"max_frame_size,omitempty"`
	// Limits per peer; zero values take the defaults.
	RequestRate     float64 `yaml:"request_rate,omitempty"`
	RequestBurst    int     `yaml:"request_burst,omitempty"`
	GossipRate      float64 `yaml:"gossip_rate,omitempty"`
	GossipBurst     int     `yaml:"gossip_burst,omitempty"`
	GossipBytesRate float64 `yaml:"gossip_bytes_rate,omitempty"`
}

// HTTPSettings configure the TAXII HTTP(S) binding.
type HTTPSettings struct {
	// Listen is host:port; empty turns the HTTP binding off (the command
	// line then cannot reach the node).
	Listen string `yaml:"listen"`
	// TLSCert and TLSKey turn on HTTPS. ClientCA, when set, asks clients for
	// a certificate signed by it; accounts list the certificates they accept.
	TLSCert  string `yaml:"tls_cert,omitempty"`
	TLSKey   string `yaml:"tls_key,omitempty"`
	ClientCA string `yaml:"client_ca,omitempty"`
	// MaxBodySize bounds one request body. 0 means 32 MiB.
	MaxBodySize int64 `yaml:"max_body_size,omitempty"`
	// MaxConnections bounds the open client connections. 0 means 512.
	MaxConnections int `yaml:"max_connections,omitempty"`
	// ReadTimeout bounds the reading of one request, body included, so
	// that a client stalling half way does not hold a connection for ever.
	// 0 means two minutes.
	ReadTimeout time.Duration `yaml:"read_timeout,omitempty"`
	// PublicURL, such as https://taxii.example.org, is the base of the
	// service addresses the node advertises. Empty means the scheme and
	// host each request came to.
	PublicURL string `yaml:"public_url,omitempty"`
	// Anonymous rights of clients without credentials.
	Anonymous RightsSettings `yaml:"anonymous"`
}

// InboxSettings configure the Inbox service.
type InboxSettings struct {
	// DefaultCollection receives Inbox Messages that name no destination.
	DefaultCollection string `yaml:"default_collection"`
	// RequireDestination refuses messages without a destination instead.
	RequireDestination bool `yaml:"require_destination,omitempty"`
}

// CatchUpSettings configure how the node polls peers for what it missed.
type CatchUpSettings struct {
	// Interval between catch-up rounds with every peer. 0 means one minute.
	Interval time.Duration `yaml:"interval"`
}

// SubscriptionSettings configure subscriptions this node serves.
type SubscriptionSettings struct {
	// PushURLs are the HTTP(S) inbox addresses subscriptions may push to:
	// an address is allowed at or below one of them, with the same scheme,
	// host and port, such as "https://siem.example.org/taxii/inbox" under
	// "https://siem.example.org/taxii/". Empty
	// means none: a subscriber can only push over libp2p, to a trusted
	// peer. Without this list, anyone allowed to subscribe could make the
	// node send requests to any address it can reach.
	PushURLs []string `yaml:"push_urls,omitempty"`
	// PushCredentials are what the node presents to the inboxes it pushes
	// to: those of the most specific URL an address lies at or below.
	PushCredentials []PushCredentials `yaml:"push_credentials,omitempty"`
}

// PushCredentials authenticate this node to the HTTP(S) inboxes at or below
// URL: HTTP Basic with User and the password in PasswordFile, a client
// certificate (TLSCert and TLSKey), or both; CA adds the certificate
// authorities of a private PKI to those the system trusts for these
// inboxes. Passwords are read when used and certificates reloaded when
// their files change, so that neither needs a restart; relative names are
// in the data directory.
type PushCredentials struct {
	URL          string `yaml:"url"`
	User         string `yaml:"user,omitempty"`
	PasswordFile string `yaml:"password_file,omitempty"`
	TLSCert      string `yaml:"tls_cert,omitempty"`
	TLSKey       string `yaml:"tls_key,omitempty"`
	CA           string `yaml:"ca,omitempty"`
}

// PollSettings bound the parts of poll results.
type PollSettings struct {
	// MaxPartBlocks and MaxPartBytes bound one part of a multi-part poll
	// result. 0 means 1,000 blocks and 8 MiB.
	MaxPartBlocks int `yaml:"max_part_blocks,omitempty"`
	MaxPartBytes  int `yaml:"max_part_bytes,omitempty"`
	// ResultTTL is how long the parts of a result stay available for Poll
	// Fulfillment. 0 means one hour.
	ResultTTL time.Duration `yaml:"result_ttl,omitempty"`
}

func (p PollSettings) limits() (blocks, bytes int, ttl time.Duration) {
	blocks, bytes, ttl = p.MaxPartBlocks, p.MaxPartBytes, p.ResultTTL
	if blocks <= 0 {
		blocks = 1000
	}
	if bytes <= 0 {
		bytes = 8 << 20
	}
	if ttl <= 0 {
		ttl = time.Hour
	}
	return blocks, bytes, ttl
}

// CollectionSettings describe one collection.
type CollectionSettings struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	// Type is DATA_FEED (default) or DATA_SET.
	Type string `yaml:"type,omitempty"`
	// Accept lists the content bindings the collection takes; empty takes all.
	Accept []BindingSettings `yaml:"accept,omitempty"`
	// Reshare publishes, under this node's authorship, what the node
	// accepted from peers, so that peers who do not trust each other still
	// receive each other's content (hub and spoke).
	Reshare bool `yaml:"reshare,omitempty"`
	// ReshareQuery names a file holding a TAXII Default Query; only content
	// matching it is re-shared.
	ReshareQuery string `yaml:"reshare_query,omitempty"`
	// MaxAge and MaxBlocks bound what the collection keeps; 0 keeps all.
	MaxAge    time.Duration `yaml:"max_age,omitempty"`
	MaxBlocks uint64        `yaml:"max_blocks,omitempty"`
}

// BindingSettings is one accepted content binding and, optionally, the only
// subtypes accepted.
type BindingSettings struct {
	Binding  string   `yaml:"binding"`
	Subtypes []string `yaml:"subtypes,omitempty"`
}

// RightsSettings list collections by right. "*" means every collection.
type RightsSettings struct {
	Read  []string `yaml:"read,omitempty,flow"`
	Write []string `yaml:"write,omitempty,flow"`
}

// PeerSettings describe one trusted peer.
type PeerSettings struct {
	Name           string   `yaml:"name"`
	ID             string   `yaml:"id"`
	Addrs          []string `yaml:"addrs,omitempty"`
	RightsSettings `yaml:",inline"`
}

// AccountSettings describe one HTTP account.
type AccountSettings struct {
	Name           string   `yaml:"name"`
	PasswordHash   string   `yaml:"password_hash,omitempty"`
	CertSHA256     []string `yaml:"cert_sha256,omitempty"`
	CertSubjects   []string `yaml:"cert_subjects,omitempty"`
	RightsSettings `yaml:",inline"`
}

// LogSettings configure logging.
type LogSettings struct {
	// Level is debug, info, warn or error.
	Level string `yaml:"level"`
	// Format is text or json.
	Format string `yaml:"format"`
}

// DefaultSettings returns the settings of a new node: libp2p on every
// interface over TCP and QUIC on port 4001, the HTTP binding on
// 127.0.0.1:9000 open to local clients without credentials, and one
// collection, default.
func DefaultSettings() *Settings {
	return &Settings{
		P2P: P2PSettings{Listen: []string{
			"/ip4/0.0.0.0/tcp/4001",
			"/ip4/0.0.0.0/udp/4001/quic-v1",
		}},
		HTTP: HTTPSettings{
			Listen: "127.0.0.1:9000",
			Anonymous: RightsSettings{
				Read:  []string{DefaultCollection},
				Write: []string{DefaultCollection},
			},
		},
		Inbox:   InboxSettings{DefaultCollection: DefaultCollection},
		CatchUp: CatchUpSettings{Interval: time.Minute},
		Collections: []CollectionSettings{{
			Name:        DefaultCollection,
			Description: "Threat intelligence shared with trusted peers.",
			Type:        string(protocol.DataFeed),
		}},
		Log: LogSettings{Level: "info", Format: "text"},
	}
}

// Collection returns the settings of the named collection.
func (s *Settings) Collection(name string) (*CollectionSettings, bool) {
	for i := range s.Collections {
		if s.Collections[i].Name == name {
			return &s.Collections[i], true
		}
	}
	return nil, false
}

// Peer returns the settings of the peer with the given name or peer ID.
func (s *Settings) Peer(nameOrID string) (*PeerSettings, bool) {
	for i := range s.Peers {
		if s.Peers[i].Name == nameOrID || s.Peers[i].ID == nameOrID {
			return &s.Peers[i], true
		}
	}
	return nil, false
}

// Validate reports the first problem of the settings.
func (s *Settings) Validate() error {
	if len(s.P2P.Listen) == 0 {
		return errors.New("p2p.listen: no address")
	}
	for _, a := range s.P2P.Listen {
		if _, err := ma.NewMultiaddr(a); err != nil {
			return fmt.Errorf("p2p.listen: %q: %w", a, err)
		}
	}
	if s.HTTP.Listen != "" {
		if err := validHostPort(s.HTTP.Listen); err != nil {
			return fmt.Errorf("http.listen: %w", err)
		}
	}
	if err := s.Log.validate(); err != nil {
		return err
	}
	if (s.HTTP.TLSCert == "") != (s.HTTP.TLSKey == "") {
		return errors.New("http: tls_cert and tls_key go together")
	}
	if err := s.validateCollections(); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		value float64
	}{
		{"poll.max_part_blocks", float64(s.Poll.MaxPartBlocks)},
		{"poll.max_part_bytes", float64(s.Poll.MaxPartBytes)},
		{"poll.result_ttl", float64(s.Poll.ResultTTL)},
		{"catchup.interval", float64(s.CatchUp.Interval)},
		{"http.max_body_size", float64(s.HTTP.MaxBodySize)},
		{"http.max_connections", float64(s.HTTP.MaxConnections)},
		{"http.read_timeout", float64(s.HTTP.ReadTimeout)},
		{"p2p.max_gossip_size", float64(s.P2P.MaxGossipSize)},
		{"p2p.max_frame_size", float64(s.P2P.MaxFrameSize)},
		{"p2p.request_rate", s.P2P.RequestRate},
		{"p2p.request_burst", float64(s.P2P.RequestBurst)},
		{"p2p.gossip_rate", s.P2P.GossipRate},
		{"p2p.gossip_burst", float64(s.P2P.GossipBurst)},
		{"p2p.gossip_bytes_rate", s.P2P.GossipBytesRate},
	} {
		if !(f.value >= 0) { // NaN too
			return fmt.Errorf("%s: must be zero or more", f.name)
		}
	}
	frame := cmp.Or(s.P2P.MaxFrameSize, peer.DefaultMaxFrameSize)
	if _, part, _ := s.Poll.limits(); part > frame {
		return fmt.Errorf("poll.max_part_bytes: %d is more than p2p.max_frame_size (%d): "+
			"peers could not receive a part", part, frame)
	}
	if d := s.Inbox.DefaultCollection; d != "" {
		if _, ok := s.Collection(d); !ok {
			return fmt.Errorf("inbox.default_collection: no collection %q", d)
		}
	}
	if err := s.validatePeers(); err != nil {
		return err
	}
	if s.HTTP.PublicURL != "" {
		if err := validPushURL(s.HTTP.PublicURL); err != nil {
			return fmt.Errorf("http.public_url: %w", err)
		}
	}
	for _, u := range s.Subscriptions.PushURLs {
		if err := validPushURL(u); err != nil {
			return fmt.Errorf("subscriptions.push_urls: %w", err)
		}
	}
	for _, c := range s.Subscriptions.PushCredentials {
		if err := validPushURL(c.URL); err != nil {
			return fmt.Errorf("subscriptions.push_credentials: %w", err)
		}
		switch {
		case (c.User == "") != (c.PasswordFile == ""):
			return fmt.Errorf("subscriptions.push_credentials %s: user and password_file go together", c.URL)
		case (c.TLSCert == "") != (c.TLSKey == ""):
			return fmt.Errorf("subscriptions.push_credentials %s: tls_cert and tls_key go together", c.URL)
		case c.User == "" && c.TLSCert == "" && c.CA == "":
			return fmt.Errorf("subscriptions.push_credentials %s: no user, tls_cert or ca", c.URL)
		case c.User != "" && !strings.HasPrefix(c.URL, "https://") && !loopbackURL(c.URL):
			return fmt.Errorf("subscriptions.push_credentials %s: a password goes over https only", c.URL)
		}
	}
	for _, a := range s.Accounts {
		if err := validName(a.Name); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		if err := s.validRights("account "+a.Name, a.RightsSettings); err != nil {
			return err
		}
	}
	if err := s.validRights("http.anonymous", s.HTTP.Anonymous); err != nil {
		return err
	}
	_, err := s.policy()
	return err
}

func (s *Settings) validatePeers() error {
	for _, p := range s.Peers {
		if err := validName(p.Name); err != nil {
			return fmt.Errorf("peer: %w", err)
		}
		for _, a := range p.Addrs {
			m, err := ma.NewMultiaddr(a)
			if err != nil {
				return fmt.Errorf("peer %s: address %q: %w", p.Name, a, err)
			}
			if id, err := m.ValueForProtocol(ma.P_P2P); err == nil && id != p.ID {
				return fmt.Errorf("peer %s: address %q belongs to peer %s, not %s", p.Name, a, id, p.ID)
			}
		}
		if err := s.validRights("peer "+p.Name, p.RightsSettings); err != nil {
			return err
		}
	}
	return nil
}

// validRights checks that rights name existing collections (or "*").
func (s *Settings) validRights(who string, r RightsSettings) error {
	for _, c := range append(append([]string(nil), r.Read...), r.Write...) {
		if _, ok := s.Collection(c); !ok && c != "*" {
			return fmt.Errorf("%s: rights on %q, which is not a collection", who, c)
		}
	}
	return nil
}

// validName checks the name of a peer or an account: printable, without
// spaces, at most 128 characters.
func validName(name string) error {
	if name == "" || len(name) > 128 {
		return fmt.Errorf("name %q: want 1 to 128 characters", name)
	}
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return fmt.Errorf("name %q: character %q", name, r)
		}
	}
	return nil
}

// validHostPort checks a HOST:PORT listen address.
func validHostPort(hostport string) error {
	_, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("port %q is not a number from 0 to 65535", port)
	}
	return nil
}

func (l LogSettings) validate() error {
	switch strings.ToLower(l.Level) {
	case "", "debug", "info", "warn", "warning", "error":
	default:
		return fmt.Errorf("log.level %q: want debug, info, warn or error", l.Level)
	}
	switch strings.ToLower(l.Format) {
	case "", "text", "json":
	default:
		return fmt.Errorf("log.format %q: want text or json", l.Format)
	}
	return nil
}

func (s *Settings) validateCollections() error {
	var seen []string
	for _, c := range s.Collections {
		if err := ValidCollectionName(c.Name); err != nil {
			return err
		}
		if slices.Contains(seen, c.Name) {
			return fmt.Errorf("collection %q listed twice", c.Name)
		}
		seen = append(seen, c.Name)
		switch protocol.CollectionType(c.Type) {
		case "", protocol.DataFeed, protocol.DataSet:
		default:
			return fmt.Errorf("collection %q: type %q is neither DATA_FEED nor DATA_SET", c.Name, c.Type)
		}
		if c.MaxAge < 0 {
			return fmt.Errorf("collection %q: negative max_age %v", c.Name, c.MaxAge)
		}
		for _, b := range c.Accept {
			if err := validURI(b.Binding); err != nil {
				return fmt.Errorf("collection %q: content binding: %w", c.Name, err)
			}
			for _, st := range b.Subtypes {
				if err := validURI(st); err != nil {
					return fmt.Errorf("collection %q: subtype: %w", c.Name, err)
				}
			}
		}
	}
	return nil
}

// loopbackURL reports whether a URL's host is this machine.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && isLoopback(u.Hostname())
}

// validURI checks that an identifier looks like a URI (GEN-11): a scheme
// and no spaces. Content binding IDs such as "application/pkcs7-mime" are
// tolerated too, since the Content Binding Reference uses them.
func validURI(id string) error {
	if id == "" || strings.ContainsFunc(id, unicode.IsSpace) || !strings.ContainsAny(id, ":/") {
		return fmt.Errorf("%q is not a URI", id)
	}
	return nil
}

// ValidCollectionName reports whether a name can name a collection: a
// non-empty URI-like string (GEN-2) of at most 1,024 bytes without spaces,
// control characters or the wildcard "*".
func ValidCollectionName(name string) error {
	if name == "" || name == "*" || len(name) > 1024 {
		return fmt.Errorf("invalid collection name %q", name)
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || r == '"' || r == '<' || r == '>' || r == '\\' {
			return fmt.Errorf("invalid collection name %q: character %q", name, r)
		}
	}
	return nil
}

// Errors about data directories and their settings.
var (
	// ErrNotInitialized is returned for a directory without a node.
	ErrNotInitialized = errors.New("node: not a taxiinode data directory")
	// ErrInvalidSettings wraps every reason settings are refused.
	ErrInvalidSettings = errors.New("invalid settings")
)

// LoadSettings reads the configuration file of a data directory.
func LoadSettings(dir string) (*Settings, error) {
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s (run taxiinode init --dir %s)",
			ErrNotInitialized, dir, ConfigFile, dir)
	}
	if err != nil {
		return nil, err
	}
	return parseSettings(data)
}

func parseSettings(data []byte) (*Settings, error) {
	s := &Settings{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// One line per field by default; a CLI error is one line.
			return nil, fmt.Errorf("%w: %s %s", ErrInvalidSettings, ConfigFile, strings.Join(te.Errors, "; "))
		}
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidSettings, ConfigFile, err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidSettings, ConfigFile, err)
	}
	return s, nil
}

// CheckSettings checks settings as the node in dir would apply them: beyond
// Validate, the files they name must exist and hold what they should (the
// re-share queries, the pre-shared key) and no peer may be the node itself.
func CheckSettings(dir string, s *Settings) error {
	if err := checkSettings(dir, s); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidSettings, err)
	}
	return nil
}

func checkSettings(dir string, s *Settings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := newState(dir, s); err != nil {
		return err
	}
	if _, err := loadPSK(dir, s); err != nil {
		return err
	}
	if err := checkFiles(dir, s); err != nil {
		return err
	}
	if self, err := PeerID(dir); err == nil {
		if p, ok := s.Peer(self.String()); ok {
			return fmt.Errorf("peer %s is this node itself", p.Name)
		}
	}
	return nil
}

// EditSettings changes the configuration file of a data directory: it
// loads it, lets edit change it, checks the result with CheckSettings and
// saves it. A lock on the data directory serializes concurrent edits, so
// none is lost.
func EditSettings(dir string, edit func(*Settings) error) error {
	unlock, err := lockDir(dir)
	if err != nil {
		return err
	}
	defer unlock()
	s, err := LoadSettings(dir)
	if err != nil {
		return err
	}
	if err := edit(s); err != nil {
		return err
	}
	return SaveSettings(dir, s)
}

// lockDir takes an exclusive lock on the data directory's configuration,
// waiting for other editors to finish.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, ".config.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// SaveSettings checks s with CheckSettings and writes it as the
// configuration file of a data directory, atomically: a running node sees
// either the old file or the new one.
func SaveSettings(dir string, s *Settings) error {
	if err := CheckSettings(dir, s); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("# taxiinode configuration. The node applies changes while it runs.\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, ConfigFile), buf.Bytes(), 0o644)
}

// writeFileAtomic writes data to a temporary file, syncs it and renames it
// over path.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func splitHostPort(hostport string) (host, port string, err error) {
	return net.SplitHostPort(hostport)
}

// HashPassword returns the bcrypt hash an account's password_hash holds.
func HashPassword(password string) (string, error) { return trust.HashPassword(password) }

// validPushURL checks an http(s) URL without credentials in it.
func validPushURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("%q carries credentials", raw)
	}
	return nil
}
