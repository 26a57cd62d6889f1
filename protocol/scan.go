package protocol

import (
	"bytes"
	"fmt"
)

// MaxDepth is the deepest element nesting Decode accepts, counting the
// message's root element.
const MaxDepth = 256

// tokKind is the kind of token the scanner returns.
type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
	tokCDATA
)

// span is a byte range of the scanner's buffer.
type span struct{ lo, hi int }

// Namespace indexes of an element or attribute that are not bindings.
const (
	nsNone = -1 // no namespace
	nsXML  = -2 // the predeclared xml prefix
)

// attr is one attribute of the last start tag.
type attr struct {
	name  span
	colon int  // offset of the colon in the name, or -1
	value span // raw value between the quotes
	plain bool // value holds no reference and no white space to normalise
	decl  bool // a namespace declaration
	ns    int  // binding of the prefix, nsNone or nsXML
}

// binding is one namespace declaration in scope.
type binding struct {
	prefix span // empty for the default namespace
	uri    span // raw value
	plain  bool // uri needs no decoding
	mark   int  // capture bookkeeping: serial of the element that needs it
	prev   int  // earlier binding of the same prefix, when indexed
}

// openElem is an element whose end tag is still to come.
type openElem struct {
	name span
	mark int // number of bindings before its own declarations
}

// scanner is a strict, namespace-aware XML 1.0 tokenizer over a UTF-8
// buffer. It refuses anything that is not well-formed: unbalanced tags,
// bad names and attribute syntax, duplicate attributes, references other
// than the five predefined entities and character references, any
// document type declaration, characters outside the XML character set,
// undeclared prefixes and nesting beyond MaxDepth. It never allocates per
// token; namespace lookups are linear over the few bindings in scope and
// switch to a map when many are declared, so no input makes it quadratic.
// The buffer must be valid UTF-8 (the caller checks).
type scanner struct {
	buf      []byte
	pos      int
	fragment bool // scanning element content, not a document
	root     bool // document: the root element has been seen

	stack    []openElem
	ns       []binding
	index    map[string]int // prefix to top binding, once ns is large
	prefixed int            // bindings in scope that have a prefix
	serial   int            // capture bookkeeping

	// The last token.
	tagStart   int
	name       span
	colon      int
	elemNS     int
	attrs      []attr
	pendingEnd bool
	text       span
	textPlain  bool
	encoding   string // encoding named by the XML declaration
}

const indexAbove = 48 // bindings in scope before lookups use a map

func newScanner(buf []byte, fragment bool) *scanner {
	s := &scanner{buf: buf, fragment: fragment}
	if fragment {
		s.stack = append(s.stack, openElem{mark: 0})
	}
	return s
}

// wellFormed checks a whole document, or with fragment set the content of
// an element, without keeping anything.
func wellFormed(b []byte, fragment bool) error {
	s := newScanner(b, fragment)
	for {
		tok, err := s.next()
		if err != nil || tok == tokEOF {
			return err
		}
	}
}

// errAt reports an error of kind sentinel at byte offset pos.
func (s *scanner) errAt(pos int, sentinel error, format string, args ...any) error {
	line := 1 + bytes.Count(s.buf[:min(pos, len(s.buf))], []byte{'\n'})
	return fmt.Errorf("%w: line %d: %s", sentinel, line, fmt.Sprintf(format, args...))
}

func (s *scanner) syntax(pos int, format string, args ...any) error {
	return s.errAt(pos, ErrSyntax, format, args...)
}

// depth returns the number of open elements.
func (s *scanner) depth() int { return len(s.stack) }

// next returns the next token. Comments and processing instructions are
// checked and skipped; a self-closing tag yields a start and an end.
func (s *scanner) next() (tokKind, error) {
	if s.pendingEnd {
		s.pendingEnd = false
		s.pop()
		return tokEnd, nil
	}
	for {
		if s.pos >= len(s.buf) {
			return s.eof()
		}
		if s.buf[s.pos] != '<' {
			return s.scanText()
		}
		if s.pos+1 >= len(s.buf) {
			return tokEOF, s.syntax(s.pos, "unexpected end of input")
		}
		switch s.buf[s.pos+1] {
		case '/':
			return s.scanEnd()
		case '?':
			if err := s.scanPI(); err != nil {
				return tokEOF, err
			}
		case '!':
			switch {
			case bytes.HasPrefix(s.buf[s.pos:], []byte("<!--")):
				if err := s.scanComment(); err != nil {
					return tokEOF, err
				}
			case bytes.HasPrefix(s.buf[s.pos:], []byte("<![CDATA[")):
				return s.scanCDATA()
			case bytes.HasPrefix(s.buf[s.pos:], []byte("<!DOCTYPE")),
				bytes.HasPrefix(s.buf[s.pos:], []byte("<!ENTITY")):
				return tokEOF, s.errAt(s.pos, ErrDoctype, "markup declaration found")
			default:
				return tokEOF, s.syntax(s.pos, "invalid markup after <!")
			}
		default:
			return s.scanStart()
		}
	}
}

