package protocol

import (
	"bytes"
	"unicode/utf8"
)

// Namespace names that are bound by XML itself.
const (
	namespaceXML   = "http://www.w3.org/XML/1998/namespace"
	namespaceXMLNS = "http://www.w3.org/2000/xmlns/"
)

// declare records the namespace declarations of the last start tag.
func (s *scanner) declare() error {
	for i := range s.attrs {
		a := &s.attrs[i]
		var prefix span
		switch {
		case a.colon < 0 && string(s.bytes(a.name)) == "xmlns":
			prefix = span{a.name.lo, a.name.lo}
		case a.colon >= 0 && string(s.buf[a.name.lo:a.colon]) == "xmlns":
			prefix = span{a.colon + 1, a.name.hi}
		default:
			continue
		}
		a.decl = true
		p := s.bytes(prefix)
		uri := s.attrValue(a)
		switch {
		case string(p) == "xmlns":
			return s.syntax(a.name.lo, "the xmlns prefix cannot be declared")
		case string(p) == "xml":
			if uri != namespaceXML {
				return s.syntax(a.name.lo, "the xml prefix cannot be rebound")
			}
			continue
		case uri == namespaceXML || uri == namespaceXMLNS:
			return s.syntax(a.name.lo, "a reserved namespace cannot be bound")
		case len(p) > 0 && uri == "":
			return s.syntax(a.name.lo, "a prefix cannot be undeclared")
		}
		s.push(binding{prefix: prefix, uri: a.value, plain: a.plain})
	}
	return nil
}

// resolve finds the bindings of the last start tag's prefixes.
func (s *scanner) resolve() error {
	ns, err := s.prefixNS(s.name, s.colon, true)
	if err != nil {
		return err
	}
	s.elemNS = ns
	for i := range s.attrs {
		a := &s.attrs[i]
		a.ns = nsNone
		if a.decl || a.colon < 0 {
			continue
		}
		if a.ns, err = s.prefixNS(a.name, a.colon, false); err != nil {
			return err
		}
	}
	return nil
}

// prefixNS returns the binding that a name's prefix refers to. An element
// without a prefix is in the default namespace; an attribute is in none.
func (s *scanner) prefixNS(name span, colon int, elem bool) (int, error) {
	var p []byte
	if colon >= 0 {
		p = s.buf[name.lo:colon]
	} else if !elem {
		return nsNone, nil
	}
	switch string(p) {
	case "xml":
		return nsXML, nil
	case "xmlns":
		return 0, s.syntax(name.lo, "the xmlns prefix cannot name an element")
	}
	i := s.lookup(p)
	if i < 0 && colon >= 0 {
		return 0, s.syntax(name.lo, "undeclared namespace prefix")
	}
	if i < 0 {
		return nsNone, nil
	}
	return i, nil
}

// lookup returns the innermost binding of prefix, or -1.
func (s *scanner) lookup(prefix []byte) int {
	if s.index != nil {
		if i, ok := s.index[string(prefix)]; ok {
			return i
		}
		return -1
	}
	for i := len(s.ns) - 1; i >= 0; i-- {
		p := s.ns[i].prefix
		if p.hi-p.lo == len(prefix) && bytes.Equal(s.buf[p.lo:p.hi], prefix) {
			return i
		}
	}
	return -1
}

func (s *scanner) push(b binding) {
	b.prev = -1
	if s.index != nil {
		k := string(s.bytes(b.prefix))
		if j, ok := s.index[k]; ok {
			b.prev = j
		}
		s.index[k] = len(s.ns)
	}
	s.ns = append(s.ns, b)
	if b.prefix.hi > b.prefix.lo {
		s.prefixed++
	}
	if s.index == nil && len(s.ns) > indexAbove {
		s.index = make(map[string]int, 2*len(s.ns))
		for i := range s.ns {
			k := string(s.bytes(s.ns[i].prefix))
			s.ns[i].prev = -1
			if j, ok := s.index[k]; ok {
				s.ns[i].prev = j
			}
			s.index[k] = i
		}
	}
}

// truncate drops the bindings from mark on.
func (s *scanner) truncate(mark int) {
	for i := len(s.ns) - 1; i >= mark; i-- {
		b := s.ns[i]
		if b.prefix.hi > b.prefix.lo {
			s.prefixed--
		}
		if s.index != nil {
			k := s.bytes(b.prefix)
			if b.prev >= 0 {
				s.index[string(k)] = b.prev
			} else {
				delete(s.index, string(k))
			}
		}
	}
	s.ns = s.ns[:mark]
}

// uri returns the namespace name of binding i, decoded.
func (s *scanner) uri(i int) string {
	if i < 0 {
		return ""
	}
	b := s.ns[i]
	if b.plain {
		return string(s.bytes(b.uri))
	}
	return string(appendAttrValue(nil, s.bytes(b.uri)))
}

