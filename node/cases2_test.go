package node

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

func TestCaseS10DefaultQuery(t *testing.T) {
	h := newHarness(t, inboxInto)
	var match []byte
	for _, f := range []string{"fixture-block-1-description-match.xml", "fixture-block-2-no-match.xml",
		"fixture-block-3-no-description.xml"} {
		b, err := protocol.NewContentBlock(caseFile(t, "S10-default-query/"+f), "")
		if err != nil {
			t.Fatal(err)
		}
		h.push("collection-a", b)
		if match == nil {
			match = b.Content
		}
	}

	pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S10-default-query/poll-query-count-only.xml"), nil))
	if pr.RecordCount == nil || pr.RecordCount.Count != 1 || len(pr.ContentBlocks) != 0 {
		t.Errorf("COUNT_ONLY: count %v and %d blocks, want 1 and none", pr.RecordCount, len(pr.ContentBlocks))
	}
	pr = wantPoll(t, h.post(PathPoll, caseFile(t, "S10-default-query/poll-query-full.xml"), nil))
	if len(pr.ContentBlocks) != 1 || !bytes.Equal(pr.ContentBlocks[0].Content, match) {
		t.Errorf("FULL: %d blocks, want exactly block 1", len(pr.ContentBlocks))
	}

	// EXC-34, QRY-7: an unknown format is UNSUPPORTED_QUERY naming the
	// supported ones, never a failure or an unfiltered result.
	st := wantStatus(t, h.post(PathPoll, caseFile(t, "S10-default-query/poll-query-unknown-format.xml"), nil),
		protocol.StatusUnsupportedQuery)
	if got := st.DetailValues(protocol.DetailSupportedQuery); !slices.Equal(got,
		[]string{protocol.QueryFormatDefault}) {
		t.Errorf("SUPPORTED_QUERY %v", got)
	}
	// An unknown targeting vocabulary is answered in the UNSUPPORTED_QUERY
	// family, with the Default Query's own, more precise status (QRY-2,
	// ST-20).
	m := h.post(PathPoll, caseFile(t, "S10-default-query/poll-query-unknown-targeting-expression.xml"), nil)
	wantStatus(t, m, protocol.StatusUnsupportedTargetingID)
}

func TestCaseS11CountOnlyAndEmpty(t *testing.T) {
	h := newHarness(t, withCollections("collection-a", "collection-empty"))
	for i := range 3 {
		h.push("collection-a", stix(fmt.Sprint(i)))
	}
	pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S11-count-only-and-empty-collection/poll-count-only.xml"), nil))
	if pr.RecordCount == nil || pr.RecordCount.Count != 3 || pr.RecordCount.Partial || len(pr.ContentBlocks) != 0 {
		t.Errorf("COUNT_ONLY: %+v and %d blocks, want exactly 3 and none", pr.RecordCount, len(pr.ContentBlocks))
	}
	for _, f := range []string{"poll-empty-collection.xml", "poll-empty-window.xml"} {
		t.Run(f, func(t *testing.T) {
			pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S11-count-only-and-empty-collection/"+f), nil))
			if pr.More || len(pr.ContentBlocks) != 0 || pr.InclusiveEnd.IsZero() ||
				pr.RecordCount == nil || pr.RecordCount.Count != 0 {
				t.Errorf("more=%v blocks=%d end=%v count=%v, want an empty answer with an end and a zero count",
					pr.More, len(pr.ContentBlocks), pr.InclusiveEnd, pr.RecordCount)
			}
		})
	}
}

func TestCaseS12ContentRoundTrip(t *testing.T) {
	h := newHarness(t, inboxInto)
	files := []string{"inbox-xml-child.xml", "inbox-escaped-text.xml", "inbox-cdata.xml", "inbox-non-xml-binding.xml"}
	var sent []protocol.ContentBlock
	for _, f := range files {
		raw := caseFile(t, "S12-content-round-trip/"+f)
		wantStatus(t, h.post(PathInbox, raw, nil), protocol.StatusSuccess)
		m, err := protocol.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		sent = append(sent, m.(*protocol.InboxMessage).ContentBlocks[0])
	}
	pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S12-content-round-trip/poll-collection-a.xml"), nil))
	// The escaped and CDATA inputs carry the same STIX text, so they are one
	// block: content is deduplicated by hash.
	if len(pr.ContentBlocks) < 3 {
		t.Fatalf("%d blocks back, want the XML, the STIX text and the JSON", len(pr.ContentBlocks))
	}
	for i, want := range sent {
		got := findBlock(pr, want.Content)
		if got == nil {
			t.Errorf("%s: content not returned unchanged", files[i])
			continue
		}
		if got.Binding.BindingID != want.Binding.BindingID || got.IsXML != want.IsXML {
			t.Errorf("%s: binding %q xml=%v, want %q xml=%v", files[i], got.Binding.BindingID, got.IsXML,
				want.Binding.BindingID, want.IsXML)
		}
	}
	text := string(sent[1].Content)
	if !strings.Contains(text, `<stix:Title>Round-trip check &lt;&amp;&gt; "quotes"</stix:Title>`) ||
		string(sent[2].Content) != text {
		t.Errorf("escaped and CDATA content do not unescape to the same STIX text:\n%.300s", text)
	}
}