func (s *scanner) eof() (tokKind, error) {
	switch {
	case s.fragment && len(s.stack) == 1:
		return tokEOF, nil
	case len(s.stack) > 0:
		return tokEOF, s.syntax(s.pos, "unexpected end of input inside an element")
	case !s.fragment && !s.root:
		return tokEOF, s.syntax(s.pos, "no root element")
	}
	return tokEOF, nil
}

// scanText reads character data up to the next '<'.
func (s *scanner) scanText() (tokKind, error) {
	b, i := s.buf, s.pos
	plain := true
	for i < len(b) {
		c := b[i]
		if textOK[c] {
			i++
			continue
		}
		switch c {
		case '<':
			return s.endText(i, plain)
		case '&':
			n, err := s.checkRef(i)
			if err != nil {
				return tokEOF, err
			}
			i += n
			plain = false
		case '\r':
			i++
			plain = false
		case ']':
			if bytes.HasPrefix(b[i:], []byte("]]>")) {
				return tokEOF, s.syntax(i, "]]> in character data")
			}
			i++
		case 0xEF:
			if err := s.checkEF(i); err != nil {
				return tokEOF, err
			}
			i++
		default:
			return tokEOF, s.syntax(i, "character U+%04X not allowed", c)
		}
	}
	return s.endText(i, plain)
}

func (s *scanner) endText(end int, plain bool) (tokKind, error) {
	s.text = span{s.pos, end}
	s.textPlain = plain
	if len(s.stack) == 0 && !isAllSpace(s.buf[s.pos:end]) {
		return tokEOF, s.syntax(s.pos, "text outside the root element")
	}
	s.pos = end
	if len(s.stack) == 0 {
		return s.next()
	}
	return tokText, nil
}

// scanStart reads a start tag, its attributes and namespace declarations.
func (s *scanner) scanStart() (tokKind, error) {
	if len(s.stack) == 0 && s.root {
		return tokEOF, s.syntax(s.pos, "a second root element")
	}
	s.tagStart = s.pos
	name, colon, err := s.scanQName(s.pos + 1)
	if err != nil {
		return tokEOF, err
	}
	s.name, s.colon = name, colon
	s.attrs = s.attrs[:0]
	i, empty, err := s.scanAttrs(name.hi)
	if err != nil {
		return tokEOF, err
	}
	if len(s.stack) >= MaxDepth {
		return tokEOF, s.errAt(s.tagStart, ErrDepth, "more than %d levels", MaxDepth)
	}
	if err := s.checkUnique(); err != nil {
		return tokEOF, err
	}
	s.stack = append(s.stack, openElem{name: name, mark: len(s.ns)})
	if err := s.declare(); err != nil {
		return tokEOF, err
	}
	if err := s.resolve(); err != nil {
		return tokEOF, err
	}
	s.pos = i
	s.root = true
	s.pendingEnd = empty
	return tokStart, nil
}

// scanAttrs reads the attributes after a start tag's name at i and returns
// the offset after the tag and whether it closed with "/>".
func (s *scanner) scanAttrs(i int) (int, bool, error) {
	b := s.buf
	for {
		sp := i
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) {
			return 0, false, s.syntax(i, "unterminated start tag")
		}
		switch b[i] {
		case '>':
			return i + 1, false, nil
		case '/':
			if i+1 < len(b) && b[i+1] == '>' {
				return i + 2, true, nil
			}
			return 0, false, s.syntax(i, "bad start tag")
		}
		if sp == i {
			return 0, false, s.syntax(i, "white space missing before an attribute")
		}
		var a attr
		var err error
		a.name, a.colon, err = s.scanQName(i)
		if err != nil {
			return 0, false, err
		}
		i = a.name.hi
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || b[i] != '=' {
			return 0, false, s.syntax(i, "attribute without a value")
		}
		i++
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		if i >= len(b) || (b[i] != '"' && b[i] != '\'') {
			return 0, false, s.syntax(i, "attribute value not quoted")
		}
		if i, err = s.scanValue(i, &a); err != nil {
			return 0, false, err
		}
		s.attrs = append(s.attrs, a)
	}
}

