package protocol

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Decode parses one TAXII message in the XML Message Binding 1.1 or 1.0,
// in any character encoding that toUTF8 accepts, and checks it with
// Validate. Every error is a *StatusError of type BAD_MESSAGE whose
// InResponseTo is the message's message_id when it could be read (AMB-11)
// and which wraps one of the sentinel errors of this package. The
// returned message shares no memory with data. Decode is safe for
// concurrent use.
func Decode(data []byte) (Message, error) {
	d := &decoder{}
	m, err := d.decode(data)
	if err != nil {
		return nil, badMessage(err, d.msgID)
	}
	return m, nil
}

// badMessage wraps err in a BAD_MESSAGE *StatusError.
func badMessage(err error, inResponseTo string) *StatusError {
	var se *StatusError
	if errors.As(err, &se) {
		if se.InResponseTo == "" {
			se.InResponseTo = inResponseTo
		}
		return se
	}
	return &StatusError{
		Type:         StatusBadMessage,
		Message:      strings.TrimPrefix(err.Error(), "protocol: "),
		InResponseTo: inResponseTo,
		Err:          err,
	}
}

// nsKind says which namespace an element is in, as far as decoding cares.
type nsKind uint8

const (
	nsForeign nsKind = iota
	nsTAXII          // the namespace of the message being decoded
	nsDSig           // XML Signature
)

// slot is one element of a schema sequence.
type slot struct {
	name string
	ns   nsKind
	min  uint8
	max  uint8 // 0: unbounded
}

// Cardinalities of slots.
func opt(name string) slot  { return slot{name: name, ns: nsTAXII, max: 1} }
func one(name string) slot  { return slot{name: name, ns: nsTAXII, min: 1, max: 1} }
func many(name string) slot { return slot{name: name, ns: nsTAXII} }
func some(name string) slot { return slot{name: name, ns: nsTAXII, min: 1} }

var (
	slotExtendedHeaders = opt("Extended_Headers")
	slotSignature       = slot{name: "Signature", ns: nsDSig, max: 1}
)

// decoder reads one message. Its methods report errors that wrap the
// package's sentinels; Decode turns them into a *StatusError.
type decoder struct {
	s     *scanner
	v     Version
	taxii string // namespace of the message
	msgID string
	cap   capture
	buf   []byte // scratch for text
}

func (d *decoder) decode(data []byte) (Message, error) {
	doc, err := toUTF8(data)
	if err != nil {
		return nil, err
	}
	d.s = newScanner(doc, false)
	tok, err := d.s.next()
	if err != nil {
		return nil, err
	}
	if tok != tokStart {
		return nil, fmt.Errorf("%w: no root element", ErrSyntax)
	}
	m, err := d.root()
	if err != nil {
		return nil, err
	}
	if tok, err = d.s.next(); err != nil {
		return nil, err
	}
	if tok != tokEOF {
		return nil, fmt.Errorf("%w: content after the root element", ErrSyntax)
	}
	if err := validate(m); err != nil {
		return nil, err
	}
	return m, nil
}

// root reads the message's root element.
func (d *decoder) root() (Message, error) {
	switch {
	case d.s.uriIs(d.s.elemNS, NamespaceXML11):
		d.v, d.taxii = V11, NamespaceXML11
	case d.s.uriIs(d.s.elemNS, NamespaceXML10):
		d.v, d.taxii = V10, NamespaceXML10
	default:
		return nil, fmt.Errorf("%w: root element %q in namespace %q", ErrNotTAXII,
			clip(string(d.s.local()), 64), clip(d.s.uri(d.s.elemNS), 80))
	}
	for i := range d.s.attrs {
		a := &d.s.attrs[i]
		if a.colon < 0 && string(d.s.bytes(a.name)) == "message_id" {
			d.msgID = trimSpace(d.s.attrValue(a))
		}
	}
	name := string(d.s.local())
	var m Message
	var err error
	if d.v == V10 {
		m, err = d.message10(name)
	} else {
		m, err = d.message11(name)
	}
	if err != nil {
		return nil, err
	}
	m.Head().Version = d.v
	return m, nil
}