func findBlock(pr *protocol.PollResponse, content []byte) *protocol.ContentBlock {
	for i := range pr.ContentBlocks {
		if bytes.Equal(pr.ContentBlocks[i].Content, content) {
			return &pr.ContentBlocks[i]
		}
	}
	return nil
}

func TestCaseS13ContentBindingSubtypes(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.Collections = append(s.Collections,
			CollectionSettings{Name: "collection-a", Accept: []BindingSettings{
				{Binding: protocol.BindingSTIX111, Subtypes: []string{"urn:example:subtype:indicators"}}}},
			CollectionSettings{Name: "collection-b", Accept: []BindingSettings{{Binding: protocol.BindingSTIX111}}})
	})
	dir := "S13-content-binding-subtypes/"
	wantStatus(t, h.post(PathInbox, caseFile(t, dir+"inbox-subtype-accepted.xml"), nil), protocol.StatusSuccess)
	st := wantStatus(t, h.post(PathInbox, caseFile(t, dir+"inbox-subtype-rejected.xml"), nil),
		protocol.StatusUnsupportedContent)
	if got := st.DetailValues(protocol.DetailSupportedContent); !slices.Equal(got,
		[]string{protocol.BindingSTIX111}) {
		t.Errorf("SUPPORTED_CONTENT %v", got)
	}
	wantStatus(t, h.post(PathInbox, caseFile(t, dir+"inbox-subtype-any.xml"), nil), protocol.StatusSuccess)
	wantStatus(t, h.post(PathInbox, caseFile(t, dir+"inbox-no-subtype.xml"), nil), protocol.StatusSuccess)
	if n := count(t, h, "collection-a"); n != 1 {
		t.Errorf("collection-a holds %d blocks, want 1 (the rejected one is not stored)", n)
	}

	pr := wantPoll(t, h.post(PathPoll, caseFile(t, dir+"poll-subtype-filter.xml"), nil))
	if got := titles(pr); !slices.Equal(got, []string{"Report subtype to open collection"}) {
		t.Errorf("subtype filter: %v", got)
	}
	pr = wantPoll(t, h.post(PathPoll, caseFile(t, dir+"poll-binding-only-filter.xml"), nil))
	if len(pr.ContentBlocks) != 2 {
		t.Errorf("binding filter: %v, want both blocks of collection-b", titles(pr))
	}

	m := h.post(PathCollectionManagement, caseFile(t, dir+"collection-information-request.xml"), nil)
	ci, ok := m.(*protocol.CollectionInformationResponse)
	if !ok {
		t.Fatalf("answer %s", m.Type())
	}
	for _, c := range ci.Collections {
		switch c.Name {
		case "collection-a":
			if len(c.ContentBindings) != 1 || !slices.Equal(c.ContentBindings[0].Subtypes,
				[]string{"urn:example:subtype:indicators"}) {
				t.Errorf("collection-a bindings %+v", c.ContentBindings)
			}
		case "collection-b":
			if len(c.ContentBindings) != 1 || len(c.ContentBindings[0].Subtypes) != 0 {
				t.Errorf("collection-b bindings %+v", c.ContentBindings)
			}
		}
	}
}

// TestCaseS14LargePoll fills collection-big with every STIX document of the
// test data several times over and polls it whole: the answer comes in
// parts within the size limit, every block exactly once, and a response cut
// by a proxy is an error for the client, which keeps nothing of it.
func TestCaseS14LargePoll(t *testing.T) {
	copies := 3
	if testing.Short() {
		copies = 1
	}
	const partBytes = 4 << 20
	h := newHarness(t, func(s *Settings) {
		withCollections("collection-big")(s)
		s.Poll.MaxPartBytes = partBytes
	})
	want := fillBig(t, h, copies)

	ctx := context.Background()
	seen := make(map[store.Hash]int)
	pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S14-large-poll-response/poll-all.xml"), nil))
	var prevEnd time.Time
	for part := 1; ; part++ {
		// EXC-44: each part covers the label range that follows the last.
		if part > 1 && !pr.ExclusiveBegin.Equal(prevEnd) {
			t.Errorf("part %d begins at %v, part %d ended at %v", part, pr.ExclusiveBegin, part-1, prevEnd)
		}
		for _, b := range pr.ContentBlocks {
			if !b.TimestampLabel.After(pr.ExclusiveBegin) || b.TimestampLabel.After(pr.InclusiveEnd) {
				t.Errorf("part %d: block labelled %v outside (%v, %v]", part, b.TimestampLabel,
					pr.ExclusiveBegin, pr.InclusiveEnd)
			}
		}
		prevEnd = pr.InclusiveEnd
		if pr.RecordCount == nil || pr.RecordCount.Count != uint64(len(want)) {
			t.Fatalf("part %d: Record_Count %v, want %d", part, pr.RecordCount, len(want))
		}
		for _, b := range pr.ContentBlocks {
			seen[store.HashOf(b.Content)]++
		}
		// The limit bounds the whole message, as encoded, not only its content.
		encoded, err := protocol.Encode(pr)
		if err != nil {
			t.Fatal(err)
		}
		if len(encoded) > partBytes && len(pr.ContentBlocks) > 1 {
			t.Errorf("part %d is %d bytes, limit %d", part, len(encoded), partBytes)
		}
		if !pr.More {
			if part < 2 {
				t.Errorf("one part for %d blocks of several MB", len(want))
			}
			break
		}
		pr = wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollFulfillment{CollectionName: "collection-big",
			ResultID: pr.ResultID, ResultPartNumber: part + 1}))
	}
	for hash := range want {
		if seen[hash] != 1 {
			t.Errorf("block %s delivered %d times", hash, seen[hash])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d distinct blocks delivered, want %d", len(seen), len(want))
	}

	// Through a proxy that cuts every response after 8 MiB, the client
	// reports an error and hands over no block.
	proxy := cuttingProxy(t, h.base, 8<<20)
	c := &Client{base: proxy, token: "", taxii: h.clientFor(proxy).taxii, http: http.DefaultClient}
	got := 0
	_, err := c.Poll(ctx, PollOptions{Collection: "collection-big"}, func(*Block) error { got++; return nil })
	if err == nil || got != 0 {
		t.Errorf("poll through a cutting proxy: err %v after %d blocks, want an error before any", err, got)
	}
}

