package protocol

import (
	"bytes"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestCaseMessages decodes every TAXII message of the fault cases: the
// ones the node must refuse are refused with BAD_MESSAGE for the right
// reason, every other one decodes and re-encodes to the same message.
func TestCaseMessages(t *testing.T) {
	refused := map[string]error{
		"S01-poll-begin-after-end/poll-begin-after-end.xml":           ErrInvalid, // MSG-71
		"S01-poll-begin-after-end/poll-begin-equals-end.xml":          ErrInvalid, // AMB-22
		"S02-timestamp-without-zone/poll-no-zone.xml":                 ErrTimestamp,
		"S02-timestamp-without-zone/poll-date-only.xml":               ErrTimestamp,
		"S03-timestamp-precision/poll-no-seconds.xml":                 ErrTimestamp,
		"S06-xml-entities/inbox-entity-expansion.xml":                 ErrDoctype,
		"S06-xml-entities/inbox-external-dtd-http.xml":                ErrDoctype,
		"S06-xml-entities/inbox-external-entity-file.xml":             ErrDoctype,
		"S06-xml-entities/inbox-parameter-entity.xml":                 ErrDoctype,
		"S06-xml-entities/poll-query-with-entity.xml":                 ErrDoctype,
		"S07-encoding-declaration-and-bom/inbox-utf16le-bom.xml":      nil,
		"S09-taxii-10-vs-11/discovery-10.http":                        nil,
		"S13-content-binding-subtypes/collection-information-request": nil,
	}
	files := glob(t, casesDir+"/*/*.xml")
	files = append(files, glob(t, casesDir+"/*/*.http")...)
	seen := 0
	for _, f := range files {
		name := strings.TrimPrefix(filepath.ToSlash(f), casesDir+"/")
		t.Run(name, func(t *testing.T) {
			data := readFile(t, f)
			if strings.HasSuffix(f, ".http") {
				data = httpBody(data)
			}
			if strings.Contains(name, "/fixture-") {
				// A STIX package for the store, not a message.
				if _, err := Decode(data); !errors.Is(err, ErrNotTAXII) {
					t.Errorf("got %v, want ErrNotTAXII", err)
				}
				b, err := NewContentBlock(data, "")
				if err != nil || b.Binding.BindingID != BindingSTIX111 {
					t.Errorf("NewContentBlock: %v, %q", err, b.Binding.BindingID)
				}
				return
			}
			want, refuse := refused[name]
			if refuse && want != nil {
				seen++
				_, err := Decode(data)
				checkBadMessage(t, err, want, messageID(data))
				return
			}
			roundTrip(t, data)
		})
	}
	if seen != 10 {
		t.Errorf("%d refused files found, want 10", seen)
	}
}

// httpBody returns the body of a request or response written as text.
func httpBody(b []byte) []byte {
	if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
		return b[i+2:]
	}
	return b
}

