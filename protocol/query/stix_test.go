package query

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

const stixDir = "../../testdata/stix1"

// stixDocuments reads the STIX 1.x documents of the test data. In short mode
// and under the race detector (nothing here is concurrent) documents over
// 1 MB are left out.
func stixDocuments(t testing.TB) map[string][]byte {
	t.Helper()
	docs := map[string][]byte{}
	err := filepath.WalkDir(stixDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if (testing.Short() || raceEnabled) && info.Size() > 1<<20 {
			return nil
		}
		data, err := os.ReadFile(path)
		docs[strings.TrimPrefix(path, stixDir+"/")] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) < 100 {
		t.Fatalf("found %d STIX documents, want the test data's 114", len(docs))
	}
	return docs
}

// stixQueries are queries over real STIX content: every kind of target and
// test, namespaces, and criteria trees.
var stixQueries = map[string]string{
	"description contains malware": criterion("**/Description", core, "contains",
		"case_sensitive", "false", "value", "malware"),
	"indicator id pattern": criterion("STIX_Package/Indicators/Indicator/@id", regex,
		"matches", "value", `^[A-Za-z-]+:[Ii]ndicator-[0-9a-f]{8}-`),
	"any id begins with example": criterion("**/@id", core, "begins_with", "value", "example:"),
	"produced after 2014": criterion("**/Information_Source/Time/Produced_Time", stamp,
		"greater_than", "value", "2014-01-01T00:00:00Z"),
	"package timestamp before 2015": criterion("STIX_Package/@timestamp", stamp,
		"less_than_or_equals", "value", "2015-01-01T00:00:00Z"),
	"title regex": criterion("**/Title", regex, "matches", "case_sensitive", "false",
		"value", "apt|malware|phish|c2"),
	"no hash value": criterion("**/Simple_Hash_Value", core, "does_not_exist"),
	"hash value equals": criterion("**/Simple_Hash_Value", core, "equals", "match_type",
		"case_insensitive_string", "value", "E83F60FB0E0396EA309FAF0AED64E53F"),
	"port above 1000": criterion("**/Port_Value", core, "greater_than", "value", "1000"),
	"xsi type qualified": withNS(criterion("**/@xsi:type", core, "ends_with",
		"value", "IndicatorType"), `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`),
	"stix title qualified": withNS(criterion("s:STIX_Package/s:STIX_Header/s:Title", core,
		"exists"), `xmlns:s="http://stix.mitre.org/stix-1"`),
	"anything says APT1": criterion("**", core, "contains", "value", "APT1"),
	"package child attribute": criterion("STIX_Package/*", core, "equals", "match_type",
		"case_sensitive_string", "value", "1.2"),
	"version not 1.1.1": criterion("STIX_Package/@version", core, "not_equals",
		"match_type", "case_sensitive_string", "value", "1.1.1"),
	"confidence high": criterion("**/Confidence/Value", core, "equals", "match_type",
		"case_insensitive_string", "value", "HIGH"),
	"mixed tree": criteria("OR",
		`<tdq:Criteria operator="AND">`+
			criterionXML(false, "**/Description", core, "contains", "value", "a")+
			criterionXML(true, "**/Indicator/@id", core, "exists")+
			`</tdq:Criteria>`,
		criterionXML(false, "**/Indicators/Indicator/**", core, "contains",
			"case_sensitive", "false", "value", "domain"),
		`<tdq:Criteria operator="AND">`+
			criterionXML(false, "**/@timestamp", stamp, "greater_than_or_equal",
				"value", "2015-01-01T00:00:00Z")+
			criterionXML(true, "STIX_Package/STIX_Header/Title", regex, "matches",
				"value", "^$")+
			`</tdq:Criteria>`),
}

// TestMatchSTIXDocuments evaluates every query over every STIX document of
// the test data and compares with the plain evaluator of reference_test.go.
// Each query must match some documents and not others, so that the
// comparison means something.
func TestMatchSTIXDocuments(t *testing.T) {
	docs := stixDocuments(t)
	refs := map[string][]refNode{}
	for name, data := range docs {
		nodes, err := refNodes(data)
		if err != nil {
			t.Fatalf("%s: encoding/xml: %v", name, err)
		}
		refs[name] = nodes
	}
	for qname, body := range stixQueries {
		t.Run(qname, func(t *testing.T) {
			q := mustParse(t, body)
			targets := refTargets(q)
			matched := 0
			for name, data := range docs {
				want := refMatch(q, refs[name], targets)
				if got := q.Match(data, true); got != want {
					t.Errorf("%s: got %t, want %t", name, got, want)
				}
				if want {
					matched++
				}
			}
			if matched == 0 || matched == len(docs) {
				t.Errorf("matched %d of %d documents: the query tells nothing apart",
					matched, len(docs))
			}
		})
	}
}

// TestMatchDecodedBlocks evaluates the queries over the content blocks of
// real TAXII messages as the protocol decoder hands them over (XML content
// carrying the namespace declarations it uses), against the reference.
func TestMatchDecodedBlocks(t *testing.T) {
	paths := []string{
		"../" + messagesDir + "stix-content/inbox_message.stix111.sample-use.xml",
		"../" + messagesDir + "stix-content/poll_response.stix111.file-hash-rep.xml",
		"../" + messagesDir + "stix-content/poll_response.stix111.sample-use.xml",
		"../../testdata/taxii11/libtaxii/libtaxii/test/input/1.1/Inbox_Message.xml",
	}
	var blocks []protocol.ContentBlock
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m, err := protocol.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch msg := m.(type) {
		case *protocol.InboxMessage:
			blocks = append(blocks, msg.ContentBlocks...)
		case *protocol.PollResponse:
			blocks = append(blocks, msg.ContentBlocks...)
		}
	}
	xmlBlocks := 0
	for qname, body := range stixQueries {
		q := mustParse(t, body)
		targets := refTargets(q)
		for i, b := range blocks {
			got := q.Match(b.Content, b.IsXML)
			if !b.IsXML {
				if got {
					t.Errorf("%s: block %d is not XML but matched", qname, i)
				}
				continue
			}
			xmlBlocks++
			nodes, err := refNodes(b.Content)
			if err != nil {
				t.Fatalf("block %d: %v", i, err)
			}
			if want := refMatch(q, nodes, targets); got != want {
				t.Errorf("%s: block %d: got %t, want %t", qname, i, got, want)
			}
		}
	}
	if xmlBlocks == 0 {
		t.Fatal("no XML content block decoded")
	}
}