// TestPollPartsFitTheirByteLimit: many small blocks fill a part with more
// markup than content, and text content grows when escaped; the part limit
// still bounds every part as encoded (S14's whole kind).
func TestPollPartsFitTheirByteLimit(t *testing.T) {
	const partBytes = 16 << 10
	h := newHarness(t, func(s *Settings) { s.Poll.MaxPartBytes = partBytes })
	want := make(map[store.Hash]bool)
	for i := range 120 {
		b := stix(fmt.Sprint("small ", i))
		if i%2 == 1 {
			b = protocol.ContentBlock{Binding: protocol.ContentBinding{BindingID: "urn:stix.mitre.org:json:2.0"},
				Content: []byte(fmt.Sprintf(`{"id": %d, "pattern": "%s"}`, i, strings.Repeat("<&>", 40)))}
		}
		h.push("default", b)
		want[store.HashOf(b.Content)] = true
	}
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "default",
		Parameters: &protocol.PollParameters{}}))
	seen := 0
	for part := 1; ; part++ {
		encoded, err := protocol.Encode(pr)
		if err != nil {
			t.Fatal(err)
		}
		if len(encoded) > partBytes {
			t.Errorf("part %d is %d bytes with %d blocks, limit %d", part, len(encoded), len(pr.ContentBlocks), partBytes)
		}
		for _, b := range pr.ContentBlocks {
			if !want[store.HashOf(b.Content)] {
				t.Errorf("part %d: unexpected or repeated block %.40q", part, b.Content)
			}
			delete(want, store.HashOf(b.Content))
			seen++
		}
		if !pr.More {
			break
		}
		pr = wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollFulfillment{CollectionName: "default",
			ResultID: pr.ResultID, ResultPartNumber: part + 1}))
	}
	if len(want) != 0 {
		t.Errorf("%d blocks delivered, %d missing", seen, len(want))
	}
}

// fillBig pushes every STIX 1.x document of the test data copies times,
// each copy made distinct, and returns the hashes stored.
func fillBig(t *testing.T, h *harness, copies int) map[store.Hash]bool {
	t.Helper()
	var docs [][]byte
	err := filepath.WalkDir("../testdata/stix1", func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".xml") {
			doc, rerr := os.ReadFile(path)
			docs = append(docs, doc)
			return rerr
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[store.Hash]bool)
	for i := range copies {
		for _, doc := range docs {
			b, err := protocol.NewContentBlock(doc, protocol.BindingSTIX12)
			if err != nil {
				t.Fatal(err)
			}
			// Mark the copy inside the root element, so each is distinct.
			end := bytes.LastIndex(b.Content, []byte("</"))
			b.Content = slices.Concat(b.Content[:end], []byte(fmt.Sprintf("<!-- copy %d -->", i)), b.Content[end:])
			h.push("collection-big", b)
			want[store.HashOf(b.Content)] = true
		}
	}
	return want
}

// cuttingProxy forwards requests to target and cuts every response body
// after limit bytes.
func cuttingProxy(t *testing.T, target string, limit int64) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, _ := http.NewRequestWithContext(r.Context(), r.Method, u.String()+r.URL.Path, r.Body)
		out.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, io.LimitReader(resp.Body, limit))
		panic(http.ErrAbortHandler) // drop the connection, as a cut proxy does
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// clientFor returns an anonymous client of the node at base.
func (h *harness) clientFor(base string) *Client {
	c, err := NewClient(h.dir)
	if err != nil {
		h.t.Fatal(err)
	}
	c.base = base
	return c
}