// messageID returns the message_id a test file's root element carries when
// the refusal happens after it was read, "" for documents with a DOCTYPE.
func messageID(data []byte) string {
	if bytes.Contains(data, []byte("<!DOCTYPE")) {
		return ""
	}
	i := bytes.Index(data, []byte(`message_id="`))
	rest := data[i+len(`message_id="`):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// TestCaseS06 checks that documents with entities are refused fast and in
// little memory, and that nothing of the entities reaches the error.
func TestCaseS06(t *testing.T) {
	for _, f := range glob(t, casesDir+"/S06-xml-entities/*.xml") {
		data := readFile(t, f)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := Decode(data)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrDoctype) {
			t.Errorf("%s: %v, want ErrDoctype", f, err)
		}
		if elapsed > 100*time.Millisecond {
			t.Errorf("%s: refused after %v", f, elapsed)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("%s: %d bytes allocated", f, alloc)
		}
		if strings.Contains(err.Error(), "lol") || strings.Contains(err.Error(), "xxe") {
			t.Errorf("%s: error %q repeats the document", f, err)
		}
	}
}

// TestCaseS07 checks that the five encodings of one message give the same
// message, in UTF-8, without a byte-order mark or a declaration in the
// content.
func TestCaseS07(t *testing.T) {
	var first []byte
	for _, f := range glob(t, casesDir+"/S07-encoding-declaration-and-bom/*.xml") {
		m, err := Decode(readFile(t, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		c := m.(*InboxMessage).ContentBlocks[0].Content
		if !bytes.Contains(c, []byte("<stix:Title>Café watchlist</stix:Title>")) {
			t.Errorf("%s: title not Café watchlist in %q", f, c[:200])
		}
		if bytes.Contains(c, []byte("\xEF\xBB\xBF")) || bytes.Contains(c, []byte("<?xml")) {
			t.Errorf("%s: byte-order mark or declaration in the content", f)
		}
		if first == nil {
			first = c
		} else if !bytes.Equal(c, first) {
			t.Errorf("%s: content differs from the other encodings", f)
		}
		out, err := Encode(m)
		if err != nil || bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) {
			t.Errorf("%s: encoded with a byte-order mark or failed: %v", f, err)
		}
	}
}

// TestCaseS08 checks that multi-byte characters come through code point
// for code point: the content is exactly the package as written.
func TestCaseS08(t *testing.T) {
	data := readFile(t, casesDir+"/S08-multibyte-characters/inbox-multibyte.xml")
	m, out := roundTrip(t, data)
	want := between(data, "<stix:STIX_Package", "</stix:STIX_Package>")
	got := m.(*InboxMessage).ContentBlocks[0].Content
	if !bytes.Equal(got, want) {
		t.Errorf("content changed:\n%s\nwant\n%s", got, want)
	}
	if !bytes.Contains(out, want) {
		t.Errorf("encoding does not carry the package unchanged")
	}
}

// between returns the part of b from the first from to the end of the last
// to.
func between(b []byte, from, to string) []byte {
	i := bytes.Index(b, []byte(from))
	j := bytes.LastIndex(b, []byte(to)) + len(to)
	return b[i:j]
}

// TestCaseS12 checks the four forms of content: an XML child kept byte for
// byte, escaped text and CDATA unescaped once to the same STIX text, and
// JSON kept as it is with its binding.
func TestCaseS12(t *testing.T) {
	dir := casesDir + "/S12-content-round-trip/"
	block := func(file string) ContentBlock {
		t.Helper()
		m, _ := roundTrip(t, readFile(t, dir+file))
		return m.(*InboxMessage).ContentBlocks[0]
	}
	child := block("inbox-xml-child.xml")
	if !child.IsXML || !bytes.Equal(child.Content, between(readFile(t, dir+"inbox-xml-child.xml"),
		"<stix:STIX_Package", "</stix:STIX_Package>")) {
		t.Errorf("XML child not kept byte for byte")
	}
	for _, f := range []string{"inbox-escaped-text.xml", "inbox-cdata.xml"} {
		b := block(f)
		if b.IsXML {
			t.Errorf("%s: IsXML", f)
		}
		if got := bytes.TrimSpace(b.Content); !bytes.Equal(got, child.Content) {
			t.Errorf("%s: unescaped text differs from the package:\n%s", f, got)
		}
	}
	j := block("inbox-non-xml-binding.xml")
	jsonStart := []byte(`{"type": "bundle", "id": "bundle--0f4a7c1e`)
	if j.IsXML || j.Binding.BindingID != "urn:example:stix:json:2.1" ||
		!bytes.HasPrefix(bytes.TrimSpace(j.Content), jsonStart) {
		t.Errorf("JSON block changed: %q %q", j.Binding.BindingID, j.Content)
	}
}

// TestCaseS09 checks that the version of a body is decided by its
// namespace alone (V10-1).
func TestCaseS09(t *testing.T) {
	tests := []struct {
		file string
		want Version
	}{
		{"discovery-10.http", V10},
		{"header-10-body-11.http", V11},
		{"header-11-body-10.http", V10},
		{"response-11-for-10-client.http", V11},
	}
	for _, tt := range tests {
		m, err := Decode(httpBody(readFile(t, casesDir+"/S09-taxii-10-vs-11/"+tt.file)))
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if m.Head().Version != tt.want {
			t.Errorf("%s: version %d, want %d", tt.file, m.Head().Version, tt.want)
		}
	}
}

// TestContentWhitespace checks that text content keeps its white space and
// line breaks exactly, as S/MIME needs (CB-6, XML-12).
func TestContentWhitespace(t *testing.T) {
	data := readFile(t, specDir+"/inbox_message.nested-bindings.xml")
	m, _ := roundTrip(t, data)
	want := between(data, "MIME-Version:", "bCBkYXRh\n")
	if got := m.(*InboxMessage).ContentBlocks[1].Content; !bytes.Equal(got, want) {
		t.Errorf("S/MIME content\n%q\nwant\n%q", got, want)
	}
}
