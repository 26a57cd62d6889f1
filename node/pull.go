package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// maxParts bounds how many parts one pull follows, so that a peer that
// keeps answering more="true" cannot keep the node polling forever.
const maxParts = 1 << 20

// pull polls peer p for the collection's content labelled in (begin, end]
// on p (end zero: no bound), follows every part with Poll Fulfillment and
// stores what arrives. After each part is stored durably, done is called
// with the end of the window that part covered, exactly as p sent it. It
// returns the number of blocks received.
func (n *Node) pull(ctx context.Context, p peer.ID, c *collection, begin, end time.Time,
	done func(time.Time) error) (int, error) {
	var req protocol.Message = &protocol.PollRequest{
		Header:         protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
		CollectionName: c.name,
		ExclusiveBegin: begin,
		InclusiveEnd:   end,
		Parameters:     &protocol.PollParameters{ResponseType: protocol.ResponseFull},
	}
	received := 0
	for part := 1; ; part++ {
		resp, err := n.host.Request(ctx, p, req)
		if err != nil {
			return received, err
		}
		pr, err := pollResponse(resp, c.name)
		if err != nil {
			return received, err
		}
		origin := store.Origin{Via: store.ViaPoll, From: p.String()}
		if err := n.accept(ctx, c, pr.ContentBlocks, origin, authorsOf(pr.ExtendedHeaders, len(pr.ContentBlocks))); err != nil {
			return received, err
		}
		received += len(pr.ContentBlocks)
		if done != nil && !pr.InclusiveEnd.IsZero() {
			if err := done(pr.InclusiveEnd); err != nil {
				return received, err
			}
		}
		if !pr.More {
			return received, nil
		}
		if pr.ResultID == "" || part >= maxParts {
			return received, fmt.Errorf("poll of %s: more parts without a result id", c.name)
		}
		req = &protocol.PollFulfillment{
			Header:           protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
			CollectionName:   c.name,
			ResultID:         pr.ResultID,
			ResultPartNumber: part + 1,
		}
	}
}

// pollResponse checks that an answer is a Poll_Response for the collection.
func pollResponse(m protocol.Message, coll string) (*protocol.PollResponse, error) {
	switch r := m.(type) {
	case *protocol.PollResponse:
		if r.CollectionName != coll {
			return nil, fmt.Errorf("poll of %s answered for %s", coll, r.CollectionName)
		}
		return r, nil
	case *protocol.StatusMessage:
		return nil, &protocol.StatusError{Type: r.StatusType, Message: r.Message, Details: r.Details}
	default:
		return nil, fmt.Errorf("%w: %s", errNotPollResponse, m.Type())
	}
}

// catchUp polls peer p, for every collection it may write here, for what it
// stored since the cursor, and advances the cursor as parts are stored. So
// a node that was offline or partitioned converges without gossip. It
// reports whether every collection was polled to its end.
func (n *Node) catchUp(ctx context.Context, p peer.ID) bool {
	ok := true
	st := n.state.Load()
	for _, name := range st.names {
		if !n.trust.Allowed(trust.Peer(p.String()), name, trust.Write) {
			continue
		}
		c, _ := st.collection(name)
		if err := n.catchUpCollection(ctx, p, c); err != nil {
			var se *protocol.StatusError
			if errors.As(err, &se) && se.Type == protocol.StatusUnauthorized {
				n.log.Debug("catch-up refused", "peer", p, "collection", name)
				continue
			}
			n.log.Debug("catch-up failed", "peer", p, "collection", name, "err", err)
			ok = false
		}
	}
	return ok
}

