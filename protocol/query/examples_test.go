package query

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

const (
	messagesDir = "testdata/spec/messages/"
	casesDir    = "../../testdata/cases/"
)

// TestExampleMessages parses every query of the example messages (QRY-3):
// the valid ones parse, the others are refused with the status the test
// vectors expect.
func TestExampleMessages(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		queries int
		want    protocol.StatusType
	}{
		{"nested criteria, three modules", "../" + messagesDir +
			"poll_request.default-query.async-push.xml", 1, ""},
		{"file hash reputation", "../" + messagesDir +
			"poll_request.default-query.file-hash-rep.xml", 1, ""},
		{"subscribe with query", "../" + messagesDir +
			"subscription_management_request.subscribe-push-query.xml", 1, ""},
		{"subscribe response echo", "../" + messagesDir +
			"subscription_management_response.subscribe-push.xml", 1, ""},
		{"libtaxii response without RFC 3339 issue", "../" + messagesDir +
			"invalid/subscription_management_response.status-missing-params.libtaxii.xml", 2, ""},
		// QRY-22, AMB-6: "Tue Oct 21 15:34:33 EDT 2014" is not RFC 3339.
		{"timestamp not RFC 3339", "../" + messagesDir +
			"invalid/subscription_management_request.timestamp-param-not-rfc3339.libtaxii.xml",
			1, protocol.StatusBadMessage},
		{"libtaxii original of the same", "../../testdata/taxii11/libtaxii/libtaxii/test/" +
			"input/1.1/Subscription_Management_Request.xml", 1, protocol.StatusBadMessage},
		{"file hash reputation original", "../../testdata/taxii11/taxiiproject.github.io/" +
			"documentation/service-profiles/file-hash-rep/file-hash-rep-poll-request.xml", 1, ""},
		{"S10 count only", casesDir + "S10-default-query/poll-query-count-only.xml", 1, ""},
		{"S10 full", casesDir + "S10-default-query/poll-query-full.xml", 1, ""},
		// ST-17: an unknown format is UNSUPPORTED_QUERY, not a parse failure.
		{"S10 unknown format", casesDir + "S10-default-query/poll-query-unknown-format.xml", 1,
			protocol.StatusUnsupportedQuery},
		// ST-20: the query family's own status for an unknown vocabulary.
		{"S10 unknown vocabulary", casesDir +
			"S10-default-query/poll-query-unknown-targeting-expression.xml", 1,
			protocol.StatusUnsupportedTargetingID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qs := messageQueries(t, tt.path)
			if len(qs) != tt.queries {
				t.Fatalf("got %d queries, want %d", len(qs), tt.queries)
			}
			for _, q := range qs {
				_, err := Parse(q)
				if got := statusOf(t, err); got != tt.want {
					t.Errorf("got status %q (%v), want %q", got, err, tt.want)
				}
			}
		})
	}
}

// TestStatusDetails checks the status type and details of each query
// status (ST-17 to ST-20). Where the example Status Message describes a
// service configured as Config can be, its details are the expected ones.
func TestStatusDetails(t *testing.T) {
	narrow := DefaultConfig()
	narrow.PreferredScope = []string{"STIX_Package/Indicators/Indicator/**"}
	narrow.AllowedScope = []string{"**/@id", "STIX_Package/STIX_Header/**"}
	only111 := DefaultConfig()
	only111.Vocabularies = []string{protocol.BindingSTIX111}
	tests := []struct {
		name    string
		cfg     Config
		query   protocol.Query
		example string // Status Message file with the expected details
		details []protocol.Detail
	}{
		{"unsupported format", DefaultConfig(),
			protocol.Query{FormatID: "urn:example:query:unknown-format"},
			"status_message.unsupported_query.xml", nil},
		{"target outside a narrowed scope", narrow,
			defaultQuery(criterion("**/Title", core, "exists")),
			"status_message.unsupported_targeting_expression.xml", nil},
		{"vocabulary outside a narrowed list", only111,
			defaultQuery(strings.Replace(criterion("**/Title", core, "exists"), "xml:1.1.1",
				"xml:1.2", 1)),
			"status_message.unsupported_targeting_expression_id.xml", nil},
		// The example names a service without regex-1; this one has all three.
		{"unsupported module", DefaultConfig(),
			defaultQuery(criterion("**/Title", "urn:example:capability:fuzzy", "near")),
			"status_message.unsupported_capability_module.xml", []protocol.Detail{
				{Name: protocol.DetailCapabilityModule, Value: core},
				{Name: protocol.DetailCapabilityModule, Value: regex},
				{Name: protocol.DetailCapabilityModule, Value: stamp}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			example := exampleStatus(t, tt.example)
			if tt.details == nil {
				tt.details = example.Details
			}
			_, err := tt.cfg.Parse(tt.query)
			if got := statusOf(t, err); got != example.StatusType {
				t.Fatalf("got status %q (%v), want %q", got, err, example.StatusType)
			}
			got := err.(*protocol.StatusError).Details
			if !slices.Equal(got, tt.details) {
				t.Errorf("got details %v, want %v", got, tt.details)
			}
		})
	}
}