// schemaErr reports a structural error.
func schemaErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrSchema, fmt.Sprintf(format, args...))
}

// seq checks that the children of one element follow a schema sequence.
type seq struct {
	parent string
	slots  []slot
	i, n   int // current slot, elements seen in it
}

// accept checks the element just started and returns its slot index.
func (q *seq) accept(d *decoder) (int, error) {
	local := d.s.local()
	kind := d.kind()
	for j := q.i; j < len(q.slots); j++ {
		sl := q.slots[j]
		if sl.ns != kind || sl.name != string(local) {
			continue
		}
		if j != q.i {
			if err := q.checkMin(q.i, j); err != nil {
				return 0, err
			}
			q.i, q.n = j, 0
		}
		q.n++
		if sl.max != 0 && q.n > int(sl.max) {
			return 0, schemaErr("%s: %s given more than %d times", q.parent, sl.name, sl.max)
		}
		return j, nil
	}
	for j := 0; j < q.i; j++ {
		if q.slots[j].ns == kind && q.slots[j].name == string(local) {
			return 0, schemaErr("%s: %s out of order", q.parent, q.slots[j].name)
		}
	}
	return 0, schemaErr("%s: unexpected element %q", q.parent, clip(string(local), 64))
}

// checkMin checks the minimum counts of slots from through to-1.
func (q *seq) checkMin(from, to int) error {
	for k := from; k < to; k++ {
		seen := 0
		if k == q.i {
			seen = q.n
		}
		if seen < int(q.slots[k].min) {
			return schemaErr("%s: %s missing", q.parent, q.slots[k].name)
		}
	}
	return nil
}

// kind classifies the namespace of the element just started.
func (d *decoder) kind() nsKind {
	switch i := d.s.elemNS; {
	case d.s.uriIs(i, d.taxii):
		return nsTAXII
	case d.s.uriIs(i, NamespaceXMLDSig):
		return nsDSig
	}
	return nsForeign
}

// children reads the children of the element just started, checking them
// against slots and handing each to fn with its name. fn must read the
// child through its end tag.
func (d *decoder) children(parent string, slots []slot, fn func(name string) error) error {
	q := seq{parent: parent, slots: slots}
	for {
		tok, err := d.s.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEnd:
			return q.checkMin(q.i, len(q.slots))
		case tokText, tokCDATA:
			if !d.s.textIsSpace() {
				return schemaErr("%s: text not allowed", parent)
			}
		case tokStart:
			i, err := q.accept(d)
			if err != nil {
				return err
			}
			if err := fn(q.slots[i].name); err != nil {
				return err
			}
		}
	}
}

// noChildren reads an element that may hold nothing but white space.
func (d *decoder) noChildren(name string) error {
	return d.children(name, nil, func(string) error { return nil })
}

// errUnknownAttr is what an attrs callback returns for a name it does not
// know.
var errUnknownAttr = errors.New("unknown attribute")

// known turns a found flag into an attrs callback result.
func known(found bool) error {
	if found {
		return nil
	}
	return errUnknownAttr
}

