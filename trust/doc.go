// Package trust decides who may do what on a taxiinode node.
//
// Every caller has an Identity: a libp2p peer (authenticated by the secure
// channel), an HTTP account (authenticated by HTTP Basic or a client
// certificate), the local operator (the node's API token) or nobody in
// particular (an anonymous HTTP client). A Policy lists the trusted peers and
// the accounts with their rights per collection: read (poll, subscribe,
// receive gossip) and write (push content). Anything not granted is denied.
//
// A Registry holds the current Policy and answers questions about it; the
// node replaces the policy when its configuration changes, without a restart.
package trust
