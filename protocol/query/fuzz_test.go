package query

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// fuzzSeeds returns content seeds: case S10's blocks and small edge cases.
func fuzzSeeds(f *testing.F) {
	f.Helper()
	paths, err := filepath.Glob(casesDir + "S10-default-query/fixture-*.xml")
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed blocks: %v", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{"", "<", "<a", "<a b='>", "</", "<!--", "<![CDATA[x",
		"<!DOCTYPE a [<!ENTITY e '>'>]><a/>", "<?xml", "<a:b:c/>", "<:a/>", "<a x='1'/><b>t</b>",
		"<R xmlns:s='urn:stix'><s:Title>x &amp; y</s:Title></R>", "<a>&#0;&#xD800;&bogus;&</a>"} {
		f.Add([]byte(s))
	}
}

// FuzzScanner checks that the scanner ends on any input, each token
// moving it forward.
func FuzzScanner(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		s := scanner{b: data}
		for steps := 0; ; steps++ {
			before := s.pos
			k := s.next()
			if k == tokEOF {
				return
			}
			if s.pos <= before || s.pos > len(data) {
				t.Fatalf("token %d at %d did not advance (now %d)", k, before, s.pos)
			}
			if steps > len(data) {
				t.Fatal("more tokens than bytes")
			}
			for r := s.attrs; k == tokStart; {
				_, _, rest, ok := nextAttr(r)
				if !ok {
					break
				}
				if len(rest) >= len(r) {
					t.Fatal("attribute reading did not advance")
				}
				r = rest
			}
		}
	})
}

// fuzzQueries are the queries of FuzzMatch: every kind of node and test.
var fuzzQueries = []string{
	criterion("**", core, "exists"),
	criterion("**/Title", core, "contains", "case_sensitive", "false", "value", "x"),
	criterion("R/*", core, "equals", "match_type", "case_sensitive_string", "value", "x"),
	criterion("**/@id", core, "begins_with", "value", "e"),
	criterion("a/**/b", core, "does_not_exist"),
	criterion("**/b/**", regex, "matches", "value", "^[a-z]+$"),
	criterion("**", core, "greater_than", "value", "0"),
	withNS(criterion("**/s:Title", core, "exists"), `xmlns:s="urn:stix"`),
	withNS(criterion("**/@s:id", core, "exists"), `xmlns:s="urn:stix"`),
	criteria("OR", criterionXML(true, "**/a", core, "exists"),
		criterionXML(false, "**", stamp, "less_than", "value", "2020-01-01T00:00:00Z")),
}

// FuzzMatch checks that evaluation never fails on any content and, on the
// content encoding/xml reads without error, agrees with the plain evaluator
// of reference_test.go.
func FuzzMatch(f *testing.F) {
	fuzzSeeds(f)
	var qs []*Query
	for _, body := range fuzzQueries {
		q, err := Parse(defaultQuery(body))
		if err != nil {
			f.Fatal(err)
		}
		qs = append(qs, q)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes, err := refNodes(data)
		comparable := err == nil && !undecidable(data) && refDepth(nodes) <= maxDepth
		for _, q := range qs {
			got := q.Match(data, true)
			if !comparable {
				continue
			}
			if want := refMatch(q, nodes, refTargets(q)); got != want {
				t.Errorf("%s: got %t, want %t", q.Canonical(), got, want)
			}
		}
	})
}

// undecidable reports content on which the reference cannot be compared:
// declarations other than comments and CDATA sections (encoding/xml reads
// document type declarations its own way), and character references,
// which encoding/xml does not tell apart from the characters they stand
// for in attribute values.
func undecidable(data []byte) bool {
	if bytes.Contains(data, []byte("&#")) {
		return true
	}
	for i := 0; ; {
		j := bytes.Index(data[i:], []byte("<!"))
		if j < 0 {
			return false
		}
		rest := data[i+j:]
		if !bytes.HasPrefix(rest, []byte("<!--")) && !bytes.HasPrefix(rest, []byte("<![CDATA[")) {
			return true
		}
		i += j + 2
	}
}

func refDepth(nodes []refNode) int {
	depth := 0
	for _, n := range nodes {
		depth = max(depth, len(n.path))
	}
	return depth
}

// FuzzParse checks that any query body is parsed or refused with a status
// error, never a panic, and that a parsed query evaluates.
func FuzzParse(f *testing.F) {
	for _, body := range append(fuzzQueries, benchQuery, titleAbsent) {
		f.Add([]byte(body))
	}
	content := []byte(`<R id="x"><Title>x</Title></R>`)
	f.Fuzz(func(t *testing.T, body []byte) {
		q, err := Parse(protocol.Query{FormatID: protocol.QueryFormatDefault, Body: body})
		if err != nil {
			statusOf(t, err)
			return
		}
		if q.Canonical() == "" {
			t.Error("empty canonical form")
		}
		q.Match(content, true)
	})
}
