package node

import (
	"context"
	"slices"
	"strconv"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// inbox answers an Inbox_Message (EXC-1 to EXC-7). It is all or nothing: the
// answer is SUCCESS only when every block is stored in every destination, and
// any other answer leaves the store as it was (EXC-3, AMB-19).
func (n *Node) inbox(ctx context.Context, caller trust.Identity, m *protocol.InboxMessage) (protocol.Message, error) {
	dests, err := n.destinations(caller, m)
	if err != nil {
		return nil, err
	}
	for _, c := range dests {
		for i := range m.ContentBlocks {
			if b := m.ContentBlocks[i].Binding; !c.accepts(b) {
				return nil, protocol.Errorf(protocol.StatusUnsupportedContent,
					"collection %s does not accept content binding %s (block %d)", c.name, describe(b), i+1).
					With(protocol.DetailSupportedContent, c.supportedContent()...)
			}
		}
	}
	origin := store.Origin{Via: store.ViaInbox}
	if caller.Kind == trust.KindPeer || caller.Kind == trust.KindAccount {
		origin.From = caller.Name
	}
	if m.SourceSubscription != nil {
		origin.Via = store.ViaSubscription
	}
	if _, err := n.ingest(ctx, dests, m.ContentBlocks, origin, nil, true); err != nil {
		return nil, err
	}
	return &protocol.StatusMessage{StatusType: protocol.StatusSuccess}, nil
}

// destinations returns the collections an Inbox Message goes to: those it
// names, or the inbox's default collection (EXC-5, case S05).
func (n *Node) destinations(caller trust.Identity, m *protocol.InboxMessage) ([]*collection, error) {
	st := n.state.Load()
	writable := n.allowed(caller, st, trust.Write)
	if len(writable) == 0 {
		return nil, unauthorized(caller, "push content")
	}
	names := m.DestinationCollectionNames
	if len(names) == 0 {
		def := st.settings.Inbox.DefaultCollection
		if st.settings.Inbox.RequireDestination || def == "" {
			return nil, protocol.Errorf(protocol.StatusDestinationCollection,
				"name a destination collection").
				With(protocol.DetailAcceptableDestination, writable...)
		}
		names = []string{def}
	}
	var dests []*collection
	for _, name := range names {
		// Rights first, as for polls: a caller without them learns
		// nothing of which collections exist (AMB-24).
		if !n.trust.Allowed(caller, name, trust.Write) {
			return nil, unauthorized(caller, "push to collection "+strconv.Quote(name))
		}
		c, ok := st.collection(name)
		if !ok {
			return nil, protocol.Errorf(protocol.StatusDestinationCollection,
				"no collection %q", name).
				With(protocol.DetailAcceptableDestination, writable...)
		}
		if !slices.Contains(dests, c) {
			dests = append(dests, c)
		}
	}
	return dests, nil
}

// describe names a binding and its subtype for a status message.
func describe(b protocol.ContentBinding) string {
	if len(b.Subtypes) > 0 {
		return b.BindingID + " (subtype " + b.Subtypes[0] + ")"
	}
	return b.BindingID
}

// ingest stores blocks in every destination as one atomic, durable step,
// recording origin and, where authors names one, each block's author. New
// blocks are then gossiped under this node's authorship when publish is set,
// and offered to subscriptions. It returns the store's results, block by
// block for each destination in turn.
func (n *Node) ingest(ctx context.Context, dests []*collection, blocks []protocol.ContentBlock,
	origin store.Origin, authors []string, publish bool) ([]store.PutResult, error) {
	if len(blocks) == 0 {
		return nil, nil
	}
	nb := make([]store.NewBlock, 0, len(dests)*len(blocks))
	for _, c := range dests {
		for i := range blocks {
			b := &blocks[i]
			o := origin
			if i < len(authors) && authors[i] != "" {
				o.Author = authors[i]
			}
			nb = append(nb, store.NewBlock{
				Collection: c.name,
				Binding:    b.Binding,
				Content:    b.Content,
				IsXML:      b.IsXML,
				Message:    b.Message,
				Origin:     o,
			})
		}
	}
	results, err := n.store.Put(ctx, nb)
	if err != nil {
		return nil, internal("store content", err)
	}
	for i, c := range dests {
		fresh := freshBlocks(blocks, results[i*len(blocks):(i+1)*len(blocks)])
		n.metrics.stored(c.name, origin.Via, len(fresh))
		if len(fresh) == 0 {
			continue
		}
		if n.onStored != nil {
			ev := Stored{Collection: c.name, Via: origin.Via}
			for _, r := range results[i*len(blocks) : (i+1)*len(blocks)] {
				if !r.Duplicate {
					ev.Hashes = append(ev.Hashes, r.Hash)
				}
			}
			n.onStored(ev)
		}
		if publish {
			n.publish(ctx, c, fresh)
		}
		n.subscriptions.notify(c.name)
	}
	return results, nil
}

// labelled is a block that the store took as new, with its label.
type labelled struct {
	block *protocol.ContentBlock
	label store.Label
	// author is the peer whose content this node passes on, or empty for
	// content of this node's own organisation.
	author string
}

func freshBlocks(blocks []protocol.ContentBlock, results []store.PutResult) []labelled {
	var fresh []labelled
	for i, r := range results {
		if !r.Duplicate {
			fresh = append(fresh, labelled{block: &blocks[i], label: r.Label})
		}
	}
	return fresh
}
