package node

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
	"github.com/taxiinode/taxiinode/trust"
)

// benchQuery is a three-criterion Default Query: content whose description
// mentions an IP address, or packages whose title begins with "Example",
// as long as they carry an id.
const benchQuery = `<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1"
  targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">
  <tdq:Criteria operator="AND">
    <tdq:Criteria operator="OR">
      <tdq:Criterion><tdq:Target>**/Description</tdq:Target>
        <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="contains">
          <tdq:Parameter name="case_sensitive">false</tdq:Parameter>
          <tdq:Parameter name="value">ip address</tdq:Parameter></tdq:Test></tdq:Criterion>
      <tdq:Criterion><tdq:Target>STIX_Package/STIX_Header/Title</tdq:Target>
        <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="begins_with">
          <tdq:Parameter name="value">Example</tdq:Parameter></tdq:Test></tdq:Criterion>
    </tdq:Criteria>
    <tdq:Criterion><tdq:Target>STIX_Package/@id</tdq:Target>
      <tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="exists"/></tdq:Criterion>
  </tdq:Criteria>
</tdq:Default_Query>`

// smallSTIX returns the STIX 1.x documents of the test data under 8 KB,
// about 3.5 KB on average, as content blocks.
func smallSTIX(tb testing.TB) []protocol.ContentBlock {
	tb.Helper()
	var blocks []protocol.ContentBlock
	err := filepath.WalkDir("../testdata/stix1", func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		doc, err := os.ReadFile(path)
		if err != nil || len(doc) > 8<<10 {
			return err
		}
		if b, err := protocol.NewContentBlock(doc, protocol.BindingSTIX12); err == nil {
			blocks = append(blocks, b)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return blocks
}

// fillCollection stores n distinct blocks made from real STIX documents.
func fillCollection(tb testing.TB, st *store.Store, n int) int64 {
	tb.Helper()
	docs := smallSTIX(tb)
	var total int64
	for i := 0; i < n; i += 500 {
		var nb []store.NewBlock
		for j := i; j < min(i+500, n); j++ {
			d := docs[j%len(docs)]
			end := bytes.LastIndex(d.Content, []byte("</"))
			content := fmt.Appendf(append([]byte(nil), d.Content[:end]...), "<!-- %d -->%s", j, d.Content[end:])
			total += int64(len(content))
			nb = append(nb, store.NewBlock{Collection: DefaultCollection, Binding: d.Binding, Content: content,
				IsXML: true, Origin: store.Origin{Via: store.ViaInbox}})
		}
		if _, err := st.Put(context.Background(), nb); err != nil {
			tb.Fatal(err)
		}
	}
	return total
}

// benchQueryPoll polls a collection of n stored STIX blocks with a
// three-criterion Default Query, counting the matches (the whole
// collection is read and evaluated), and reports the peak growth of the
// heap in use during the polls: it must not grow with the collection.
func benchQueryPoll(b *testing.B, n int) {
	dir := b.TempDir()
	if _, err := Init(dir, InitOptions{P2PListen: []string{"/ip4/127.0.0.1/tcp/0"}, HTTPListen: "127.0.0.1:0"}); err != nil {
		b.Fatal(err)
	}
	nd, err := New(Config{Dir: dir, Logger: discardLogger()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nd.close)
	size := fillCollection(b, nd.store, n)
	req := &protocol.PollRequest{Header: protocol.Header{MessageID: "1"}, CollectionName: DefaultCollection,
		Parameters: &protocol.PollParameters{ResponseType: protocol.ResponseCountOnly,
			Query: &protocol.Query{FormatID: protocol.QueryFormatDefault, Body: []byte(benchQuery)}}}
	b.SetBytes(size)
	// The collector lets garbage pile up in proportion to the live heap,
	// most of which is the store's memtables, larger for a larger
	// collection; collecting more often makes the peak show what the poll
	// holds rather than the pacing of the collector.
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	base := heapInUse()
	peak := startHeapSampler()
	b.ResetTimer()
	var matched uint64
	for i := 0; i < b.N; i++ {
		pr, ok := nd.Handle(context.Background(), trust.Operator, "", req).(*protocol.PollResponse)
		if !ok {
			b.Fatal("no Poll_Response")
		}
		matched = pr.RecordCount.Count
	}
	b.StopTimer()
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
	b.ReportMetric(float64(matched), "matches")
	b.ReportMetric(float64(peak()-base)/(1<<20), "peak-heap-growth-MiB")
}

func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// startHeapSampler samples the heap in use every few milliseconds until the
// returned function is called, which gives the highest value seen.
func startHeapSampler() func() uint64 {
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, heapInUse())
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(stop)
		return <-done
	}
}

func BenchmarkQueryPoll10k(b *testing.B) { benchQueryPoll(b, 10_000) }
func BenchmarkQueryPoll40k(b *testing.B) { benchQueryPoll(b, 40_000) }
