package node

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/taxiinode/taxiinode/protocol"
)

// The tests of this file replay the fault cases of testdata/cases (public
// bug reports against other TAXII software) against a running node over
// its HTTP binding. Every answer is checked against the TAXII schemas.

// withCollections adds the collections the cases name.
func withCollections(names ...string) func(*Settings) {
	return func(s *Settings) {
		for _, n := range names {
			s.Collections = append(s.Collections, CollectionSettings{Name: n, Description: "case " + n})
		}
	}
}

func TestCaseS01PollBeginAfterEnd(t *testing.T) {
	h := newHarness(t, withCollections("collection-a"))
	h.pushAt("collection-a", time.Date(2014, 12, 19, 6, 0, 0, 0, time.UTC), stix("inside 2014-12-19"))
	for _, f := range []string{"poll-begin-after-end.xml", "poll-begin-equals-end.xml"} {
		t.Run(f, func(t *testing.T) {
			// MSG-71, AMB-22: the end must be later than the begin.
			resp := h.post(PathPoll, caseFile(t, "S01-poll-begin-after-end/"+f), nil)
			st := wantStatus(t, resp, protocol.StatusBadMessage)
			if st.InResponseTo == "0" {
				t.Error("in_response_to is 0 although the message id was readable")
			}
		})
	}
}

func TestCaseS02TimestampWithoutZone(t *testing.T) {
	h := newHarness(t, withCollections("collection-a"))
	tests := []struct {
		file string
		want protocol.StatusType // "" for a Poll_Response
	}{
		{"poll-no-zone.xml", protocol.StatusBadMessage},
		{"poll-date-only.xml", protocol.StatusBadMessage},
		{"poll-utc-z.xml", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			resp := h.post(PathPoll, caseFile(t, "S02-timestamp-without-zone/"+tt.file), nil)
			if tt.want == "" {
				wantPoll(t, resp)
				return
			}
			st := wantStatus(t, resp, tt.want)
			if !strings.Contains(st.Message, "Timestamp") {
				t.Errorf("message %q does not name the offending field", st.Message)
			}
		})
	}
}

func TestCaseS03TimestampPrecision(t *testing.T) {
	h := newHarness(t, withCollections("collection-a"))
	labels := []string{"2017-06-06T10:15:30Z", "2017-06-06T10:15:30.123456Z", "2017-06-06T10:15:31Z"}
	for i, l := range labels {
		at, err := time.Parse(time.RFC3339Nano, l)
		if err != nil {
			t.Fatal(err)
		}
		h.pushAt("collection-a", at, stix(fmt.Sprintf("L%d", i+1)))
	}
	tests := []struct {
		file string
		want []string // titles, or nil for BAD_MESSAGE
	}{
		{"poll-seconds.xml", []string{"L1"}},
		{"poll-milliseconds.xml", []string{"L2", "L3"}},
		{"poll-offset-microseconds-nanoseconds.xml", []string{"L3"}},
		{"poll-no-seconds.xml", nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			resp := h.post(PathPoll, caseFile(t, "S03-timestamp-precision/"+tt.file), nil)
			if tt.want == nil {
				wantStatus(t, resp, protocol.StatusBadMessage)
				return
			}
			pr := wantPoll(t, resp)
			if got := titles(pr); !slices.Equal(got, tt.want) {
				t.Errorf("blocks %v, want %v", got, tt.want)
			}
			for _, b := range pr.ContentBlocks {
				if !slices.ContainsFunc(labels, func(l string) bool {
					want, _ := protocol.ParseTimestamp(l)
					return want.Equal(b.TimestampLabel)
				}) {
					t.Errorf("label %v is not one of the fixture's", b.TimestampLabel)
				}
			}
		})
	}
}