// attrs hands each unqualified attribute of the element just started to
// fn. Namespace declarations and attributes of foreign namespaces are
// skipped; an attribute fn does not know (errUnknownAttr), or one in the
// TAXII namespace, is an error.
func (d *decoder) attrs(elem string, fn func(name, value string) error) error {
	for i := range d.s.attrs {
		a := &d.s.attrs[i]
		if a.decl {
			continue
		}
		if a.colon >= 0 {
			if d.s.uriIs(a.ns, d.taxii) {
				return schemaErr("%s: unexpected attribute %q", elem,
					clip(string(d.s.bytes(a.name)), 64))
			}
			continue
		}
		name := string(d.s.bytes(a.name))
		err := fn(name, d.s.attrValue(a))
		if err == errUnknownAttr {
			return schemaErr("%s: unexpected attribute %q", elem, clip(name, 64))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// text reads the character data of a simple-typed element through its end
// tag; child elements are refused.
func (d *decoder) text(elem string) (string, error) {
	d.buf = d.buf[:0]
	for {
		tok, err := d.s.next()
		if err != nil {
			return "", err
		}
		switch tok {
		case tokEnd:
			return string(d.buf), nil
		case tokText:
			if d.s.textPlain {
				d.buf = append(d.buf, d.s.bytes(d.s.text)...)
			} else {
				d.buf = appendText(d.buf, d.s.bytes(d.s.text))
			}
		case tokCDATA:
			d.buf = appendNormalised(d.buf, d.s.bytes(d.s.text))
		case tokStart:
			return "", schemaErr("%s: element %q not allowed", elem, clip(string(d.s.local()), 64))
		}
	}
}

// token reads a simple-typed element whose value is collapsed by its
// schema type (anyURI, enumerations, numbers): white space at either end
// is dropped (XML-9).
func (d *decoder) token(elem string) (string, error) {
	s, err := d.text(elem)
	return trimSpace(s), err
}

func (d *decoder) timestamp(elem string) (time.Time, error) {
	s, err := d.text(elem)
	if err != nil {
		return time.Time{}, err
	}
	t, err := ParseTimestamp(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", elem, err)
	}
	return t, nil
}

// raw reads a mixed-content element and returns its inner bytes with the
// namespace declarations its elements borrow from ancestors (XML-12).
func (d *decoder) raw() ([]byte, error) {
	if err := d.s.capture(false, &d.cap); err != nil {
		return nil, err
	}
	if d.cap.hi == d.cap.lo {
		return nil, nil
	}
	return d.s.assemble(d.cap.lo, d.cap.hi, &d.cap), nil
}

// signature reads a ds:Signature element as it is, with the namespace
// declarations it borrows from ancestors.
func (d *decoder) signature() ([]byte, error) {
	if err := d.s.capture(true, &d.cap); err != nil {
		return nil, err
	}
	return d.s.assemble(d.cap.lo, d.cap.hi, &d.cap), nil
}

// extendedHeaders reads an Extended_Headers element (MSG-2).
func (d *decoder) extendedHeaders(h *Header) error {
	return d.children("Extended_Headers", []slot{some("Extended_Header")}, func(string) error {
		var eh ExtendedHeader
		err := d.attrs("Extended_Header", func(name, v string) error {
			if name != "name" {
				return errUnknownAttr
			}
			eh.Name = trimSpace(v)
			return nil
		})
		if err != nil {
			return err
		}
		if eh.Name == "" {
			return schemaErr("Extended_Header: name missing")
		}
		if eh.Value, err = d.raw(); err != nil {
			return err
		}
		h.ExtendedHeaders = append(h.ExtendedHeaders, eh)
		return nil
	})
}

// boolean parses an xs:boolean (XML-10).
func boolean(elem, attr, s string) (bool, error) {
	switch trimSpace(s) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, schemaErr("%s: %s is not a boolean", elem, attr)
}

// positive parses an xs:positiveInteger. The type has no upper bound: a
// number past the int range becomes the largest int, a part number that
// no result reaches, which the service refuses as such.
func positive(elem, attr, s string) (int, error) {
	digits := strings.TrimPrefix(trimSpace(s), "+")
	if strings.Trim(digits, "0123456789") != "" || strings.Trim(digits, "0") == "" {
		return 0, schemaErr("%s: %s is not a positive integer", elem, attr)
	}
	n, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || n > uint64(maxInt) { // only too large, the digits being checked
		return maxInt, nil
	}
	return int(n), nil
}

const maxInt = int(^uint(0) >> 1)

// oneOf checks that an enumerated value is one of the allowed ones.
func oneOf(elem, attr, v string, allowed ...string) (string, error) {
	v = trimSpace(v)
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", schemaErr("%s: %s %q is not allowed", elem, attr, clip(v, 64))
}

// required reports a missing required attribute.
func required(elem string, attrs ...string) error {
	return schemaErr("%s: attribute %s missing", elem, strings.Join(attrs, ", "))
}
