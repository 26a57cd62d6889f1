package node

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/query"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// selection is what a poll asks for: a window of a collection's labels,
// filtered by content bindings and a query. Once planned, it also holds the
// result set: the exact count and where each part ends. It is kept in the
// store, encoded as JSON, for Poll Fulfillment.
type selection struct {
	Collection     string                    `json:"collection"`
	Owner          string                    `json:"owner"`
	SubscriptionID string                    `json:"subscription_id,omitempty"`
	DataSet        bool                      `json:"data_set,omitempty"`
	Begin          store.Label               `json:"begin"`
	BeginGiven     bool                      `json:"begin_given,omitempty"`
	End            store.Label               `json:"end"`
	Bindings       []protocol.ContentBinding `json:"bindings,omitempty"`
	Query          *protocol.Query           `json:"query,omitempty"`
	CountOnly      bool                      `json:"count_only,omitempty"`

	// Authors asks for the authors of the blocks in an extended header,
	// for peers: see authorsHeader.
	Authors bool `json:"authors,omitempty"`

	Count  uint64        `json:"count"`
	Bounds []store.Label `json:"bounds,omitempty"` // last label of each part but the last

	query *query.Query
	share *sharing
}

// sharing hides, from a peer's poll, the content of other peers that the
// collection's re-share query keeps back: a hub's filter then holds for
// catch-up as it does for gossip. The node's own content, and the caller's,
// are always served.
type sharing struct {
	query   *query.Query
	caller  string // the polling peer's ID
	trusted func(string) bool
}

// hides reports whether a block is kept back from the caller.
func (s *sharing) hides(m *store.Meta, content []byte) bool {
	from := m.Origin.From
	if from == "" || !s.trusted(from) || from == s.caller || m.Origin.Author == s.caller {
		return false
	}
	return !s.query.Match(content, m.IsXML)
}

// setSharing applies the collection's re-share query to a peer's poll.
func (n *Node) setSharing(sel *selection, c *collection, caller trust.Identity) {
	if caller.Kind != trust.KindPeer || c.reshareQuery == nil {
		return
	}
	sel.share = &sharing{query: c.reshareQuery, caller: caller.Name, trusted: n.trust.Trusted}
}

// poll answers a Poll_Request (EXC-30 to EXC-36, EXC-40 to EXC-44).
func (n *Node) poll(ctx context.Context, caller trust.Identity, m *protocol.PollRequest) (protocol.Message, error) {
	c, err := n.readable(caller, m.CollectionName)
	if err != nil {
		return nil, err
	}
	sel := &selection{Collection: c.name, Owner: caller.String(), DataSet: c.typ == protocol.DataSet,
		Authors: caller.Kind == trust.KindPeer}
	n.setSharing(sel, c, caller)
	params := m.Parameters
	if m.SubscriptionID != "" {
		sub, err := n.pollableSubscription(ctx, caller, c.name, m.SubscriptionID)
		if err != nil {
			return nil, err
		}
		sel.SubscriptionID = sub.ID
		params = &protocol.PollParameters{
			ResponseType:    sub.Parameters.ResponseType,
			ContentBindings: sub.Parameters.ContentBindings,
			Query:           sub.Parameters.Query,
		}
	}
	if params != nil {
		if err := sel.setParameters(c, params); err != nil {
			return nil, err
		}
	}
	sel.setWindow(m.ExclusiveBegin, m.InclusiveEnd, n.store.LastLabel())
	resp, err := n.answerPoll(ctx, sel)
	if pr, ok := resp.(*protocol.PollResponse); ok && m.Version == protocol.V10 && pr.InclusiveEnd.IsZero() {
		// TAXII 1.0 requires the end of the window, data sets included
		// (V10-8): the label the result was pinned at.
		pr.InclusiveEnd = sel.End.Time()
		if sel.End == 0 {
			pr.InclusiveEnd = time.Now().UTC()
		}
	}
	return resp, err
}

