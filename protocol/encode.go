package protocol

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Prefixes the encoder gives the message namespaces.
const (
	prefix11 = "taxii_11"
	prefix10 = "taxii"
)

// flushAt is the buffered size at which Write hands bytes to its writer;
// larger payloads bypass the buffer.
const flushAt = 64 << 10

// Encode returns m in the XML Message Binding of m.Head().Version: UTF-8
// without a byte-order mark, with an XML declaration, the 1.1 namespace
// under the prefix taxii_11 (1.0: taxii), children in schema order and
// booleans as true or false. It checks m with Validate first and refuses
// strings that XML cannot carry. Errors wrap ErrInvalid or ErrUnencodable.
// Encode is safe for concurrent use; it does not modify m.
func Encode(m Message) ([]byte, error) {
	if err := checkForEncoding(m); err != nil {
		return nil, err
	}
	e := &encoder{buf: make([]byte, 0, estimate(m))}
	e.message(m)
	if e.err != nil {
		return nil, e.err
	}
	return e.buf, nil
}

// Write writes m to w as Encode does, streaming content blocks as it goes
// so that a large Poll_Response is never held twice in memory. Nothing is
// written when m fails Validate; after another error, what was written is
// incomplete.
func Write(w io.Writer, m Message) error {
	if err := checkForEncoding(m); err != nil {
		return err
	}
	buf := writeBuffers.Get().(*[]byte)
	e := &encoder{w: w, buf: (*buf)[:0]}
	e.message(m)
	e.flush()
	if cap(e.buf) <= 2*flushAt {
		*buf = e.buf[:0]
		writeBuffers.Put(buf)
	}
	return e.err
}

// writeBuffers holds Write's buffers: a busy server writes many answers,
// and a fresh buffer for each costs more than the answer.
var writeBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, flushAt)
	return &b
}}

// checkForEncoding runs Validate and unwraps its *StatusError: a message
// that cannot be sent is the sender's error, not a reply to send.
func checkForEncoding(m Message) error {
	if err := validate(m); err != nil {
		name := "message"
		if m != nil {
			name = string(m.Type())
		}
		return fmt.Errorf("protocol: encode %s: %w", name, err)
	}
	return nil
}

// estimate guesses the size of the encoded message.
func estimate(m Message) int {
	n := 1024
	var blocks []ContentBlock
	switch m := m.(type) {
	case *PollResponse:
		blocks = m.ContentBlocks
	case *InboxMessage:
		blocks = m.ContentBlocks
	}
	for i := range blocks {
		n += 320 + len(blocks[i].Content) + len(blocks[i].Content)/8 + len(blocks[i].Signature)
	}
	return n
}

// BlockSize returns the number of bytes Encode and Write give b in a
// message of version v, so that a server can cut a poll result into parts
// of bounded size before it encodes any. It is exact for content that can
// be encoded; a server that knows the length of XML content can leave
// Content nil and add that length, as XML content goes out byte for byte.
func BlockSize(v Version, b *ContentBlock) int {
	var n countingWriter
	e := &encoder{w: &n, v: v, pfx: prefix11 + ":", depth: 1}
	if v == V10 {
		e.pfx = prefix10 + ":"
	}
	e.contentBlock(b)
	return int(n) + len(e.buf)
}

// countingWriter counts what is written to it.
type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// encoder writes XML into buf, flushing to w when it has one.
type encoder struct {
	w     io.Writer
	buf   []byte
	err   error
	v     Version
	pfx   string // element prefix with its colon
	depth int
	// rootMark is the buffer length after the root's start tag; flushed
	// says whether bytes went to w since. Together they tell finish that
	// the root has no children and can be an empty element.
	rootMark int
	flushed  bool
}