// scanValue reads the quoted attribute value at b[i].
func (s *scanner) scanValue(i int, a *attr) (int, error) {
	b := s.buf
	q := b[i]
	i++
	start := i
	plain := true
	for i < len(b) {
		c := b[i]
		if c == q {
			a.value, a.plain = span{start, i}, plain
			return i + 1, nil
		}
		if attrOK[c] {
			i++
			continue
		}
		switch c {
		case '<':
			return 0, s.syntax(i, "< in an attribute value")
		case '&':
			n, err := s.checkRef(i)
			if err != nil {
				return 0, err
			}
			i += n
			plain = false
		case '\t', '\n', '\r':
			i++
			plain = false
		case 0xEF:
			if err := s.checkEF(i); err != nil {
				return 0, err
			}
			i++
		default:
			return 0, s.syntax(i, "character U+%04X not allowed", c)
		}
	}
	return 0, s.syntax(i, "unterminated attribute value")
}

// checkUnique refuses two attributes with the same name in one tag.
func (s *scanner) checkUnique() error {
	as := s.attrs
	if len(as) <= 16 {
		for i := 1; i < len(as); i++ {
			for j := 0; j < i; j++ {
				if bytes.Equal(s.bytes(as[i].name), s.bytes(as[j].name)) {
					return s.syntax(as[i].name.lo, "attribute given twice")
				}
			}
		}
		return nil
	}
	seen := make(map[string]struct{}, len(as))
	for _, a := range as {
		k := string(s.bytes(a.name))
		if _, dup := seen[k]; dup {
			return s.syntax(a.name.lo, "attribute given twice")
		}
		seen[k] = struct{}{}
	}
	return nil
}

// scanEnd reads an end tag and closes the matching element.
func (s *scanner) scanEnd() (tokKind, error) {
	s.tagStart = s.pos
	name, _, err := s.scanQName(s.pos + 2)
	if err != nil {
		return tokEOF, err
	}
	i := name.hi
	for i < len(s.buf) && isSpace(s.buf[i]) {
		i++
	}
	if i >= len(s.buf) || s.buf[i] != '>' {
		return tokEOF, s.syntax(i, "bad end tag")
	}
	top := len(s.stack) - 1
	if top < 0 || (s.fragment && top == 0) {
		return tokEOF, s.syntax(s.pos, "end tag without a start tag")
	}
	if !bytes.Equal(s.bytes(name), s.bytes(s.stack[top].name)) {
		return tokEOF, s.syntax(s.pos, "end tag does not match the start tag")
	}
	s.pos = i + 1
	s.pop()
	return tokEnd, nil
}

// pop closes the innermost element and drops its declarations.
func (s *scanner) pop() {
	top := len(s.stack) - 1
	s.truncate(s.stack[top].mark)
	s.stack = s.stack[:top]
}

func (s *scanner) bytes(sp span) []byte { return s.buf[sp.lo:sp.hi] }

// scanName returns the length of the XML Name at i, or 0.
func (s *scanner) scanName(i int) int {
	b := s.buf
	start := i
	for i < len(b) {
		c := b[i]
		if c < 0x80 {
			if !nameASCII[c] || (i == start && !nameStartASCII[c]) {
				break
			}
			i++
			continue
		}
		r, n := decodeRune(b[i:])
		if !isNameRune(r, i == start) {
			break
		}
		i += n
	}
	return i - start
}

// scanQName reads a qualified name at i: an NCName, or two joined by one
// colon.
func (s *scanner) scanQName(i int) (span, int, error) {
	n := s.scanName(i)
	if n == 0 {
		return span{}, 0, s.syntax(i, "name expected")
	}
	name := span{i, i + n}
	c := bytes.IndexByte(s.bytes(name), ':')
	if c < 0 {
		return name, -1, nil
	}
	c += i
	if c == i || c == name.hi-1 || bytes.IndexByte(s.buf[c+1:name.hi], ':') >= 0 {
		return span{}, 0, s.syntax(i, "bad qualified name")
	}
	if !isNameStart(s.buf[c+1:]) {
		return span{}, 0, s.syntax(i, "bad qualified name")
	}
	return name, c, nil
}

func isNameStart(b []byte) bool {
	if b[0] < 0x80 {
		return nameStartASCII[b[0]]
	}
	r, _ := decodeRune(b)
	return isNameRune(r, true)
}
