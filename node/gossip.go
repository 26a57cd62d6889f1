package node

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// authorsHeader names the Extended_Header of a Poll_Response to a peer that
// lists, in the order of the content blocks and separated by spaces, the
// peer ID of each block's author as far as this node knows it. The peer
// uses it to refuse content of authors it lists without write.
const authorsHeader = "urn:taxiinode:header:authors"

// authorOf returns the best-known author of a stored block: the signer of
// its gossip, the author named by the peer it was polled from (or that
// peer), or this node for content pushed into it.
func (n *Node) authorOf(m *store.Meta) string {
	switch {
	case m.Origin.Author != "":
		return m.Origin.Author
	case m.Origin.Via == store.ViaPoll && m.Origin.From != "":
		return m.Origin.From
	default:
		return n.host.ID().String()
	}
}

// authorsOf returns the authors a poll answer or a gossiped Inbox Message
// names in its headers, one per block, or nil.
func authorsOf(headers []protocol.ExtendedHeader, blocks int) []string {
	for _, h := range headers {
		if h.Name == authorsHeader {
			if a := strings.Fields(string(h.Value)); len(a) == blocks {
				return a
			}
		}
	}
	return nil
}

// announceHeader names the Extended_Header of an announcement: a gossip
// message that carries no content but says that its author stored a block
// too large for gossip. Its value is "<timestamp label> <sha256> <size>";
// peers fetch the block with a poll of exactly that label.
const announceHeader = "urn:taxiinode:header:announce"

// publish gossips fresh blocks of a collection under this node's
// authorship, as few Inbox Messages as the gossip size limit allows, and
// announces the blocks too large for gossip. Errors are logged: catch-up
// repairs whatever gossip does not deliver.
func (n *Node) publish(ctx context.Context, c *collection, fresh []labelled) {
	if len(n.host.TopicPeers(c.name)) == 0 {
		// Nobody listens: signing and sending would be for nothing, and a
		// peer that joins later catches up by polling.
		return
	}
	// Content passed on from other peers goes with its authors' names, as
	// in poll answers, so that receivers refuse what they refuse from its
	// author directly.
	relayed := slices.ContainsFunc(fresh, func(f labelled) bool { return f.author != "" })
	envelope := &protocol.InboxMessage{
		DestinationCollectionNames: []string{c.name},
		RecordCount:                &protocol.RecordCount{Count: math.MaxUint64},
	}
	if relayed {
		envelope.ExtendedHeaders = []protocol.ExtendedHeader{{Name: authorsHeader, Value: protocol.InnerXML("x")}}
	}
	limit := n.maxGossip - answerOverhead(envelope)
	self := n.host.ID().String()
	var batch []protocol.ContentBlock
	var authors []string
	size := 0
	flush := func() {
		if len(batch) > 0 {
			m := &protocol.InboxMessage{ContentBlocks: batch}
			if relayed {
				m.ExtendedHeaders = []protocol.ExtendedHeader{{Name: authorsHeader,
					Value: protocol.InnerXML(strings.Join(authors, " "))}}
			}
			n.gossip(ctx, c.name, m)
		}
		batch, authors, size = nil, nil, 0
	}
	for _, f := range fresh {
		b := *f.block
		b.TimestampLabel = f.label.Time()
		author := cmp.Or(f.author, self)
		blockSize := protocol.BlockSize(protocol.V11, &b)
		if relayed {
			blockSize += len(author) + len(" ")
		}
		if blockSize > limit {
			n.gossip(ctx, c.name, announcement(f))
			continue
		}
		if size+blockSize > limit {
			flush()
		}
		batch = append(batch, b)
		authors = append(authors, author)
		size += blockSize
	}
	flush()
}

func announcement(f labelled) *protocol.InboxMessage {
	value := fmt.Sprintf("%s %s %d", protocol.FormatTimestamp(f.label.Time()),
		store.HashOf(f.block.Content), len(f.block.Content))
	return &protocol.InboxMessage{
		Header: protocol.Header{ExtendedHeaders: []protocol.ExtendedHeader{
			{Name: announceHeader, Value: protocol.InnerXML(value)},
		}},
	}
}