func (e *encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// flush hands the buffer to the writer.
func (e *encoder) flush() {
	if e.w == nil || len(e.buf) == 0 || e.err != nil {
		return
	}
	if _, err := e.w.Write(e.buf); err != nil {
		e.fail(err)
	}
	e.buf = e.buf[:0]
	e.flushed = true
}

// bulk appends a large payload, bypassing the buffer when streaming.
func (e *encoder) bulk(b []byte) {
	if e.w == nil || len(b) < flushAt {
		e.buf = append(e.buf, b...)
		return
	}
	e.flush()
	if e.err != nil {
		return
	}
	if _, err := e.w.Write(b); err != nil {
		e.fail(err)
	}
}

func (e *encoder) indent() {
	e.buf = append(e.buf, '\n')
	for i := 0; i < e.depth; i++ {
		e.buf = append(e.buf, "  "...)
	}
}

// open starts the start tag of a TAXII element on a new line.
func (e *encoder) open(name string) {
	e.indent()
	e.buf = append(append(append(e.buf, '<'), e.pfx...), name...)
	e.depth++
}

// gt ends a start tag that has children or content.
func (e *encoder) gt() { e.buf = append(e.buf, '>') }

// closeEmpty ends a start tag as an empty element.
func (e *encoder) closeEmpty() {
	e.buf = append(e.buf, "/>"...)
	e.depth--
}

// end writes the end tag of an element whose children were indented.
func (e *encoder) end(name string) {
	e.depth--
	e.indent()
	e.closeTag(name)
}

// endInline writes the end tag right after the element's content.
func (e *encoder) endInline(name string) {
	e.depth--
	e.closeTag(name)
}

func (e *encoder) closeTag(name string) {
	e.buf = append(append(append(e.buf, "</"...), e.pfx...), name...)
	e.buf = append(e.buf, '>')
}

// escaped appends text or an attribute value, refusing what XML cannot
// carry.
func (e *encoder) escaped(field, s string, attr bool) {
	escapeInto(e, field, s, attr)
}

func escapeInto[T ~string | ~[]byte](e *encoder, field string, s T, attr bool) {
	var ok bool
	if e.buf, ok = appendEscapedChecked(e.buf, s, attr); !ok {
		e.fail(fmt.Errorf("%w: %s holds invalid UTF-8 or a character XML cannot carry",
			ErrUnencodable, field))
	}
}

func (e *encoder) attr(name, v string) {
	e.buf = append(append(append(e.buf, ' '), name...), `="`...)
	e.escaped(name, v, true)
	e.buf = append(e.buf, '"')
}

func (e *encoder) attrIf(name, v string) {
	if v != "" {
		e.attr(name, v)
	}
}

func (e *encoder) attrBool(name string, v bool) {
	if v {
		e.attr(name, "true")
	} else {
		e.attr(name, "false")
	}
}

// leaf writes an element holding text.
func (e *encoder) leaf(name, v string) {
	e.open(name)
	e.gt()
	e.escaped(name, v, false)
	e.endInline(name)
}

func (e *encoder) leafIf(name, v string) {
	if v != "" {
		e.leaf(name, v)
	}
}

func (e *encoder) leafTime(name string, t time.Time) {
	if t.IsZero() {
		return
	}
	e.open(name)
	e.gt()
	e.buf = appendTimestamp(e.buf, t)
	e.endInline(name)
}

// rawElement writes a complete foreign element, such as ds:Signature.
func (e *encoder) rawElement(b []byte) {
	if len(b) == 0 {
		return
	}
	e.indent()
	e.bulk(b)
}

// root opens the message's root element with the namespace declaration
// and the header attributes.
func (e *encoder) root(m Message) {
	h := m.Head()
	e.v = h.Version
	ns, p := NamespaceXML11, prefix11
	if e.v == V10 {
		ns, p = NamespaceXML10, prefix10
	}
	e.pfx = p + ":"
	e.buf = append(e.buf, `<?xml version="1.0" encoding="UTF-8"?>`...)
	e.open(rootName(m))
	e.buf = append(append(append(e.buf, " xmlns:"...), p...), `="`...)
	e.buf = append(append(e.buf, ns...), '"')
	e.attr("message_id", h.MessageID)
	e.attrIf("in_response_to", h.InResponseTo)
}

// rootName returns the root element's name in the message's binding.
func rootName(m Message) string {
	if m.Head().Version == V10 {
		switch m.Type() {
		case TypeCollectionInformationRequest:
			return "Feed_Information_Request"
		case TypeCollectionInformationResponse:
			return "Feed_Information_Response"
		}
	}
	return string(m.Type())
}

// headerFirst writes Extended_Headers, the first child of every message.
func (e *encoder) headerFirst(h *Header) {
	if len(h.ExtendedHeaders) == 0 {
		return
	}
	e.open("Extended_Headers")
	e.gt()
	for _, eh := range h.ExtendedHeaders {
		e.open("Extended_Header")
		e.attr("name", eh.Name)
		e.gt()
		e.bulk(eh.Value)
		e.endInline("Extended_Header")
	}
	e.end("Extended_Headers")
}

// finish writes the message's signature and end tag.
func (e *encoder) finish(m Message) {
	e.rawElement(m.Head().Signature)
	if !e.flushed && len(e.buf) == e.rootMark && e.rootMark > 0 {
		e.buf = append(e.buf[:e.rootMark-1], "/>"...)
		e.depth--
	} else {
		e.end(rootName(m))
	}
	e.buf = append(e.buf, '\n')
}

// message writes m in its binding.
func (e *encoder) message(m Message) {
	e.root(m)
	if e.v == V10 {
		e.message10(m)
	} else {
		e.message11(m)
	}
	if e.err == nil && e.depth != 0 {
		e.fail(errors.New("protocol: encoder left elements open"))
	}
}
