// Package node is taxiinode's TAXII back-end: it wires the store, the trust
// registry, the libp2p host and the HTTP binding into one node and
// implements the behaviour of the TAXII services.
//
// Both transports hand a decoded TAXII message and the caller's identity to
// one handler, Node.Handle, and send back the one message it returns. Every
// failure becomes a Status Message there.
//
// A node keeps its state in a data directory: the private key (node.key,
// mode 0600), the configuration (config.yaml, which the node watches and
// applies while running), the API token of the local operator (api.token)
// and the Badger store (store/).
package node