func (n *Node) gossip(ctx context.Context, coll string, m *protocol.InboxMessage) {
	m.MessageID = protocol.NewMessageID(protocol.V11)
	m.DestinationCollectionNames = []string{coll}
	if len(m.ContentBlocks) > 0 {
		m.RecordCount = &protocol.RecordCount{Count: uint64(len(m.ContentBlocks))}
	}
	payload, err := protocol.Encode(m)
	if err == nil {
		err = n.host.Publish(ctx, coll, payload)
	}
	if err != nil {
		n.log.Warn("gossip not published", "collection", coll, "msg_id", m.MessageID, "err", err)
	}
}

// deliverGossip stores a gossiped Inbox Message whose author may write the
// collection.
func (n *Node) deliverGossip(ctx context.Context, g *peer.Gossip) error {
	c, ok := n.state.Load().collection(g.Collection)
	if !ok {
		return fmt.Errorf("no collection %q", g.Collection)
	}
	if anns := announcements(g.Message); len(anns) > 0 {
		for _, l := range anns {
			n.fetcher.want(fetch{peer: g.Author, collection: c.name, label: l})
		}
		return nil
	}
	origin := store.Origin{Via: store.ViaGossip, From: g.From.String(), Author: g.Author.String()}
	blocks := g.Message.ContentBlocks
	return n.accept(ctx, c, blocks, origin, authorsOf(g.Message.ExtendedHeaders, len(blocks)))
}

// accept stores content a peer sent (by gossip or in answer to a poll) and
// re-shares what was new when the collection says so. Blocks whose binding
// the collection does not take are left out, and so are blocks whose
// author, when the sender names one (authors, by block), is a peer this
// node lists without the write right: a peer's content stays refused when
// another peer relays it.
func (n *Node) accept(ctx context.Context, c *collection, blocks []protocol.ContentBlock,
	origin store.Origin, authors []string) error {
	kept := blocks[:0:0]
	var keptAuthors []string
	for i, b := range blocks {
		author := ""
		if i < len(authors) {
			author = authors[i]
		}
		switch {
		case !c.accepts(b.Binding):
			n.metrics.skipped(c.name, origin.Via)
		case author != "" && n.trust.Trusted(author) && !n.trust.Allowed(trust.Peer(author), c.name, trust.Write):
			n.metrics.skipped(c.name, origin.Via)
			n.log.Debug("block of a peer without write refused", "collection", c.name, "author", author,
				"via", origin.From)
		default:
			kept = append(kept, b)
			keptAuthors = append(keptAuthors, author)
		}
	}
	results, err := n.ingest(ctx, []*collection{c}, kept, origin, keptAuthors, false)
	if err != nil {
		return err
	}
	if c.reshare {
		var fresh []labelled
		for i, r := range results {
			if r.Duplicate {
				continue
			}
			author := cmp.Or(keptAuthors[i], origin.Author)
			if author == "" && origin.Via == store.ViaPoll {
				author = origin.From
			}
			fresh = append(fresh, labelled{block: &kept[i], label: r.Label, author: author})
		}
		n.reshare(ctx, c, fresh)
	}
	return nil
}

// reshare publishes, under this node's authorship, the fresh blocks that
// match the collection's re-share query (hub and spoke).
func (n *Node) reshare(ctx context.Context, c *collection, fresh []labelled) {
	if c.reshareQuery != nil {
		kept := fresh[:0:0]
		for _, f := range fresh {
			if c.reshareQuery.Match(f.block.Content, f.block.IsXML) {
				kept = append(kept, f)
			}
		}
		fresh = kept
	}
	if len(fresh) > 0 {
		n.publish(ctx, c, fresh)
	}
}

// announcements returns the labels an announcement message names.
func announcements(m *protocol.InboxMessage) []store.Label {
	var labels []store.Label
	for _, h := range m.ExtendedHeaders {
		if h.Name != announceHeader {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimSpace(string(h.Value)), " ")
		t, err := protocol.ParseTimestamp(ts)
		if err != nil {
			continue
		}
		labels = append(labels, store.LabelOf(t))
	}
	return labels
}

var errNotPollResponse = errors.New("answer is not a Poll_Response")
