package trust

import "strings"

// Kind tells what sort of caller an Identity is.
type Kind uint8

// The kinds of callers.
const (
	KindAnonymous Kind = iota
	KindPeer
	KindAccount
	KindOperator
)

// Identity is an authenticated caller. The zero value is the anonymous caller.
type Identity struct {
	Kind Kind
	// Name is the peer ID (in its string form) for KindPeer and the account
	// name for KindAccount; it is empty otherwise.
	Name string
}

// Peer returns the identity of the libp2p peer with the given peer ID.
func Peer(id string) Identity { return Identity{Kind: KindPeer, Name: id} }

// Account returns the identity of the named HTTP account.
func Account(name string) Identity { return Identity{Kind: KindAccount, Name: name} }

// Operator is the identity of the node's own operator, who may do anything.
var Operator = Identity{Kind: KindOperator}

// Anonymous is the identity of an unauthenticated HTTP client.
var Anonymous = Identity{}

// String returns a stable key for the identity, such as "peer:12D3Koo…",
// "account:alice", "operator" or "anonymous". Stores use it to record who
// owns a subscription.
func (i Identity) String() string {
	switch i.Kind {
	case KindPeer:
		return "peer:" + i.Name
	case KindAccount:
		return "account:" + i.Name
	case KindOperator:
		return "operator"
	default:
		return "anonymous"
	}
}

// ParseIdentity reads back the form String writes.
func ParseIdentity(s string) (Identity, bool) {
	switch {
	case s == "operator":
		return Operator, true
	case s == "anonymous":
		return Anonymous, true
	case strings.HasPrefix(s, "peer:"):
		return Peer(strings.TrimPrefix(s, "peer:")), true
	case strings.HasPrefix(s, "account:"):
		return Account(strings.TrimPrefix(s, "account:")), true
	}
	return Anonymous, false
}