// readable returns a collection the caller may read. A caller without the
// right learns nothing about whether the collection exists (AMB-24).
func (n *Node) readable(caller trust.Identity, name string) (*collection, error) {
	if !n.trust.Allowed(caller, name, trust.Read) {
		return nil, unauthorized(caller, "read collection "+strconv.Quote(name))
	}
	c, ok := n.state.Load().collection(name)
	if !ok {
		return nil, notFound("collection", name)
	}
	return c, nil
}

// setParameters applies Poll_Parameters: the response type, the content
// bindings wanted (EXC-35) and the query (EXC-34).
func (sel *selection) setParameters(c *collection, p *protocol.PollParameters) error {
	sel.CountOnly = p.ResponseType == protocol.ResponseCountOnly
	if len(p.ContentBindings) > 0 && len(c.accept) > 0 && !anyBindingShared(c.accept, p.ContentBindings) {
		return protocol.Errorf(protocol.StatusUnsupportedContent,
			"collection %s holds none of the content bindings asked for", c.name).
			With(protocol.DetailSupportedContent, c.supportedContent()...)
	}
	sel.Bindings = p.ContentBindings
	if p.Query == nil {
		return nil
	}
	q, err := query.Parse(*p.Query)
	if err != nil {
		return err
	}
	sel.Query, sel.query = p.Query, q
	return nil
}

// anyBindingShared reports whether one of the wanted bindings may occur in a
// collection accepting the given ones.
func anyBindingShared(accepted, wanted []protocol.ContentBinding) bool {
	for _, w := range wanted {
		for _, sub := range append([]string{""}, w.Subtypes...) {
			b := protocol.ContentBinding{BindingID: w.BindingID}
			if sub != "" {
				b.Subtypes = []string{sub}
			}
			if protocol.BindingAccepted(accepted, b) {
				return true
			}
		}
	}
	return false
}

// setWindow pins the window of a Data Feed poll: its end never lies beyond
// the newest label, so that a later poll starting at the reported end misses
// nothing (EXC-74). Data Sets have no window (EXC-70).
func (sel *selection) setWindow(begin, end time.Time, last store.Label) {
	if sel.DataSet {
		sel.End = last
		return
	}
	b, e := store.LabelOf(begin), store.LabelOf(end)
	sel.Begin, sel.BeginGiven = b, b != 0
	switch {
	case e != 0 && e <= last:
		sel.End = e
	case last > b:
		sel.End = last
	case e != 0:
		sel.End = e
	default:
		sel.End = b + 1
	}
}

// matches reports whether a block is selected.
func (sel *selection) matches(b *store.Meta, content []byte) bool {
	if len(sel.Bindings) > 0 && !protocol.BindingAccepted(sel.Bindings, b.Binding) {
		return false
	}
	if sel.share != nil && sel.share.hides(b, content) {
		return false
	}
	return sel.query == nil || sel.query.Match(content, b.IsXML)
}

// each calls fn for every selected block with a label in (after, until], in
// label order; it reads content only when fn or the query needs it.
func (n *Node) each(ctx context.Context, sel *selection, after, until store.Label, withContent bool,
	fn func(*store.Meta, []byte) error) error {
	r := store.Range{After: after, Until: until}
	if withContent || sel.query != nil || sel.share != nil {
		return n.store.Scan(ctx, sel.Collection, r, func(b *store.Block) error {
			if !sel.matches(&b.Meta, b.Content) {
				return nil
			}
			return fn(&b.Meta, b.Content)
		})
	}
	return n.store.ScanMeta(ctx, sel.Collection, r, func(m *store.Meta) error {
		if !sel.matches(m, nil) {
			return nil
		}
		return fn(m, nil)
	})
}