// uriIs reports whether binding i names the namespace want.
func (s *scanner) uriIs(i int, want string) bool {
	if i < 0 {
		return false
	}
	b := s.ns[i]
	if b.plain {
		return string(s.bytes(b.uri)) == want
	}
	return s.uri(i) == want
}

// attrValue returns the normalised value of a.
func (s *scanner) attrValue(a *attr) string {
	if a.plain {
		return string(s.bytes(a.value))
	}
	return string(appendAttrValue(nil, s.bytes(a.value)))
}

// local returns the local part of the last start tag's name.
func (s *scanner) local() []byte {
	if s.colon >= 0 {
		return s.buf[s.colon+1 : s.name.hi]
	}
	return s.bytes(s.name)
}

// attrLocal returns the local part of an attribute name.
func (s *scanner) attrLocal(a *attr) []byte {
	if a.colon >= 0 {
		return s.buf[a.colon+1 : a.name.hi]
	}
	return s.bytes(a.name)
}

// textIsSpace reports whether the last text or CDATA token is white space.
func (s *scanner) textIsSpace() bool { return isAllSpace(s.bytes(s.text)) }

// scanDecl reads the XML declaration at the start of the document.
func (s *scanner) scanDecl() error {
	i, name, val, ok := s.pseudoAttr(len("<?xml"))
	if !ok || name != "version" {
		return s.syntax(0, "XML declaration without a version")
	}
	if val != "1.0" {
		return s.syntax(0, "XML version %q not supported", clip(val, 16))
	}
	if j, name, val, ok := s.pseudoAttr(i); ok && name == "encoding" {
		if !isEncName(val) {
			return s.syntax(i, "bad encoding name")
		}
		s.encoding, i = val, j
	}
	if j, name, val, ok := s.pseudoAttr(i); ok && name == "standalone" {
		if val != "yes" && val != "no" {
			return s.syntax(i, "bad standalone value")
		}
		i = j
	}
	for i < len(s.buf) && isSpace(s.buf[i]) {
		i++
	}
	if !bytes.HasPrefix(s.buf[i:], []byte("?>")) {
		return s.syntax(i, "bad XML declaration")
	}
	s.pos = i + 2
	return nil
}

// pseudoAttr reads ` name="value"` of the XML declaration at i.
func (s *scanner) pseudoAttr(i int) (int, string, string, bool) {
	b := s.buf
	j := i
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j == i {
		return i, "", "", false
	}
	start := j
	for j < len(b) && b[j] >= 'a' && b[j] <= 'z' {
		j++
	}
	name := string(b[start:j])
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j >= len(b) || b[j] != '=' {
		return i, "", "", false
	}
	j++
	for j < len(b) && isSpace(b[j]) {
		j++
	}
	if j >= len(b) || (b[j] != '"' && b[j] != '\'') {
		return i, "", "", false
	}
	end := bytes.IndexByte(b[j+1:], b[j])
	if end < 0 || end > 64 {
		return i, "", "", false
	}
	return j + end + 2, name, string(b[j+1 : j+1+end]), true
}

func isEncName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '-'
		if !ok {
			return false
		}
	}
	return true
}

func decodeRune(b []byte) (rune, int) { return utf8.DecodeRune(b) }

// isNameRune reports whether r may start (start) or continue an XML Name
// (XML 1.0 fifth edition, productions 4 and 4a).
func isNameRune(r rune, start bool) bool {
	switch {
	case r < 0x80:
		return r < 0x80 && (nameStartASCII[r] || !start && nameASCII[r])
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF, r == 0x200C, r == 0x200D,
		r >= 0x2070 && r <= 0x218F, r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD, r >= 0x10000 && r <= 0xEFFFF:
		return true
	case start:
		return false
	}
	return r == 0xB7 || r >= 0x300 && r <= 0x36F || r == 0x203F || r == 0x2040
}

// Byte classes of the scanner.
var (
	textOK         [256]bool // needs no check in character data
	attrOK         [256]bool // needs no check in an attribute value
	nameASCII      [128]bool // may continue a name
	nameStartASCII [128]bool // may start a name
)

func init() {
	for c := 0; c < 256; c++ {
		safe := c >= 0x20 && c != 0xEF || c == '\t' || c == '\n'
		textOK[c] = safe && c != '<' && c != '&' && c != ']'
		attrOK[c] = safe && c != '<' && c != '&' && c != '\t' && c != '\n'
	}
	textOK['\r'], attrOK['\r'] = false, false
	for c := 0; c < 128; c++ {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		nameStartASCII[c] = letter || c == '_' || c == ':'
		nameASCII[c] = nameStartASCII[c] || c >= '0' && c <= '9' || c == '-' || c == '.'
	}
}
