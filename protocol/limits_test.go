package protocol

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDecodeLinear checks that Decode's time grows linearly with inputs
// built to make a careless parser quadratic: many namespace declarations
// in scope with lookups of the oldest, one tag with many attributes, many
// content blocks under a root with many prefixes, many references. Four
// times the input may take at most eight times as long (a quadratic path
// takes about sixteen).
func TestDecodeLinear(t *testing.T) {
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
			small, large := decodeTime(t, tt.build(5000)), decodeTime(t, tt.build(20000))
			if large > 8*small && large > 20*time.Millisecond {
				t.Errorf("4x the input took %v instead of %v", large, small)
			}
		})
	}
}

const (
	inboxStart = `<t:Inbox_Message xmlns:t="` + NamespaceXML11 +
		`" message_id="m"><t:Content_Block>` +
		`<t:Content_Binding binding_id="b"/><t:Content>`
	inboxEnd = `</t:Content></t:Content_Block></t:Inbox_Message>`
)

// decodeTime returns the shortest of three decodes of doc, which must
// succeed.
func decodeTime(t *testing.T, doc string) time.Duration {
	t.Helper()
	best := time.Duration(1 << 62)
	for i := 0; i < 3; i++ {
		start := time.Now()
		if _, err := Decode([]byte(doc)); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	return best
}
