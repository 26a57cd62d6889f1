package protocol

import (
	"bytes"
	"unicode/utf8"
)

// capture describes the raw bytes of a mixed-content element (Content,
// Query, Extended_Header, Detail, Supported_Query) or of a whole element
// (ds:Signature), read by scanner.capture.
type capture struct {
	lo, hi      int  // the region: the inner bytes, or the element itself
	first, last int  // first top-level element's '<', last one's end; -1 if none
	outside     bool // non-white text before the first or after the last element
	inserts     []nsInsert
}

// nsInsert is a namespace declaration that a top-level element needs
// because its content uses a binding declared on an ancestor (XML-12). It
// copies the binding, which may be out of scope by the time the region is
// assembled (a declaration on the capturing element itself).
type nsInsert struct {
	at          int // offset just after the element's name
	prefix, uri span
	plain       bool
}

// capture reads the content of the element whose start tag was just
// returned, through its end tag. With self, the region is the element
// itself and the element is the one top-level element; otherwise the
// region is what lies between its tags.
func (s *scanner) capture(self bool, c *capture) error {
	depth0 := len(s.stack)
	base := len(s.ns)
	*c = capture{first: -1, last: -1, inserts: c.inserts[:0]}
	c.lo = s.pos
	at := -1
	if self {
		base = s.stack[depth0-1].mark
		c.lo = s.tagStart
		s.serial++
		at = s.name.hi
		s.account(c, base, at)
	} else if s.pendingEnd {
		c.hi = c.lo
		_, err := s.next()
		return err
	}
	leading, trailing := false, false
	for {
		tok, err := s.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokStart:
			if len(s.stack) == depth0+1 && !self {
				if c.first < 0 {
					c.first = s.tagStart
				}
				trailing = false
				s.serial++
				at = s.name.hi
			}
			s.account(c, base, at)
		case tokEnd:
			switch {
			case len(s.stack) == depth0 && !self:
				c.last = s.pos
			case len(s.stack) >= depth0:
			case self:
				c.hi = s.pos
				return nil
			default:
				c.hi = s.tagStart
				c.outside = leading || trailing
				return nil
			}
		case tokText, tokCDATA:
			if len(s.stack) != depth0 || self || s.textIsSpace() {
				continue
			}
			if c.first < 0 {
				leading = true
			} else {
				trailing = true
			}
		}
	}
}

// account records the ancestor bindings that the last start tag uses: its
// element and attribute prefixes, the default namespace, and prefixes of
// attribute values that look like qualified names (xsi:type="p:T").
func (s *scanner) account(c *capture, base, at int) {
	if i := s.elemNS; i >= 0 && i < base && s.ns[i].uri.hi > s.ns[i].uri.lo {
		s.need(c, i, at)
	}
	for k := range s.attrs {
		a := &s.attrs[k]
		if a.decl {
			continue
		}
		if a.ns >= 0 && a.ns < base {
			s.need(c, a.ns, at)
		}
		if s.prefixed == 0 {
			continue
		}
		if p := qnamePrefix(s.bytes(a.value)); p != nil {
			if i := s.lookup(p); i >= 0 && i < base {
				s.need(c, i, at)
			}
		}
	}
}

func (s *scanner) need(c *capture, i, at int) {
	if s.ns[i].mark == s.serial {
		return
	}
	s.ns[i].mark = s.serial
	b := &s.ns[i]
	c.inserts = append(c.inserts, nsInsert{at: at, prefix: b.prefix, uri: b.uri, plain: b.plain})
}

// qnamePrefix returns the prefix of a value of the form "prefix:local", or
// nil.
func qnamePrefix(v []byte) []byte {
	i := 0
	for i < len(v) && isSpace(v[i]) {
		i++
	}
	start := i
	for i < len(v) && v[i] < 0x80 && nameASCII[v[i]] && v[i] != ':' {
		i++
	}
	if i == start || i >= len(v) || v[i] != ':' || !nameStartASCII[v[start]] {
		return nil
	}
	return v[start:i]
}

