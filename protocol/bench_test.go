package protocol

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"testing"
	"time"
)

// benchDocs are real STIX 1.x packages of about 4 KB each.
var benchDocs = []string{
	"account_indicator.xml", "file-hash-reputation-pattern.xml", "indicator-and-observable.xml",
	"issue-162.xml", "ttp-names-title-1.xml", "ttp-names-title-4.xml", "x509-observable.xml",
}

// benchPollResponse returns a Poll_Response with 1,000 content blocks of
// about 4 KB of STIX XML each, and its encoding.
func benchPollResponse(b *testing.B) (*PollResponse, []byte) {
	b.Helper()
	var blocks []ContentBlock
	for i := 0; i < 1000; i++ {
		doc, err := os.ReadFile("../testdata/stix1/cti-stix-elevator/idioms-xml/" +
			benchDocs[i%len(benchDocs)])
		if err != nil {
			b.Fatal(err)
		}
		blk, err := NewContentBlock(doc, "")
		if err != nil {
			b.Fatal(err)
		}
		blk.TimestampLabel = time.Date(2024, 1, 1, 0, 0, 0, 0,
			time.UTC).Add(time.Duration(i) * time.Microsecond)
		blocks = append(blocks, blk)
	}
	m := &PollResponse{
		Header:         Header{MessageID: NewMessageID(V11), InResponseTo: NewMessageID(V11)},
		CollectionName: "indicators", InclusiveEnd: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
		RecordCount: &RecordCount{Count: uint64(len(blocks))}, ContentBlocks: blocks,
	}
	data, err := Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	return m, data
}

// BenchmarkDecodePollResponse measures Decode (target: 60 MB/s on one
// core, go test -bench . -cpu 1).
func BenchmarkDecodePollResponse(b *testing.B) {
	_, data := benchPollResponse(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodePollResponse measures Encode (target: 300 MB/s on one
// core).
func BenchmarkEncodePollResponse(b *testing.B) {
	m, data := benchPollResponse(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWritePollResponse measures Write streaming to a writer.
func BenchmarkWritePollResponse(b *testing.B) {
	m, data := benchPollResponse(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodingXMLTokens is the reference: encoding/xml's tokenizer
// alone over the same message.
func BenchmarkEncodingXMLTokens(b *testing.B) {
	_, data := benchPollResponse(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := d.RawToken(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}
