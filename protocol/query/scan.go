package query

import "bytes"

// tokenKind is the kind of a token of the scanner.
type tokenKind uint8

const (
	tokEOF   tokenKind = iota
	tokText            // character data, entities still escaped
	tokCDATA           // the content of a CDATA section
	tokStart           // a start tag or an empty-element tag
	tokEnd             // an end tag
)

// scanner splits XML content into tokens without copying or allocating:
// every token is a slice of the input. It reads well-formed XML content as
// XML does, and it reads any other input to its end without failing, in
// time linear in the input: a construct left open runs to the end, a "<"
// that starts no construct is text. It checks nothing (names, nesting,
// entities): the content was checked when its message was decoded.
//
// Comments, processing instructions (the XML declaration too) and document
// type declarations produce no token.
type scanner struct {
	b   []byte
	pos int

	// The current token.
	name  []byte // tag name of tokStart and tokEnd, with its prefix
	attrs []byte // tokStart: the text between the name and ">" or "/>"
	empty bool   // tokStart: an empty-element tag ("/>")
	text  []byte // tokText and tokCDATA
}

// next reads the next token.
func (s *scanner) next() tokenKind {
	for s.pos < len(s.b) {
		b := s.b[s.pos:]
		if b[0] != '<' {
			end := bytes.IndexByte(b, '<')
			if end < 0 {
				end = len(b)
			}
			s.text = b[:end]
			s.pos += end
			return tokText
		}
		if len(b) == 1 {
			s.text = b
			s.pos++
			return tokText
		}
		switch b[1] {
		case '/':
			return s.endTag(b)
		case '?':
			s.skipPast(b, 2, "?>")
			continue
		case '!':
			if k, ok := s.bang(b); ok {
				return k
			}
			continue
		}
		return s.startTag(b)
	}
	return tokEOF
}

// bang reads what starts with "<!": a CDATA section is a token, a comment
// or a declaration is skipped (ok false).
func (s *scanner) bang(b []byte) (tokenKind, bool) {
	const cdataOpen, cdataClose = "<![CDATA[", "]]>"
	switch {
	case bytes.HasPrefix(b, []byte("<!--")):
		s.skipPast(b, 4, "-->")
	case bytes.HasPrefix(b, []byte(cdataOpen)):
		body := b[len(cdataOpen):]
		end := bytes.Index(body, []byte(cdataClose))
		if end < 0 {
			s.text = body
			s.pos = len(s.b)
		} else {
			s.text = body[:end]
			s.pos += len(cdataOpen) + end + len(cdataClose)
		}
		return tokCDATA, true
	default:
		s.skipDeclaration(b)
	}
	return 0, false
}

// skipPast moves past the first terminator at or after b[from:], or to the
// end of the input.
func (s *scanner) skipPast(b []byte, from int, terminator string) {
	i := bytes.Index(b[from:], []byte(terminator))
	if i < 0 {
		s.pos = len(s.b)
		return
	}
	s.pos += from + i + len(terminator)
}

// skipDeclaration moves past a declaration such as <!DOCTYPE ...>, whose
// internal subset in brackets and quoted literals may hold ">".
func (s *scanner) skipDeclaration(b []byte) {
	depth := 0
	var quote byte
	for i := 2; i < len(b); i++ {
		c := b[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case c == '>' && depth == 0:
			s.pos += i + 1
			return
		}
	}
	s.pos = len(s.b)
}

// endTag reads "</name>"; an end tag left open runs to the end of input.
func (s *scanner) endTag(b []byte) tokenKind {
	n := nameEnd(b, 2)
	s.name = b[2:n]
	end := bytes.IndexByte(b[n:], '>')
	if end < 0 {
		s.pos = len(s.b)
	} else {
		s.pos += n + end + 1
	}
	return tokEnd
}

// startTag reads "<name attributes>" or "<name attributes/>". A "<" not
// followed by a name is text; a tag left open ends the input.
func (s *scanner) startTag(b []byte) tokenKind {
	n := nameEnd(b, 1)
	if n == 1 {
		s.text = b[:1]
		s.pos++
		return tokText
	}
	end, ok := tagEnd(b, n)
	if !ok {
		s.pos = len(s.b)
		return tokEOF
	}
	s.name = b[1:n]
	s.empty = end > n && b[end-1] == '/'
	if s.empty {
		s.attrs = b[n : end-1]
	} else {
		s.attrs = b[n:end]
	}
	s.pos += end + 1
	return tokStart
}

// nameEnd returns the index of the first byte at or after i that ends a tag
// name: white space, "/", ">" or the end of b.
func nameEnd(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n', '/', '>':
			return i
		}
		i++
	}
	return i
}

// tagEnd returns the index of the ">" that closes a tag, skipping quoted
// attribute values, which may hold ">".
func tagEnd(b []byte, i int) (int, bool) {
	for i < len(b) {
		switch b[i] {
		case '>':
			return i, true
		case '"', '\'':
			j := bytes.IndexByte(b[i+1:], b[i])
			if j < 0 {
				return 0, false
			}
			i += j + 1
		}
		i++
	}
	return 0, false
}

// nextAttr reads the first attribute of r, the attribute text of a start
// tag, and returns its name, its raw value and the rest of r. ok is false
// when r holds no further attribute.
func nextAttr(r []byte) (name, value, rest []byte, ok bool) {
	i := skipSpace(r, 0)
	start := i
	for i < len(r) && !isSpace(r[i]) && r[i] != '=' {
		i++
	}
	name = r[start:i]
	i = skipSpace(r, i)
	if i >= len(r) || r[i] != '=' {
		return nil, nil, nil, false
	}
	i = skipSpace(r, i+1)
	if i >= len(r) || (r[i] != '"' && r[i] != '\'') {
		return nil, nil, nil, false
	}
	j := bytes.IndexByte(r[i+1:], r[i])
	if j < 0 {
		return nil, nil, nil, false
	}
	return name, r[i+1 : i+1+j], r[i+2+j:], true
}

// attrReader reads the attributes of a start tag one by one.
type attrReader struct {
	r []byte
}

// next returns the next attribute's name, split at its colon, and its raw
// value; ok is false after the last one.
func (a *attrReader) next() (prefix, local, raw []byte, ok bool) {
	name, raw, rest, ok := nextAttr(a.r)
	if !ok {
		return nil, nil, nil, false
	}
	a.r = rest
	prefix, local = splitName(name)
	return prefix, local, raw, true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// splitName splits a qualified name at its colon. A name that is not a
// qualified name (two colons, or one at either end) is all local name.
func splitName(qname []byte) (prefix, local []byte) {
	i := bytes.IndexByte(qname, ':')
	if i <= 0 || i == len(qname)-1 || bytes.IndexByte(qname[i+1:], ':') >= 0 {
		return nil, qname
	}
	return qname[:i], qname[i+1:]
}
