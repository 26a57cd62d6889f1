package trust

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/bcrypt"
)

// Registry answers access questions about the current Policy. It is safe for
// concurrent use; Replace swaps the policy atomically, so a decision is made
// either wholly under the old policy or wholly under the new one.
type Registry struct {
	current atomic.Pointer[compiled]

	// mu guards verified: for each account name, the bcrypt hash a password
	// was last checked against and the SHA-256 of that password. A request
	// with the same password then costs one SHA-256 instead of a bcrypt run.
	mu       sync.Mutex
	verified map[string]verifiedPassword
}

type verifiedPassword struct {
	bcryptHash string
	sum        [32]byte
}

// compiled is a Policy indexed for lookups.
type compiled struct {
	policy   Policy
	peers    map[string]*PeerEntry
	accounts map[string]*AccountEntry
	certs    map[string]string // fingerprint -> account
	subjects map[string]string // subject common name -> account
}

// NewRegistry returns a Registry holding p, or the error of p.Check.
func NewRegistry(p Policy) (*Registry, error) {
	r := &Registry{verified: make(map[string]verifiedPassword)}
	if err := r.Replace(p); err != nil {
		return nil, err
	}
	return r, nil
}

// Replace makes p the current policy. A policy that fails Check is refused
// and the current one stays.
func (r *Registry) Replace(p Policy) error {
	if err := p.Check(); err != nil {
		return err
	}
	c := &compiled{
		policy:   p,
		peers:    make(map[string]*PeerEntry, len(p.Peers)),
		accounts: make(map[string]*AccountEntry, len(p.Accounts)),
		certs:    make(map[string]string),
		subjects: make(map[string]string),
	}
	for i := range p.Peers {
		c.peers[p.Peers[i].ID] = &p.Peers[i]
	}
	for i := range p.Accounts {
		a := &p.Accounts[i]
		c.accounts[a.Name] = a
		for _, fp := range a.CertSHA256 {
			c.certs[normalizeFingerprint(fp)] = a.Name
		}
		for _, s := range a.CertSubjects {
			c.subjects[s] = a.Name
		}
	}
	r.current.Store(c)
	return nil
}

// Policy returns the current policy. The caller must not modify it.
func (r *Registry) Policy() Policy { return r.current.Load().policy }

// Rights returns the rights id holds on a collection.
func (r *Registry) Rights(id Identity, collection string) Right {
	c := r.current.Load()
	switch id.Kind {
	case KindOperator:
		return All
	case KindPeer:
		if e, ok := c.peers[id.Name]; ok {
			return e.Rights.On(collection)
		}
	case KindAccount:
		if a, ok := c.accounts[id.Name]; ok {
			return a.Rights.On(collection)
		}
	case KindAnonymous:
		return c.policy.Anonymous.On(collection)
	}
	return None
}

// Allowed reports whether id holds every right in want on a collection.
func (r *Registry) Allowed(id Identity, collection string, want Right) bool {
	return r.Rights(id, collection).Has(want)
}

// Trusted reports whether the peer with the given ID is listed.
func (r *Registry) Trusted(peerID string) bool {
	_, ok := r.current.Load().peers[peerID]
	return ok
}

// Peer returns the entry of a listed peer.
func (r *Registry) Peer(peerID string) (PeerEntry, bool) {
	e, ok := r.current.Load().peers[peerID]
	if !ok {
		return PeerEntry{}, false
	}
	return *e, true
}

// Peers returns the listed peers. The caller must not modify them.
func (r *Registry) Peers() []PeerEntry { return r.current.Load().policy.Peers }

// AuthenticateBasic checks an HTTP Basic user name and password. Only the
// first successful check of a password runs bcrypt; later checks of the same
// password against the same hash cost one SHA-256.
func (r *Registry) AuthenticateBasic(user, password string) (Identity, bool) {
	a, ok := r.current.Load().accounts[user]
	if !ok || a.PasswordHash == "" {
		// Spend the time a wrong password would, so that timing does not
		// tell which account names exist.
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return Anonymous, false
	}
	sum := sha256.Sum256([]byte(password))
	r.mu.Lock()
	v, cached := r.verified[user]
	r.mu.Unlock()
	if cached && v.bcryptHash == a.PasswordHash {
		if subtle.ConstantTimeCompare(v.sum[:], sum[:]) == 1 {
			return Account(user), true
		}
	}
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) != nil {
		return Anonymous, false
	}
	r.mu.Lock()
	r.verified[user] = verifiedPassword{bcryptHash: a.PasswordHash, sum: sum}
	r.mu.Unlock()
	return Account(user), true
}

// AuthenticateCert maps a verified client certificate, given by the SHA-256
// of its DER bytes and its subject common name, to an account. A fingerprint
// match wins over a subject match.
func (r *Registry) AuthenticateCert(sha256DER [32]byte, subjectCN string) (Identity, bool) {
	c := r.current.Load()
	if name, ok := c.certs[hex.EncodeToString(sha256DER[:])]; ok {
		return Account(name), true
	}
	if name, ok := c.subjects[subjectCN]; ok && subjectCN != "" {
		return Account(name), true
	}
	return Anonymous, false
}

// HashPassword returns the bcrypt hash to store for a new password.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	return string(h), err
}

// dummyHash is a bcrypt hash of nothing in particular, at the default cost.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such account"), bcrypt.DefaultCost)
	return h
})
