package node

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/query"
	"github.com/taxiinode/taxiinode/store"
)

// InitOptions override the defaults of a new data directory.
type InitOptions struct {
	// P2PListen replaces the default libp2p listen addresses.
	P2PListen []string
	// HTTPListen replaces the default HTTP listen address.
	HTTPListen string
	// PSKFile names a pre-shared key file to record in the configuration.
	PSKFile string
}

// ErrInitialized is returned by Init for a directory that already holds a
// node.
var ErrInitialized = errors.New("node: data directory already initialized")

// Initialized reports whether dir holds a node's key and configuration.
func Initialized(dir string) bool {
	_, errKey := os.Stat(filepath.Join(dir, KeyFile))
	_, errCfg := os.Stat(filepath.Join(dir, ConfigFile))
	return errKey == nil && errCfg == nil
}

// Init creates a data directory for a new node: an Ed25519 key (mode 0600),
// the configuration file with the default settings and opts applied, an API
// token for the local operator (mode 0600) and an empty store.
func Init(dir string, opts InitOptions) (*Settings, error) {
	if Initialized(dir) {
		return nil, fmt.Errorf("%w: %s", ErrInitialized, dir)
	}
	s := DefaultSettings()
	if len(opts.P2PListen) > 0 {
		s.P2P.Listen = opts.P2PListen
	}
	if opts.HTTPListen != "" {
		s.HTTP.Listen = opts.HTTPListen
	}
	if opts.PSKFile != "" {
		abs, err := filepath.Abs(opts.PSKFile)
		if err != nil {
			return nil, err
		}
		if _, err := readPSK(abs); err != nil {
			return nil, err
		}
		s.P2P.PSKFile = abs
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	raw, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := writeFileAtomic(filepath.Join(dir, KeyFile), raw, 0o600); err != nil {
		return nil, err
	}
	token := make([]byte, 32)
	if _, err := rand.Read(token); err != nil {
		return nil, err
	}
	err = writeFileAtomic(filepath.Join(dir, TokenFile), []byte(hex.EncodeToString(token)+"\n"), 0o600)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(store.Options{Dir: filepath.Join(dir, StoreDir)})
	if err != nil {
		return nil, err
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	return s, SaveSettings(dir, s)
}

// LoadKey reads the node's private key from a data directory.
func LoadKey(dir string) (crypto.PrivKey, error) {
	path := filepath.Join(dir, KeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s: mode %v lets others read the key; chmod 600 it", path, fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return crypto.UnmarshalPrivateKey(raw)
}

// PeerID returns the peer ID of the node whose data directory is dir.
func PeerID(dir string) (peer.ID, error) {
	key, err := LoadKey(dir)
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(key)
}

// LoadToken reads the operator's API token of a data directory.
func LoadToken(dir string) (string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(raw)), nil
}

// loadPSK reads the pre-shared key named by the settings, or swarm.key in
// the data directory; it returns nil when there is none. The file holds 64
// hex digits, alone or as the last line of go-libp2p's swarm key format.
func loadPSK(dir string, s *Settings) ([]byte, error) {
	path := s.P2P.PSKFile
	if path == "" {
		path = filepath.Join(dir, SwarmKey)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return readPSK(path)
}

// readPSK reads a pre-shared key file, which only its owner may read.
func readPSK(path string) ([]byte, error) {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("pre-shared key %s: mode %v lets others read it; chmod 600 it", path,
			fi.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pre-shared key: %w", err)
	}
	lines := strings.Fields(string(raw))
	if len(lines) == 0 {
		return nil, fmt.Errorf("pre-shared key %s: empty", path)
	}
	key, err := hex.DecodeString(lines[len(lines)-1])
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("pre-shared key %s: want 64 hex digits", path)
	}
	return key, nil
}

// NewSwarmKey returns a new random pre-shared key in go-libp2p's swarm key
// file format, for every node of a private network to hold.
func NewSwarmKey() (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return "/key/swarm/psk/1.0.0/\n/base16/\n" + hex.EncodeToString(key) + "\n", nil
}

// QueriesDir holds the Default Query files a data directory's settings
// name, so that they live and move with the node.
const QueriesDir = "queries"

// ImportQuery checks that file holds a TAXII Default Query the node can
// run and copies it into the data directory, named after the collection
// it is for. It returns the path to put in the settings, relative to the
// data directory.
func ImportQuery(dir, collection, file string) (string, error) {
	body, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadInput, err)
	}
	if _, err := query.Parse(protocol.Query{FormatID: protocol.QueryFormatDefault, Body: stripXMLDecl(body)}); err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrBadInput, file, err)
	}
	sum := sha256.Sum256([]byte(collection))
	name := filepath.Join(QueriesDir, safeName(collection)+"-"+hex.EncodeToString(sum[:4])+".xml")
	if err := os.MkdirAll(filepath.Join(dir, QueriesDir), 0o700); err != nil {
		return "", err
	}
	return name, writeFileAtomic(filepath.Join(dir, name), body, 0o644)
}

// safeName keeps the letters, digits, dots, dashes and underscores of a
// name, for a file name.
func safeName(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			out = append(out, r)
		default:
			out = append(out, '_')
		}
		if len(out) == 40 {
			break
		}
	}
	return string(out)
}