func TestCaseS04MultipartLastPart(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		withCollections("collection-a")(s)
		s.Poll.MaxPartBlocks = 2
	})
	for i := range 5 {
		h.push("collection-a", stix(fmt.Sprintf("record %d", i)))
	}
	first := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "collection-a",
		Parameters: &protocol.PollParameters{}}))
	if !first.More || first.ResultID == "" || first.ResultPartNumber != 1 {
		t.Fatalf("part 1: more=%v result_id=%q part=%d, want a 3-part result", first.More, first.ResultID,
			first.ResultPartNumber)
	}
	// The case's result-0001 is this node's 3-part result.
	body := bytes.ReplaceAll(caseFile(t, "S04-multipart-poll-last-part/poll-fulfillment-part-4.xml"),
		[]byte("result-0001"), []byte(first.ResultID))
	st := wantStatus(t, h.post(PathPoll, body, nil), protocol.StatusInvalidResponsePart)
	if got := st.DetailValues(protocol.DetailMaxPartNumber); !slices.Equal(got, []string{"3"}) {
		t.Errorf("MAX_PART_NUMBER %v, want [3]", got) // EXC-42
	}
	st = wantStatus(t, h.post(PathPoll, caseFile(t, "S04-multipart-poll-last-part/poll-fulfillment-unknown-result.xml"),
		nil), protocol.StatusNotFound)
	if got := st.DetailValues(protocol.DetailItem); !slices.Equal(got, []string{"result-does-not-exist"}) {
		t.Errorf("ITEM %v, want the result id", got)
	}
}

func TestCaseS05InboxWithoutDestination(t *testing.T) {
	h := newHarness(t, inboxInto)
	wantStatus(t, h.post(PathInbox, caseFile(t, "S05-inbox-without-destination/inbox-no-destination.xml"), nil),
		protocol.StatusSuccess)
	pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S05-inbox-without-destination/poll-collection-a.xml"), nil))
	if got := titles(pr); !slices.Equal(got, []string{"Pushed without a destination collection"}) {
		t.Fatalf("collection-a holds %v, want the pushed block", got)
	}
}

func TestCaseS06Entities(t *testing.T) {
	h := newHarness(t, withCollections("collection-a"))
	files := []string{"inbox-entity-expansion.xml", "inbox-external-dtd-http.xml", "inbox-external-entity-file.xml",
		"inbox-parameter-entity.xml", "poll-query-with-entity.xml"}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			path := PathInbox
			if strings.HasPrefix(f, "poll") {
				path = PathPoll
			}
			start := time.Now()
			st := wantStatus(t, h.post(path, caseFile(t, "S06-xml-entities/"+f), nil), protocol.StatusBadMessage)
			if d := time.Since(start); d > time.Second {
				t.Errorf("answered in %v, want under a second", d)
			}
			if strings.Contains(st.Message, "ENTITY") || strings.Contains(st.Message, "lol") {
				t.Errorf("entity text in the answer: %q", st.Message)
			}
		})
	}
	if n := count(t, h, "collection-a"); n != 0 {
		t.Fatalf("collection-a holds %d blocks after refused pushes", n)
	}
}

// inboxInto makes collection-a exist and receive Inbox Messages that name
// no destination.
func inboxInto(s *Settings) {
	withCollections("collection-a")(s)
	s.Inbox.DefaultCollection = "collection-a"
}

func TestCaseS07EncodingsAndBOM(t *testing.T) {
	h := newHarness(t, inboxInto)
	files := []string{"inbox-utf8-declaration.xml", "inbox-utf8-bom-declaration.xml",
		"inbox-utf8-bom-no-declaration.xml", "inbox-utf16le-bom.xml", "inbox-iso-8859-1.xml"}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			resp := h.post(PathInbox, caseFile(t, "S07-encoding-declaration-and-bom/"+f), nil)
			wantStatus(t, resp, protocol.StatusSuccess)
		})
	}
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "collection-a",
		Parameters: &protocol.PollParameters{}}))
	if len(pr.ContentBlocks) == 0 {
		t.Fatal("nothing stored")
	}
	for _, b := range pr.ContentBlocks {
		c := string(b.Content)
		if !strings.Contains(c, "Café watchlist") {
			t.Errorf("content lost the title's é: %.200q", c)
		}
		if strings.HasPrefix(c, "\ufeff") || strings.Contains(c, "<?xml") {
			t.Errorf("content carries a BOM or a second XML declaration: %.80q", c)
		}
	}
}

