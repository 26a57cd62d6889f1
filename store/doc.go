// Package store is the node's Badger store: collections of TAXII content
// blocks, the subscriptions this node serves as a producer, catch-up
// cursors per (peer, collection) and poll result sets kept for Poll
// Fulfillment.
//
// Every block gets a timestamp label (microseconds since the Unix epoch,
// UTC) that is strictly increasing across the node and across restarts, so
// a label is a cursor into this node's store. Within a collection, blocks
// are deduplicated by the SHA-256 of their content.
//
// Keys start with one byte naming a keyspace: the label watermark and
// pending-put record, collection counters, block metadata and block
// content (both ordered by collection, then label), the (collection, hash)
// index, subscriptions, cursors and result sets. Names inside keys carry a
// length prefix, so no collection's keys can collide with another's.
// Metadata and content are separate keyspaces: ScanMeta and Count never
// read content.
//
// Durability: a Put that returned nil has reached the disk. One writer
// goroutine groups concurrent puts into batches of one transaction each and
// pipelines them: while one batch is written, the next one takes the puts
// that arrive, and it is handed over as soon as the first is durable.
// Badger commits a batch without syncing while the store's journal, a
// commit log on a preallocated file, appends the batch's writes and syncs
// them with one fdatasync; Open replays the journal (journal.go). Every
// other change is followed by a sync of all of Badger's logs. A put too
// large for one transaction is written on its own, in several, above a
// watermark that keeps it invisible until its last transaction; Open
// removes what a crash left of such a put.
package store
