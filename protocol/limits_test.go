package protocol

import (
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDecodeLinear checks that input built to make a careless parser
// quadratic decodes about as fast, per byte, as an ordinary message of the
// same size: many namespace declarations in scope with lookups of the
// oldest, one tag with many attributes, many content blocks under a root
// with many prefixes, many references. Such shapes may be a few times
// slower per byte (maps and caches); a quadratic path is hundreds of times
// slower at this size, so the bound is 50 times. Timing per byte against
// the same machine's ordinary throughput keeps the test independent of
// machine speed and of the race detector.
func TestDecodeLinear(t *testing.T) {
	const n = 32000
	tests := []struct {
		name  string
		build func(n int) string
	}{
		{"declarations in scope", func(n int) string {
			var b strings.Builder
			b.WriteString(inboxStart)
			b.WriteString(`<a`)
			for i := 0; i < n; i++ {
				b.WriteString(` xmlns:p` + strconv.Itoa(i) + `="urn:` + strconv.Itoa(i) + `"`)
			}
			b.WriteString(`>`)
			for i := 0; i < n; i++ {
				b.WriteString(`<p0:e p0:x="p0:v"/>`)
			}
			b.WriteString(`</a>` + inboxEnd)
			return b.String()
		}},
		{"attributes of one tag", func(n int) string {
			var b strings.Builder
			b.WriteString(inboxStart + `<a`)
			for i := 0; i < n; i++ {
				b.WriteString(` a` + strconv.Itoa(i) + `="v"`)
			}
			b.WriteString(`/>` + inboxEnd)
			return b.String()
		}},
		{"blocks under many prefixes", func(n int) string {
			var b strings.Builder
			b.WriteString(`<t:Inbox_Message xmlns:t="` + NamespaceXML11 + `" message_id="m"`)
			for i := 0; i < n/10; i++ {
				b.WriteString(` xmlns:q` + strconv.Itoa(i) + `="urn:` + strconv.Itoa(i) + `"`)
			}
			b.WriteString(`>`)
			for i := 0; i < n/10; i++ {
				b.WriteString(`<t:Content_Block><t:Content_Binding binding_id="b"/><t:Content>` +
					`<q0:e x="q1:v"/></t:Content></t:Content_Block>`)
			}
			b.WriteString(`</t:Inbox_Message>`)
			return b.String()
		}},
		{"references", func(n int) string {
			return inboxStart + strings.Repeat("&lt;&#x41;", n) + inboxEnd
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.build(n)
			hostile := perByte(t, doc)
			ordinary := perByte(t, ordinaryMessage(t, len(doc)))
			if hostile > 50*ordinary {
				t.Errorf("%.1f ns per byte, %.0f times an ordinary message's %.1f",
					hostile, hostile/ordinary, ordinary)
			}
		})
	}
}

// ordinaryMessage returns an Inbox_Message of STIX blocks of about size
// bytes.
func ordinaryMessage(t *testing.T, size int) string {
	t.Helper()
	doc := readFile(t, "../testdata/stix1/cti-stix-elevator/idioms-xml/"+benchDocs[0])
	blk, err := NewContentBlock(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	m := &InboxMessage{Header: Header{MessageID: "m"}}
	for total := 0; total < size; total += len(blk.Content) {
		m.ContentBlocks = append(m.ContentBlocks, blk)
	}
	out, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// perByte returns the nanoseconds Decode takes per byte of doc, the
// fastest of five runs after a garbage collection each; doc must decode.
func perByte(t *testing.T, doc string) float64 {
	t.Helper()
	best := time.Duration(1 << 62)
	for i := 0; i < 5; i++ {
		runtime.GC()
		start := time.Now()
		if _, err := Decode([]byte(doc)); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	return float64(best.Nanoseconds()) / float64(len(doc))
}

const (
	inboxStart = `<t:Inbox_Message xmlns:t="` + NamespaceXML11 +
		`" message_id="m"><t:Content_Block>` +
		`<t:Content_Binding binding_id="b"/><t:Content>`
	inboxEnd = `</t:Content></t:Content_Block></t:Inbox_Message>`
)