func TestCaseS08MultibyteCharacters(t *testing.T) {
	h := newHarness(t, inboxInto)
	in := caseFile(t, "S08-multibyte-characters/inbox-multibyte.xml")
	wantStatus(t, h.post(PathInbox, in, nil), protocol.StatusSuccess)
	sent, err := protocol.Decode(in)
	if err != nil {
		t.Fatal(err)
	}
	want := sent.(*protocol.InboxMessage).ContentBlocks[0].Content
	pr := wantPoll(t, h.post(PathPoll, caseFile(t, "S08-multibyte-characters/poll-collection-a.xml"), nil))
	if len(pr.ContentBlocks) != 1 {
		t.Fatalf("%d blocks, want 1", len(pr.ContentBlocks))
	}
	got := pr.ContentBlocks[0].Content
	if !bytes.Equal(got, want) || !utf8.Valid(got) {
		t.Fatalf("content changed:\n got %q\nwant %q", got, want)
	}
}

// sendHTTPFile sends a whole HTTP request from a case file, with CRLF line
// ends, to the node's discovery endpoint, and returns the response.
func (h *harness) sendHTTPFile(raw []byte) (*http.Response, []byte) {
	h.t.Helper()
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(
		append(bytes.ReplaceAll(head, []byte("\n"), []byte("\r\n")), []byte("\r\n\r\n")...))))
	if err != nil {
		h.t.Fatal(err)
	}
	out, err := http.NewRequest(req.Method, h.base+PathDiscovery, bytes.NewReader(bytes.TrimSpace(body)))
	if err != nil {
		h.t.Fatal(err)
	}
	out.Header = req.Header
	resp, err := http.DefaultClient.Do(out)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp, buf.Bytes()
}

func TestCaseS09TAXII10And11(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		file    string
		binding string // of the answer
		want    protocol.MessageType
		status  protocol.StatusType
	}{
		{"discovery-10.http", protocol.MessageBindingXML10, protocol.TypeDiscoveryResponse, ""},
		{"header-10-body-11.http", "", protocol.TypeStatusMessage, protocol.StatusBadMessage},
		{"header-11-body-10.http", "", protocol.TypeStatusMessage, protocol.StatusBadMessage},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			raw := caseFile(t, "S09-taxii-10-vs-11/"+tt.file)
			resp, body := h.sendHTTPFile(raw)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("HTTP %s", resp.Status)
			}
			validateXSD(t, body)
			m, err := protocol.Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			if m.Type() != tt.want {
				t.Fatalf("answer %s, want %s", m.Type(), tt.want)
			}
			if tt.status != "" {
				wantStatus(t, m, tt.status)
			}
			got := resp.Header.Get("X-TAXII-Content-Type")
			if tt.binding != "" && got != tt.binding {
				t.Errorf("X-TAXII-Content-Type %q, want %q", got, tt.binding)
			}
			accept := requestHeader(raw, "X-TAXII-Accept")
			if accept != "" && !strings.Contains(accept, got) {
				t.Errorf("answered in %q, which X-TAXII-Accept %q does not allow", got, accept)
			}
		})
	}
}

func requestHeader(raw []byte, name string) string {
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func count(t *testing.T, h *harness, coll string) uint64 {
	t.Helper()
	pr := wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: coll,
		Parameters: &protocol.PollParameters{ResponseType: protocol.ResponseCountOnly}}))
	return pr.RecordCount.Count
}
