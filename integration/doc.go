// Package integration holds multi-node tests of taxiinode: real nodes in
// one process (and, for crash tests, real node processes), each with its own
// Badger store in a temporary directory, talking over libp2p and HTTP on
// 127.0.0.1 only. It has no code outside tests.
package integration