// plan counts the selected blocks and, for a FULL poll, cuts them into
// parts on label boundaries (EXC-40, EXC-44).
func (n *Node) plan(ctx context.Context, sel *selection) error {
	if len(sel.Bindings) == 0 && sel.query == nil && sel.CountOnly {
		count, err := n.store.Count(ctx, sel.Collection, store.Range{After: sel.Begin, Until: sel.End})
		sel.Count = count
		return err
	}
	maxBlocks, maxBytes, _ := n.state.Load().settings.Poll.limits()
	budget := maxBytes - answerOverhead(pollEnvelope(sel))
	var blocks, bytes int
	var last store.Label
	return n.each(ctx, sel, sel.Begin, sel.End, false, func(m *store.Meta, content []byte) error {
		if !sel.CountOnly {
			size, err := n.blockSize(ctx, sel, m, content)
			if err != nil {
				return err
			}
			if blocks > 0 && (blocks == maxBlocks || bytes+size > budget) {
				sel.Bounds = append(sel.Bounds, last)
				blocks, bytes = 0, 0
			}
			bytes += size
		}
		sel.Count++
		blocks++
		last = m.Label
		return nil
	})
}

// blockSize returns the bytes a stored block adds to an answer, in the
// larger of the two XML bindings, with its author when the answer names
// authors. The store knows the escaped size of content, but for text stored
// by an earlier version, which is read to be measured.
func (n *Node) blockSize(ctx context.Context, sel *selection, m *store.Meta, content []byte) (int, error) {
	cb := contentBlock(m, nil)
	size := m.EscapedSize
	if size < 0 {
		if content == nil {
			b, err := n.store.Get(ctx, sel.Collection, m.Label)
			if err != nil {
				return 0, err
			}
			content = b.Content
		}
		size = protocol.EscapedSize(content)
	}
	size += max(protocol.BlockSize(protocol.V10, &cb), protocol.BlockSize(protocol.V11, &cb))
	if sel.Authors {
		size += len(n.authorOf(m)) + len(" ")
	}
	return size, nil
}

// pollEnvelope returns a part of the selection's result without its
// blocks, every field at its widest: its size is what a part spends on
// more than its blocks.
func pollEnvelope(sel *selection) *protocol.PollResponse {
	r := &protocol.PollResponse{
		CollectionName:   sel.Collection,
		SubscriptionID:   sel.SubscriptionID,
		More:             true,
		ResultID:         resultPrefix + strings.Repeat("0", 32),
		ResultPartNumber: math.MaxInt32,
		RecordCount:      &protocol.RecordCount{Count: math.MaxUint64},
		ExclusiveBegin:   widestTime,
		InclusiveEnd:     widestTime,
	}
	if sel.Authors {
		r.ExtendedHeaders = []protocol.ExtendedHeader{{Name: authorsHeader, Value: protocol.InnerXML("x")}}
	}
	return r
}

// widestTime is a timestamp with every digit a label can have.
var widestTime = time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC)

// answerOverhead returns the encoded size of m, a message without content
// blocks, with room for the longest in_response_to this node expects.
// Request IDs longer than that make an answer overshoot its part limit by
// the difference.
func answerOverhead(m protocol.Message) int {
	const idRoom = 256
	h := m.Head()
	h.MessageID = protocol.NewMessageID(protocol.V11)
	h.InResponseTo = strings.Repeat("0", idRoom)
	b, err := protocol.Encode(m)
	if err != nil {
		return 4 << 10
	}
	return len(b)
}

// answerPoll plans the result and answers with its first part.
func (n *Node) answerPoll(ctx context.Context, sel *selection) (protocol.Message, error) {
	if err := n.plan(ctx, sel); err != nil {
		return nil, internal("plan poll", err)
	}
	if sel.CountOnly || len(sel.Bounds) == 0 {
		return n.part(ctx, sel, "", 1)
	}
	id, err := n.saveResult(ctx, sel)
	if err != nil {
		return nil, err
	}
	return n.part(ctx, sel, id, 1)
}

// resultPrefix begins every result ID; 32 hex digits follow.
const resultPrefix = "urn:taxiinode:result:"

