package trust

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// Policy is the whole access configuration of a node.
type Policy struct {
	Peers    []PeerEntry
	Accounts []AccountEntry
	// Anonymous holds the rights of HTTP clients that present no
	// credentials.
	Anonymous Rights
}

// PeerEntry is one trusted libp2p peer.
type PeerEntry struct {
	// Name is the operator's name for the peer, such as the organisation.
	Name string
	// ID is the peer ID in its string form.
	ID string
	// Addrs are the peer's multiaddrs, without the /p2p/ part.
	Addrs  []string
	Rights Rights
}

// AccountEntry is one HTTP account.
type AccountEntry struct {
	Name string
	// PasswordHash is a bcrypt hash, or empty when the account may only log
	// in with a client certificate.
	PasswordHash string
	// CertSHA256 lists hex SHA-256 fingerprints of client certificates that
	// authenticate as this account.
	CertSHA256 []string
	// CertSubjects lists client certificate subject common names that
	// authenticate as this account. The TLS layer has verified the chain.
	CertSubjects []string
	Rights       Rights
}

// Check reports the first problem of the policy: an empty or repeated peer
// ID, name or account, a malformed fingerprint, or an invalid right.
func (p Policy) Check() error {
	ids := make(map[string]bool)
	names := make(map[string]bool)
	for _, e := range p.Peers {
		if e.ID == "" || e.Name == "" {
			return fmt.Errorf("%w: peer %q needs a name and an ID", ErrInvalidName, e.Name+e.ID)
		}
		if ids[e.ID] || names[e.Name] {
			return fmt.Errorf("%w: %s (%s)", ErrDuplicatePeer, e.Name, e.ID)
		}
		ids[e.ID], names[e.Name] = true, true
		if err := e.Rights.check(); err != nil {
			return fmt.Errorf("peer %s: %w", e.Name, err)
		}
	}
	accounts := make(map[string]bool)
	for _, a := range p.Accounts {
		if a.Name == "" || strings.ContainsAny(a.Name, ":") {
			return fmt.Errorf("%w: account %q", ErrInvalidName, a.Name)
		}
		if accounts[a.Name] {
			return fmt.Errorf("%w: %s", ErrDuplicateAccount, a.Name)
		}
		accounts[a.Name] = true
		for _, fp := range a.CertSHA256 {
			if b, err := hex.DecodeString(normalizeFingerprint(fp)); err != nil || len(b) != 32 {
				return fmt.Errorf("%w: account %s: certificate fingerprint %q", ErrInvalidName, a.Name, fp)
			}
		}
		if err := a.Rights.check(); err != nil {
			return fmt.Errorf("account %s: %w", a.Name, err)
		}
	}
	return p.Anonymous.check()
}

// normalizeFingerprint accepts fingerprints written with colons and in
// either case.
func normalizeFingerprint(fp string) string {
	return strings.ToLower(strings.ReplaceAll(fp, ":", ""))
}