func (n *Node) catchUpCollection(ctx context.Context, p peer.ID, c *collection) error {
	cursor, err := n.store.Cursor(ctx, p.String(), c.name)
	if err != nil {
		return err
	}
	start := time.Now()
	got, err := n.pull(ctx, p, c, cursor.Time(), time.Time{}, func(end time.Time) error {
		return n.store.SetCursor(ctx, p.String(), c.name, store.LabelOf(end))
	})
	if got > 0 {
		n.log.Info("caught up", "peer", p, "collection", c.name, "blocks", got,
			"took", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// catchUpLoop runs catch-up with a peer when it connects, and with every
// peer on a timer. At most one catch-up per peer runs at a time.
//
// A catch-up that fails (the connection that triggered it was closed, the
// peer was busy) is tried again after a backoff that doubles up to the
// catch-up interval, so that a peer is not left behind until the next round.
type catchUpLoop struct {
	n    *Node
	kick chan peer.ID

	// mu guards running and retry.
	mu      sync.Mutex
	running map[peer.ID]bool
	retry   map[peer.ID]time.Duration
}

// firstCatchUpRetry is the wait before a failed catch-up is tried again.
const firstCatchUpRetry = 2 * time.Second

func newCatchUpLoop(n *Node) *catchUpLoop {
	return &catchUpLoop{n: n, kick: make(chan peer.ID, 256), running: make(map[peer.ID]bool),
		retry: make(map[peer.ID]time.Duration)}
}

// connected asks for a catch-up with p. It never blocks.
func (l *catchUpLoop) connected(p peer.ID) {
	select {
	case l.kick <- p:
	default:
	}
}

func (l *catchUpLoop) run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	t := time.NewTicker(l.interval())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case p := <-l.kick:
			l.start(ctx, &wg, p)
		case <-t.C:
			for _, p := range l.n.host.ConnectedPeers() {
				l.start(ctx, &wg, p)
			}
		}
	}
}

func (l *catchUpLoop) start(ctx context.Context, wg *sync.WaitGroup, p peer.ID) {
	if !l.n.trust.Trusted(p.String()) {
		return
	}
	l.mu.Lock()
	if l.running[p] {
		l.mu.Unlock()
		return
	}
	l.running[p] = true
	l.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		ok := l.n.catchUp(ctx, p)
		l.mu.Lock()
		delete(l.running, p)
		wait := l.retry[p]
		if ok {
			delete(l.retry, p)
		} else {
			wait = min(max(2*wait, firstCatchUpRetry), l.interval())
			l.retry[p] = wait
		}
		l.mu.Unlock()
		if !ok {
			l.n.log.Warn("catch-up incomplete; trying again", "peer", p, "in", wait)
			select {
			case <-ctx.Done():
			case <-time.After(wait):
				l.connected(p)
			}
		}
	}()
}

func (l *catchUpLoop) interval() time.Duration {
	if i := l.n.state.Load().settings.CatchUp.Interval; i > 0 {
		return i
	}
	return time.Minute
}

// fetch is a block announced by a peer, to be polled from it.
type fetch struct {
	peer       peer.ID
	collection string
	label      store.Label
}

// fetcher polls announced blocks from their authors, a few at a time.
type fetcher struct {
	n     *Node
	queue chan fetch
}

func newFetcher(n *Node) *fetcher { return &fetcher{n: n, queue: make(chan fetch, 1024)} }

// want queues a fetch; when the queue is full the block is left to
// catch-up.
func (f *fetcher) want(x fetch) {
	select {
	case f.queue <- x:
	default:
		f.n.log.Warn("announced block left to catch-up", "peer", x.peer, "collection", x.collection)
	}
}

func (f *fetcher) run(ctx context.Context) error {
	const workers = 2
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case x := <-f.queue:
					f.get(ctx, x)
				}
			}
		}()
	}
	wg.Wait()
	return nil
}

func (f *fetcher) get(ctx context.Context, x fetch) {
	c, ok := f.n.state.Load().collection(x.collection)
	if !ok {
		return
	}
	_, err := f.n.pull(ctx, x.peer, c, (x.label - 1).Time(), x.label.Time(), nil)
	if err != nil {
		f.n.log.Warn("announced block not fetched", "peer", x.peer, "collection", x.collection, "err", err)
	}
}