func (n *Node) saveResult(ctx context.Context, sel *selection) (string, error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", internal("result id", err)
	}
	id := resultPrefix + hex.EncodeToString(raw[:])
	data, err := json.Marshal(sel)
	if err != nil {
		return "", internal("encode result set", err)
	}
	_, _, ttl := n.state.Load().settings.Poll.limits()
	if err := n.store.PutResult(ctx, id, data, ttl); err != nil {
		return "", internal("save result set", err)
	}
	return id, nil
}

// part builds part number k (from 1) of a planned result.
func (n *Node) part(ctx context.Context, sel *selection, resultID string, k int) (*protocol.PollResponse, error) {
	parts := len(sel.Bounds) + 1
	after, until := sel.Begin, sel.End
	if k > 1 {
		after = sel.Bounds[k-2]
	}
	if k < parts {
		until = sel.Bounds[k-1]
	}
	resp := &protocol.PollResponse{
		CollectionName: sel.Collection,
		SubscriptionID: sel.SubscriptionID,
		More:           k < parts,
		ResultID:       resultID,
		RecordCount:    &protocol.RecordCount{Count: sel.Count},
	}
	if resultID != "" {
		resp.ResultPartNumber = k
	}
	if !sel.DataSet {
		if k > 1 || sel.BeginGiven {
			resp.ExclusiveBegin = after.Time()
		}
		resp.InclusiveEnd = until.Time()
	}
	if sel.CountOnly {
		return resp, nil
	}
	var authors []string
	err := n.each(ctx, sel, after, until, true, func(m *store.Meta, content []byte) error {
		resp.ContentBlocks = append(resp.ContentBlocks, contentBlock(m, content))
		authors = append(authors, n.authorOf(m))
		return nil
	})
	if err != nil {
		return nil, internal("read poll part", err)
	}
	if sel.Authors && len(authors) > 0 {
		resp.ExtendedHeaders = []protocol.ExtendedHeader{{Name: authorsHeader,
			Value: protocol.InnerXML(strings.Join(authors, " "))}}
	}
	if k == 1 && len(sel.Bounds) == 0 && uint64(len(resp.ContentBlocks)) != sel.Count {
		// A Prune ran between planning and reading; say what was sent.
		resp.RecordCount.Count = uint64(len(resp.ContentBlocks))
	}
	return resp, nil
}

// contentBlock turns a stored block into a Content_Block, labelled with
// this node's timestamp label.
func contentBlock(m *store.Meta, content []byte) protocol.ContentBlock {
	return protocol.ContentBlock{
		Binding:        m.Binding,
		Content:        append([]byte(nil), content...),
		IsXML:          m.IsXML,
		TimestampLabel: m.Label.Time(),
		Message:        m.Message,
	}
}

// fulfill answers a Poll_Fulfillment with one part of a saved result set
// (EXC-41 to EXC-43).
func (n *Node) fulfill(ctx context.Context, caller trust.Identity, m *protocol.PollFulfillment) (protocol.Message, error) {
	c, err := n.readable(caller, m.CollectionName)
	if err != nil {
		return nil, err
	}
	data, err := n.store.GetResult(ctx, m.ResultID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("result", m.ResultID)
	}
	if err != nil {
		return nil, internal("load result set", err)
	}
	sel := &selection{}
	if err := json.Unmarshal(data, sel); err != nil {
		return nil, internal("decode result set", err)
	}
	if sel.Collection != m.CollectionName || (sel.Owner != caller.String() && caller != trust.Operator) {
		return nil, notFound("result", m.ResultID)
	}
	if sel.Query != nil {
		if sel.query, err = query.Parse(*sel.Query); err != nil {
			return nil, internal("parse saved query", err)
		}
	}
	n.setSharing(sel, c, caller)
	k, parts := max(m.ResultPartNumber, 1), len(sel.Bounds)+1
	if k > parts {
		return nil, protocol.Errorf(protocol.StatusInvalidResponsePart,
			"result %s has %d parts", m.ResultID, parts).
			With(protocol.DetailMaxPartNumber, fmt.Sprint(parts))
	}
	return n.part(ctx, sel, m.ResultID, k)
}