// exampleStatus decodes an example Status Message.
func exampleStatus(t *testing.T, file string) *protocol.StatusMessage {
	t.Helper()
	data, err := os.ReadFile("../" + messagesDir + file)
	if err != nil {
		t.Fatal(err)
	}
	m, err := protocol.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	sm, ok := m.(*protocol.StatusMessage)
	if !ok {
		t.Fatalf("%s holds a %s", file, m.Type())
	}
	return sm
}

func defaultQuery(body string) protocol.Query {
	return protocol.Query{FormatID: protocol.QueryFormatDefault, Body: []byte(body)}
}

// TestEntityInQueryValue is case S06's poll-query-with-entity.xml: an entity
// the query does not define is refused, never expanded or fetched.
func TestEntityInQueryValue(t *testing.T) {
	data, err := os.ReadFile(casesDir + "S06-xml-entities/poll-query-with-entity.xml")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(data, []byte("<tdq:Default_Query"))
	end := bytes.Index(data, []byte("</tdq:Default_Query>"))
	if start < 0 || end < 0 {
		t.Fatal("no Default_Query in the case file")
	}
	body := string(data[start : end+len("</tdq:Default_Query>")])
	body = strings.Replace(body, "<tdq:Default_Query",
		`<tdq:Default_Query xmlns:tdq="`+protocol.NamespaceDefaultQuery+`"`, 1)
	_, err = Parse(defaultQuery(body))
	if got := statusOf(t, err); got != protocol.StatusBadMessage {
		t.Errorf("got status %q (%v), want BAD_MESSAGE", got, err)
	}
}

// TestCaseS10 evaluates case S10's queries on its fixture blocks: the
// case-insensitive "contains malware" on **/Description selects block 1
// only (Record_Count 1 for the COUNT_ONLY poll, block 1 for the FULL one).
func TestCaseS10(t *testing.T) {
	blocks := []string{"fixture-block-1-description-match.xml", "fixture-block-2-no-match.xml",
		"fixture-block-3-no-description.xml"}
	for _, file := range []string{"poll-query-count-only.xml", "poll-query-full.xml"} {
		t.Run(file, func(t *testing.T) {
			q, err := Parse(messageQueries(t, casesDir+"S10-default-query/"+file)[0])
			if err != nil {
				t.Fatal(err)
			}
			var matched []string
			for _, b := range blocks {
				content, err := os.ReadFile(casesDir + "S10-default-query/" + b)
				if err != nil {
					t.Fatal(err)
				}
				if q.Match(content, true) {
					matched = append(matched, b)
				}
			}
			if len(matched) != 1 || matched[0] != blocks[0] {
				t.Errorf("matched %v, want only %s", matched, blocks[0])
			}
		})
	}
}

// TestDecodedQueries takes the queries from the protocol decoder itself and
// checks that they parse to the same queries as the bodies cut out by the
// test helper.
func TestDecodedQueries(t *testing.T) {
	paths := []string{
		"../" + messagesDir + "poll_request.default-query.async-push.xml",
		"../" + messagesDir + "poll_request.default-query.file-hash-rep.xml",
		"../" + messagesDir + "subscription_management_request.subscribe-push-query.xml",
		casesDir + "S10-default-query/poll-query-full.xml",
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := protocol.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			var dq *protocol.Query
			switch msg := m.(type) {
			case *protocol.PollRequest:
				dq = msg.Parameters.Query
			case *protocol.SubscriptionManagementRequest:
				dq = msg.Parameters.Query
			}
			if dq == nil {
				t.Fatalf("decoded %s without a query", m.Type())
			}
			got, err := Parse(*dq)
			if err != nil {
				t.Fatalf("%v\n%s", err, dq.Body)
			}
			want, err := Parse(messageQueries(t, path)[0])
			if err != nil {
				t.Fatal(err)
			}
			if got.Canonical() != want.Canonical() {
				t.Errorf("got  %s\nwant %s", got.Canonical(), want.Canonical())
			}
		})
	}
}