// assemble copies buf[lo:hi] with the declarations of c.inserts added.
func (s *scanner) assemble(lo, hi int, c *capture) []byte {
	n := hi - lo
	for _, in := range c.inserts {
		n += 16 + in.prefix.hi - in.prefix.lo + 2*(in.uri.hi-in.uri.lo)
	}
	out := make([]byte, 0, n)
	prev := lo
	for _, in := range c.inserts {
		if in.at < lo || in.at > hi {
			continue
		}
		out = append(out, s.buf[prev:in.at]...)
		out = append(out, " xmlns"...)
		if p := s.bytes(in.prefix); len(p) > 0 {
			out = append(out, ':')
			out = append(out, p...)
		}
		out = append(out, `="`...)
		uri := s.bytes(in.uri)
		if !in.plain {
			uri = appendAttrValue(nil, uri)
		}
		out = appendEscaped(out, uri, true)
		out = append(out, '"')
		prev = in.at
	}
	return append(out, s.buf[prev:hi]...)
}

// appendAttrValue appends the normalised value of a checked raw attribute
// value: references replaced, each white-space character a space, a CR LF
// pair one space.
func appendAttrValue(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '&':
			var n int
			dst, n = appendRef(dst, raw[i:])
			i += n
		case '\r':
			dst = append(dst, ' ')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case '\t', '\n':
			dst = append(dst, ' ')
			i++
		default:
			j := i + 1
			for j < len(raw) && !attrSpecial(raw[j]) {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
		}
	}
	return dst
}

// appendRef appends the character of the checked reference at the start of
// b and returns the reference's length.
func appendRef(dst, b []byte) ([]byte, int) {
	if len(b) > 1 && b[1] == '#' {
		r, n := parseCharRef(b)
		return appendRune(dst, r), n
	}
	end := bytes.IndexByte(b, ';')
	return append(dst, predefined(b[1:end])), end + 1
}

// appendText appends the character data of checked XML content: text with
// references replaced and line ends normalised, CDATA sections as they
// are; tags, comments and processing instructions are left out, so the
// result is the content's string value.
func appendText(dst, raw []byte) []byte {
	for i := 0; i < len(raw); {
		switch raw[i] {
		case '<':
			i = skipMarkup(&dst, raw, i)
		case '&':
			var n int
			dst, n = appendRef(dst, raw[i:])
			i += n
		case '\r':
			dst = append(dst, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		default:
			j := i + 1
			for j < len(raw) && raw[j] != '<' && raw[j] != '&' && raw[j] != '\r' {
				j++
			}
			dst = append(dst, raw[i:j]...)
			i = j
		}
	}
	return dst
}

// skipMarkup handles the markup at raw[i] == '<' for appendText: a CDATA
// section's text is appended, anything else skipped.
func skipMarkup(dst *[]byte, raw []byte, i int) int {
	rest := raw[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		end := bytes.Index(rest, []byte("]]>"))
		*dst = appendNormalised(*dst, rest[len("<![CDATA["):end])
		return i + end + 3
	case bytes.HasPrefix(rest, []byte("<!--")):
		return i + bytes.Index(rest, []byte("-->")) + 3
	case bytes.HasPrefix(rest, []byte("<?")):
		return i + bytes.Index(rest, []byte("?>")) + 2
	}
	var q byte // skip a tag, minding quoted attribute values
	for j := 1; j < len(rest); j++ {
		switch c := rest[j]; {
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			return i + j + 1
		}
	}
	return len(raw)
}

// appendNormalised appends b with CR LF pairs and lone CRs made LF.
func appendNormalised(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(append(dst, b[:i]...), '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

// attrSpecial reports whether c needs attention in a raw attribute value.
func attrSpecial(c byte) bool { return c == '&' || c == '\r' || c == '\t' || c == '\n' }

func appendRune(dst []byte, r rune) []byte {
	var tmp [4]byte
	n := utf8.EncodeRune(tmp[:], r)
	return append(dst, tmp[:n]...)
}
