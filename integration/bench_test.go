package integration

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// block4K returns a distinct STIX block of about 4 KB.
func block4K(tb testing.TB, i int) protocol.ContentBlock {
	tb.Helper()
	body := fmt.Appendf(nil, `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" `+
		`id="example:Package-%d" version="1.2"><stix:STIX_Header><stix:Title>block %d</stix:Title>`, i, i)
	for len(body) < 4000 {
		body = fmt.Appendf(body, "<stix:Description>indicator text %d of block %d</stix:Description>", len(body), i)
	}
	body = append(body, "</stix:STIX_Header></stix:STIX_Package>"...)
	return protocol.ContentBlock{Binding: protocol.ContentBinding{BindingID: protocol.BindingSTIX12},
		Content: body, IsXML: true}
}

// arrivals records when each node stored each block.
type arrivals struct {
	mu      sync.Mutex
	wanted  int // receivers per block
	pending map[store.Hash]*arrival
}

type arrival struct {
	left int
	last time.Time
	done chan struct{}
}

func (a *arrivals) expect(h store.Hash) *arrival {
	a.mu.Lock()
	defer a.mu.Unlock()
	ar := &arrival{left: a.wanted, done: make(chan struct{})}
	a.pending[h] = ar
	return ar
}

func (a *arrivals) stored(_ string, s node.Stored) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, h := range s.Hashes {
		if ar, ok := a.pending[h]; ok && s.Via != store.ViaInbox {
			ar.left--
			ar.last = now
			if ar.left == 0 {
				close(ar.done)
				delete(a.pending, h)
			}
		}
	}
}

// benchMeshLatency measures, on a full mesh of n nodes, the time from a
// push answered SUCCESS on one node to the block stored durably on all the
// others, one 4 KB block at a time.
func benchMeshLatency(b *testing.B, n int) {
	rec := &arrivals{wanted: n - 1, pending: make(map[store.Hash]*arrival)}
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%02d", i)
	}
	nodes := observedMesh(b, rec.stored, names...)
	client := nodes[0].client()
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		blk := block4K(b, i)
		ar := rec.expect(store.HashOf(blk.Content))
		resp, err := client.Send(context.Background(), protocol.ServiceInbox, "", &protocol.InboxMessage{
			Header:        protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
			ContentBlocks: []protocol.ContentBlock{blk}})
		acked := time.Now()
		if err != nil || !success(resp) {
			b.Fatalf("push %d: %v %v", i, err, resp)
		}
		select {
		case <-ar.done:
		case <-time.After(10 * time.Second):
			b.Fatalf("block %d not on every node after 10 s", i)
		}
		lat = append(lat, max(0, ar.last.Sub(acked)))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / float64(time.Millisecond)
	}
	b.ReportMetric(q(0.5), "median-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// BenchmarkMeshLatency10 and BenchmarkMeshLatency30: push answered -> stored
// on all others. Run with -benchtime=500x (make bench does).
func BenchmarkMeshLatency10(b *testing.B) { benchMeshLatency(b, 10) }
func BenchmarkMeshLatency30(b *testing.B) { benchMeshLatency(b, 30) }

// BenchmarkCatchUp100k measures how long a node takes to catch up 100,000
// blocks of 4 KB from one peer.
func BenchmarkCatchUp100k(b *testing.B) {
	const total = 100_000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		a := newNode(b, fmt.Sprintf("a%d", i), nil)
		fillStore(b, a, total)
		c := newNode(b, fmt.Sprintf("c%d", i), nil)
		b.StartTimer()
		start := time.Now()
		a.trust(c, def, def)
		c.trust(a, def, def) // connecting starts the catch-up
		for c.count(node.DefaultCollection) < total {
			time.Sleep(5 * time.Millisecond)
		}
		d := time.Since(start)
		b.ReportMetric(d.Seconds(), "s/catch-up")
		b.ReportMetric(float64(total)/d.Seconds(), "blocks/s")
		b.ReportMetric(float64(total)*4096/d.Seconds()/1e6, "MB/s")
		b.StopTimer()
		a.stop()
		c.stop()
	}
}

// fillStore writes n distinct 4 KB blocks straight into a node's store.
func fillStore(tb testing.TB, tn *testNode, n int) {
	tb.Helper()
	const batch = 1000
	for i := 0; i < n; i += batch {
		var nb []store.NewBlock
		for j := i; j < min(i+batch, n); j++ {
			blk := block4K(tb, j)
			nb = append(nb, store.NewBlock{Collection: node.DefaultCollection, Binding: blk.Binding,
				Content: blk.Content, IsXML: true, Origin: store.Origin{Via: store.ViaInbox}})
		}
		if _, err := tn.node.Store().Put(context.Background(), nb); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchPush measures acknowledged pushes per second through the HTTP
// binding, each a 4 KB block in its own Inbox Message, durable when
// answered, from the given number of concurrent clients.
func benchPush(b *testing.B, clients int) {
	a := newNode(b, "a", nil)
	client := a.client()
	// The blocks are made before the clock starts: making them costs CPU
	// that the node would otherwise have.
	blocks := make([]protocol.ContentBlock, b.N)
	for i := range blocks {
		blocks[i] = block4K(b, i)
	}
	b.SetBytes(4096)
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				resp, err := client.Send(context.Background(), protocol.ServiceInbox, "", &protocol.InboxMessage{
					Header:        protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
					ContentBlocks: []protocol.ContentBlock{blocks[i]}})
				if err != nil || !success(resp) {
					b.Errorf("push %d: %v %v", i, err, resp)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "pushes/s")
}

func BenchmarkPushSequential(b *testing.B) { benchPush(b, 1) }
func BenchmarkPush16Clients(b *testing.B)  { benchPush(b, 16) }
