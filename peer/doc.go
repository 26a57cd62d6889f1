// Package peer is taxiinode's TAXII Transfer Agent over libp2p.
//
// A Host is one libp2p host with the node's Ed25519 identity. It talks only
// to the peers its Authorizer trusts, in either direction, and dials nothing
// but the addresses it was given: there is no NAT port mapping, relay, hole
// punching, AutoNAT, mDNS or DHT.
//
// Two things travel between hosts:
//
//   - Requests and responses on streams of protocol /taxii/1.1/xml. A stream
//     carries one TAXII XML message each way, each framed by an unsigned
//     varint length prefix and refused above a maximum size. Discovery, Poll,
//     Poll Fulfillment and every other TAXII exchange use them.
//   - Gossip: one gossipsub topic per collection, /taxii/1.1/collection/NAME,
//     whose messages are TAXII Inbox Messages signed by their author. A
//     message is accepted and relayed only when its author may write the
//     collection and the Handler has stored its content; peers that may not
//     read a collection never join its topic.
//
// The host itself decides nothing about content: it asks an Authorizer who is
// trusted and hands messages to a Handler, both supplied by package node.
package peer
