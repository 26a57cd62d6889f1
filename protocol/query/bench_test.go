package query

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	benchBlocks    = 10_000
	benchBlockSize = 3500 // bytes a block is filled up to at least
)

var (
	benchOnce sync.Once
	benchData [][]byte
	benchErr  error
)

// indicatorBlocks returns benchBlocks STIX 1.x packages of about 4 KB, each
// a header (title, description, produced time, all varied) and indicators
// cut from the STIX documents of the test data, in rotating combinations.
func indicatorBlocks(tb testing.TB) [][]byte {
	tb.Helper()
	benchOnce.Do(func() {
		var indicators [][]byte
		indicators, benchErr = realIndicators(stixDocuments(tb))
		if benchErr == nil {
			benchData = makeBlocks(indicators)
		}
	})
	if benchErr != nil {
		tb.Fatal(benchErr)
	}
	return benchData
}

// realIndicators cuts every Indicator element out of the documents, each
// carrying the namespace declarations it needs, and keeps those under 2 KB.
func realIndicators(docs map[string][]byte) ([][]byte, error) {
	names := make([]string, 0, len(docs))
	for name := range docs {
		names = append(names, name)
	}
	sort.Strings(names)
	var out [][]byte
	for _, name := range names {
		found, err := cutIndicators(docs[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, ind := range found {
			if len(ind) < 2000 {
				out = append(out, ind)
			}
		}
	}
	if len(out) < 100 {
		return nil, fmt.Errorf("found %d indicators, want 100 at least", len(out))
	}
	return out, nil
}

func cutIndicators(data []byte) ([][]byte, error) {
	return cutElements(data, func(e xml.StartElement, parent string) bool {
		return e.Name.Local == "Indicator" && parent == "Indicators"
	})
}

var benchWords = []string{"phishing wave", "dropper", "MALWARE beacon", "scanner", "C2 server",
	"watering hole", "credential theft", "Malware loader", "botnet", "exfiltration"}

// makeBlocks builds the blocks from the indicators.
func makeBlocks(indicators [][]byte) [][]byte {
	blocks := make([][]byte, benchBlocks)
	base := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
	next := 0
	for i := range blocks {
		var b bytes.Buffer
		produced := base.Add(time.Duration(i) * 97 * time.Minute).Format(time.RFC3339)
		fmt.Fprintf(&b, `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" `+
			`xmlns:stixCommon="http://stix.mitre.org/common-1" `+
			`xmlns:cyboxCommon="http://cybox.mitre.org/common-2" `+
			`id="example:Package-%08x-0000-4000-8000-%012x" version="1.2" timestamp="%s">`,
			i, i*7919, produced)
		fmt.Fprintf(&b, "\n  <stix:STIX_Header>\n    <stix:Title>Block %d: %s</stix:Title>\n"+
			"    <stix:Description>Report %d on a %s seen by sensor %d.</stix:Description>\n"+
			"    <stix:Information_Source><stixCommon:Time><cyboxCommon:Produced_Time>%s"+
			"</cyboxCommon:Produced_Time></stixCommon:Time></stix:Information_Source>\n"+
			"  </stix:STIX_Header>\n  <stix:Indicators>\n",
			i, benchWords[i%len(benchWords)], i, benchWords[(i*3)%len(benchWords)], i%97,
			produced)
		for b.Len() < benchBlockSize {
			b.Write(indicators[next%len(indicators)])
			b.WriteString("\n")
			next++
		}
		b.WriteString("  </stix:Indicators>\n</stix:STIX_Package>\n")
		blocks[i] = b.Bytes()
	}
	return blocks
}

// benchQuery is the three-criterion query of the benchmark: (description
// contains "malware" and an indicator id begins with a known namespace) or
// the package was produced after mid-2014.
var benchQuery = criteria("OR",
	`<tdq:Criteria operator="AND">`+
		criterionXML(false, "**/Description", core, "contains",
			"case_sensitive", "false", "value", "malware")+
		criterionXML(false, "STIX_Package/Indicators/Indicator/@id", core, "begins_with",
			"value", "example:")+
		`</tdq:Criteria>`,
	criterionXML(false, "**/Information_Source/Time/Produced_Time", stamp, "greater_than",
		"value", "2014-06-01T00:00:00Z"))

// benchFullScan has the same targets and tests with values no block holds:
// its result is only known at the end of each block, so every byte is read.
var benchFullScan = criteria("OR",
	`<tdq:Criteria operator="AND">`+
		criterionXML(false, "**/Description", core, "contains",
			"case_sensitive", "false", "value", "no such words")+
		criterionXML(false, "STIX_Package/Indicators/Indicator/@id", core, "begins_with",
			"value", "nobody:")+
		`</tdq:Criteria>`,
	criterionXML(false, "**/Information_Source/Time/Produced_Time", stamp, "greater_than",
		"value", "2030-01-01T00:00:00Z"))

func BenchmarkMatch(b *testing.B) {
	benchmarkQuery(b, benchQuery)
}

func BenchmarkMatchFullScan(b *testing.B) {
	benchmarkQuery(b, benchFullScan)
}

// BenchmarkMatchQualified is the full-scan query with prefixed targets: the
// evaluator then tracks the namespace declarations of every element.
func BenchmarkMatchQualified(b *testing.B) {
	body := strings.NewReplacer("**/Description", "**/s:Description",
		"STIX_Package/Indicators/Indicator/@id", "s:STIX_Package/s:Indicators/s:Indicator/@id",
	).Replace(benchFullScan)
	benchmarkQuery(b, withNS(body, `xmlns:s="http://stix.mitre.org/stix-1"`))
}

// benchmarkQuery evaluates a query over every block per iteration.
func benchmarkQuery(b *testing.B, body string) {
	blocks := indicatorBlocks(b)
	q := mustParse(b, body)
	b.SetBytes(int64(totalSize(blocks)))
	b.ReportAllocs()
	matched := 0
	for b.Loop() {
		matched = 0
		for _, blk := range blocks {
			if q.Match(blk, true) {
				matched++
			}
		}
	}
	b.ReportMetric(float64(matched), "matches")
}

// BenchmarkEncodingXML is the baseline: only tokenizing the same blocks with
// encoding/xml.
func BenchmarkEncodingXML(b *testing.B) {
	blocks := indicatorBlocks(b)
	b.SetBytes(int64(totalSize(blocks)))
	b.ReportAllocs()
	for b.Loop() {
		for _, blk := range blocks {
			d := xml.NewDecoder(bytes.NewReader(blk))
			for {
				if _, err := d.RawToken(); err != nil {
					break
				}
			}
		}
	}
}

func totalSize(blocks [][]byte) int {
	n := 0
	for _, b := range blocks {
		n += len(b)
	}
	return n
}

// TestBenchmarkBlocks checks the blocks the benchmarks read: 10,000 blocks
// of about 4 KB, well-formed, on which the benchmark query matches some and
// not others.
func TestBenchmarkBlocks(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds 40 MB of blocks")
	}
	blocks := indicatorBlocks(t)
	avg := totalSize(blocks) / len(blocks)
	if len(blocks) != benchBlocks || avg < 3500 || avg > 5000 {
		t.Fatalf("%d blocks of %d bytes on average, want %d of about 4 KB", len(blocks), avg,
			benchBlocks)
	}
	q := mustParse(t, benchQuery)
	matched := 0
	for i, blk := range blocks {
		if i%100 == 0 {
			if _, err := refNodes(blk); err != nil {
				t.Fatalf("block %d is not well-formed: %v", i, err)
			}
		}
		if q.Match(blk, true) {
			matched++
		}
	}
	t.Logf("%d blocks, %d bytes on average, %d matched", len(blocks), avg, matched)
	if matched == 0 || matched == len(blocks) {
		t.Errorf("benchmark query matched %d of %d blocks", matched, len(blocks))
	}
}
