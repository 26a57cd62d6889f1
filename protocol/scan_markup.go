package protocol

import "bytes"

// checkEF refuses the non-characters U+FFFE and U+FFFF, the only invalid
// XML characters that valid UTF-8 above U+007F can hold.
func (s *scanner) checkEF(i int) error {
	b := s.buf
	if i+2 < len(b) && b[i+1] == 0xBF && (b[i+2] == 0xBE || b[i+2] == 0xBF) {
		return s.syntax(i, "non-character U+FFF%X not allowed", b[i+2]-0xB0)
	}
	return nil
}

// checkRef checks the reference at b[i] == '&' and returns its length.
func (s *scanner) checkRef(i int) (int, error) {
	b := s.buf
	j := i + 1
	if j < len(b) && b[j] == '#' {
		r, n := parseCharRef(b[i:])
		if n == 0 || !isXMLChar(r) {
			return 0, s.syntax(i, "invalid character reference")
		}
		return n, nil
	}
	for j < len(b) && j-i < 8 && b[j] != ';' {
		j++
	}
	if j < len(b) && b[j] == ';' && predefined(b[i+1:j]) != 0 {
		return j + 1 - i, nil
	}
	return 0, s.syntax(i, "undefined entity reference")
}

// parseCharRef parses "&#NN;" or "&#xHH;" at the start of b and returns
// the character and the reference's length, or a length of 0.
func parseCharRef(b []byte) (rune, int) {
	i, base := 2, rune(10)
	if len(b) > i && b[i] == 'x' {
		i, base = 3, 16
	}
	start := i
	var r rune
	for ; i < len(b) && b[i] != ';'; i++ {
		d := hexVal(b[i])
		if d < 0 || d >= base || r > 0x10FFFF {
			return 0, 0
		}
		r = r*base + d
	}
	if i == start || i >= len(b) || r > 0x10FFFF {
		return 0, 0
	}
	return r, i + 1
}

func hexVal(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// predefined returns the character a predefined entity name stands for,
// or 0.
func predefined(name []byte) byte {
	switch string(name) {
	case "lt":
		return '<'
	case "gt":
		return '>'
	case "amp":
		return '&'
	case "apos":
		return '\''
	case "quot":
		return '"'
	}
	return 0
}

func isXMLChar(r rune) bool {
	switch {
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= 0x10FFFF
}

func isAllSpace(b []byte) bool {
	for _, c := range b {
		if !isSpace(c) {
			return false
		}
	}
	return true
}

// scanCDATA reads a CDATA section; its inner bytes become the text span.
func (s *scanner) scanCDATA() (tokKind, error) {
	if len(s.stack) == 0 {
		return tokEOF, s.syntax(s.pos, "CDATA section outside the root element")
	}
	start := s.pos + len("<![CDATA[")
	end, plain, err := s.scanUntil(start, "]]>")
	if err != nil {
		return tokEOF, err
	}
	s.text = span{start, end}
	s.textPlain = plain
	s.pos = end + 3
	return tokCDATA, nil
}

// scanUntil checks the characters from i up to the terminator and returns
// the terminator's offset and whether no carriage return was seen.
func (s *scanner) scanUntil(i int, term string) (int, bool, error) {
	b := s.buf
	plain := true
	for ; i < len(b); i++ {
		c := b[i]
		if c == term[0] && bytes.HasPrefix(b[i:], []byte(term)) {
			return i, plain, nil
		}
		if c < 0x20 {
			if c == '\r' {
				plain = false
			} else if c != '\n' && c != '\t' {
				return 0, false, s.syntax(i, "character U+%04X not allowed", c)
			}
		} else if c == 0xEF {
			if err := s.checkEF(i); err != nil {
				return 0, false, err
			}
		}
	}
	return 0, false, s.syntax(i, "unterminated markup, %q missing", term)
}

// scanComment skips a comment, refusing "--" inside it.
func (s *scanner) scanComment() error {
	start := s.pos + len("<!--")
	end, _, err := s.scanUntil(start, "--")
	if err != nil {
		return err
	}
	if end+2 >= len(s.buf) || s.buf[end+2] != '>' {
		return s.syntax(end, `"--" inside a comment`)
	}
	s.pos = end + 3
	return nil
}

// scanPI skips a processing instruction; the XML declaration is read only
// at the very start of a document.
func (s *scanner) scanPI() error {
	start := s.pos
	n := s.scanName(start + 2)
	if n == 0 {
		return s.syntax(start, "processing instruction without a target")
	}
	target := s.buf[start+2 : start+2+n]
	if bytes.IndexByte(target, ':') >= 0 {
		return s.syntax(start, "colon in a processing instruction target")
	}
	if len(target) == 3 && bytes.EqualFold(target, []byte("xml")) {
		if start != 0 || s.fragment {
			return s.syntax(start, "XML declaration not at the start of the document")
		}
		return s.scanDecl()
	}
	i := start + 2 + n
	if i < len(s.buf) && !isSpace(s.buf[i]) && !bytes.HasPrefix(s.buf[i:], []byte("?>")) {
		return s.syntax(i, "bad processing instruction")
	}
	end, _, err := s.scanUntil(i, "?>")
	if err != nil {
		return err
	}
	s.pos = end + 2
	return nil
}
