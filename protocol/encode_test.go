package protocol

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "testdata/golden"

func fixtureNames(ms map[string]Message) []string {
	names := make([]string, 0, len(ms))
	for name := range ms {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// TestEncodeGolden encodes one message of every type, with every optional
// field, in both bindings, compares the bytes with the golden files and
// decodes them back to the same message.
func TestEncodeGolden(t *testing.T) {
	ms := fullMessages()
	for _, name := range fixtureNames(ms) {
		t.Run(name, func(t *testing.T) {
			m := ms[name]
			got, err := Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(goldenDir, name+".xml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := readFile(t, path)
			if !bytes.Equal(got, want) {
				t.Errorf("encoding differs from %s at %s", path, diffLines(string(want),
					string(got)))
			}
			back, err := Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, m) {
				t.Errorf("golden file decodes to\n%#v\nwant\n%#v", back, m)
			}
		})
	}
}

// TestEncodeForm checks the outward form the binding asks for: UTF-8
// without a byte-order mark, an XML declaration, the taxii_11 prefix,
// booleans spelled true, and every element of the message in the TAXII
// namespace.
func TestEncodeForm(t *testing.T) {
	ms := fullMessages()
	for _, name := range fixtureNames(ms) {
		out, err := Encode(ms[name])
		if err != nil {
			t.Fatal(err)
		}
		prefix := "taxii_11"
		if strings.HasPrefix(name, "v10.") {
			prefix = "taxii"
		}
		if !bytes.HasPrefix(out,
			[]byte(`<?xml version="1.0" encoding="UTF-8"?>`+"\n<"+prefix+":")) {
			t.Errorf("%s: starts %q", name, out[:min(80, len(out))])
		}
		if regexp.MustCompile(`(available|more|allow_asynch|partial_count)="(1|0)"`).Match(out) {
			t.Errorf("%s: boolean written as 1 or 0", name)
		}
	}
}

func TestWriteMatchesEncode(t *testing.T) {
	big := make([]byte, 3*flushAt)
	for i := range big {
		big[i] = 'a' + byte(i%26)
	}
	ms := fullMessages()
	ms["large text"] = &InboxMessage{Header: Header{MessageID: "urn:uuid:x"},
		ContentBlocks: []ContentBlock{
			{Binding: ContentBinding{BindingID: "urn:example:text"}, Content: big},
			{Binding: ContentBinding{BindingID: "urn:example:xml"},
				Content: append(append([]byte("<a>"), big...),
					"</a>"...), IsXML: true},
		}}
	for _, name := range fixtureNames(ms) {
		want, err := Encode(ms[name])
		if err != nil {
			t.Fatal(err)
		}
		var w chunkWriter
		if err := Write(&w, ms[name]); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.Bytes(), want) {
			t.Errorf("%s: Write and Encode differ", name)
		}
	}
}

// chunkWriter records what it is given and how often.
type chunkWriter struct {
	bytes.Buffer
	writes int
	failAt int // fail on this write, when non-zero
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	w.writes++
	if w.failAt != 0 && w.writes >= w.failAt {
		return 0, errors.New("disk full")
	}
	return w.Buffer.Write(p)
}

func TestWriteErrors(t *testing.T) {
	m := fullMessages()["poll_response"]
	w := &chunkWriter{failAt: 1}
	if err := Write(w, m); err == nil || err.Error() != "disk full" {
		t.Errorf("failing writer: got %v", err)
	}
	bad := &PollResponse{Header: Header{MessageID: "1", InResponseTo: "2"}, CollectionName: "c",
		More: true}
	w = &chunkWriter{}
	err := Write(w, bad)
	if !errors.Is(err, ErrInvalid) || w.writes != 0 {
		t.Errorf("invalid message: got %v after %d writes, want ErrInvalid and nothing written",
			err, w.writes)
	}
	var se *StatusError
	if errors.As(err, &se) {
		t.Errorf("encode error is a *StatusError: a message that cannot be sent is no reply")
	}
}

func TestEncodeRefusesUnencodable(t *testing.T) {
	tests := []struct {
		name string
		m    Message
	}{
		{"control character in a message", &StatusMessage{Header: Header{MessageID: "1",
			InResponseTo: "2"},
			StatusType: StatusFailure, Message: "a\x00b"}},
		{"invalid UTF-8 in an attribute", &PollFulfillment{Header: Header{MessageID: "1"},
			CollectionName: "c\xff", ResultID: "r"}},
		{"non-character in text content", &InboxMessage{Header: Header{MessageID: "1"},
			ContentBlocks: []ContentBlock{{Binding: ContentBinding{BindingID: "b"},
				Content: []byte("\uFFFF")}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Encode(tt.m); !errors.Is(err, ErrUnencodable) {
				t.Errorf("got %v, want ErrUnencodable", err)
			}
		})
	}
}

func TestNewMessageID(t *testing.T) {
	uuid := regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-` +
		`4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		id := NewMessageID(V11)
		if !uuid.MatchString(id) || seen[id] {
			t.Fatalf("NewMessageID(V11) = %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
		if d := NewMessageID(V10); !allDigits(d) || seen[d] {
			t.Fatalf("NewMessageID(V10) = %q", d)
		}
	}
}

// TestEncodeDefaults checks what is written for absent or default values:
// no Status_Detail without details (MSG-21), and always a
// result_part_number on Poll_Fulfillment, absent meaning 1 (AMB-1).
func TestEncodeDefaults(t *testing.T) {
	out, err := Encode(&StatusMessage{Header: Header{MessageID: "1", InResponseTo: "2"},
		StatusType: StatusFailure})
	if err != nil || bytes.Contains(out, []byte("Status_Detail")) {
		t.Errorf("status without details: %v\n%s", err, out)
	}
	out, err = Encode(&PollFulfillment{Header: Header{MessageID: "1"}, CollectionName: "c",
		ResultID: "r"})
	if err != nil || !bytes.Contains(out, []byte(`result_part_number="1"`)) {
		t.Errorf("fulfillment without part number: %v\n%s", err, out)
	}
	m, err := Decode([]byte(`<Poll_Fulfillment ` + ns11 +
		` message_id="1" collection_name="c" result_id="r"/>`))
	if err != nil || m.(*PollFulfillment).ResultPartNumber != 1 {
		t.Errorf("absent part number decoded as %v (%v), want 1", m, err)
	}
}

// TestBlockSize: the size BlockSize gives each block is what the block adds
// to an encoded message, in both bindings, for XML and escaped text, small
// and past the streaming threshold.
func TestBlockSize(t *testing.T) {
	label := time.Date(2026, 12, 4, 10, 0, 0, 123456789, time.UTC)
	blocks := []ContentBlock{
		{Binding: ContentBinding{BindingID: BindingSTIX12}, IsXML: true, TimestampLabel: label,
			Content: []byte(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="x"/>`)},
		{Binding: ContentBinding{BindingID: "urn:stix.mitre.org:json:2.0"}, TimestampLabel: label,
			Content: []byte(`{"name": "a < b & c > d", "q": "\"x\""}`), Message: "a & b"},
		{Binding: ContentBinding{BindingID: BindingSTIX12, Subtypes: []string{"urn:x"}}, IsXML: true,
			Content: append(append([]byte("<a>"), bytes.Repeat([]byte("z"), 3*flushAt)...), "</a>"...)},
		{Binding: ContentBinding{BindingID: "urn:text"},
			Content: bytes.Repeat([]byte("<&>"), flushAt)},
	}
	for _, v := range []Version{V10, V11} {
		empty := &PollResponse{Header: Header{Version: v, MessageID: "1", InResponseTo: "2"},
			CollectionName: "default", RecordCount: &RecordCount{Count: 4}, InclusiveEnd: label}
		full := *empty
		full.ContentBlocks = blocks
		without, err := Encode(empty)
		if err != nil {
			t.Fatal(err)
		}
		var with bytes.Buffer
		if err := Write(&with, &full); err != nil {
			t.Fatal(err)
		}
		sum := 0
		for i := range blocks {
			sum += BlockSize(v, &blocks[i])
		}
		if got, want := sum, with.Len()-len(without); got != want {
			t.Errorf("version %v: blocks add %d bytes, BlockSize says %d", v, want, got)
		}
	}
}

// TestEscapedSize: the size EscapedSize gives is the length of the text as
// the encoder escapes it.
func TestEscapedSize(t *testing.T) {
	for _, text := range []string{"", "plain", `{"a": "x < y && y > z"}`, "line\r\nnext\ttab", "é ü 日本", "&&&&", "]]>"} {
		got, want := EscapedSize([]byte(text)), len(appendEscaped(nil, text, false))
		if got != want {
			t.Errorf("EscapedSize(%q) = %d, escaped it is %d bytes", text, got, want)
		}
	}
}
