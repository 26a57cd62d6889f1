package protocol

import "unicode/utf8"

// appendEscaped appends s escaped as XML character data, or as the value
// of a double-quoted attribute when attr is set. s must already be known
// to hold only XML characters.
func appendEscaped[T ~string | ~[]byte](dst []byte, s T, attr bool) []byte {
	dst, _ = appendEscapedChecked(dst, s, attr)
	return dst
}

// appendEscapedChecked appends s escaped like appendEscaped and reports
// false, after appending a prefix, when s holds invalid UTF-8 or a
// character that XML 1.0 cannot carry. Carriage returns, and in attribute
// values tabs and line feeds, become character references so that a
// parser gives them back unchanged.
func appendEscapedChecked[T ~string | ~[]byte](dst []byte, s T, attr bool) ([]byte, bool) {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && plainByte[c] && (c != '"' || !attr) {
			i++
			continue
		}
		var esc string
		size := 1
		switch c {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '"':
			esc = "&quot;"
		case '\r':
			esc = "&#xD;"
		case '\t':
			if !attr {
				i++
				continue
			}
			esc = "&#x9;"
		case '\n':
			if !attr {
				i++
				continue
			}
			esc = "&#xA;"
		default:
			r, n := decodeRuneIn(s, i)
			if r == utf8.RuneError && n <= 1 || !isXMLChar(r) {
				return append(dst, s[last:i]...), false
			}
			i += n
			continue
		}
		dst = append(append(dst, s[last:i]...), esc...)
		i += size
		last = i
	}
	return append(dst, s[last:]...), true
}

// EscapedSize returns the length of text content escaped as XML character
// data, as Encode writes it; it does not check that XML can carry the text.
func EscapedSize(text []byte) int {
	n := len(text)
	for _, c := range text {
		switch c {
		case '<', '>':
			n += len("&lt;") - 1
		case '&':
			n += len("&amp;") - 1
		case '\r':
			n += len("&#xD;") - 1
		}
	}
	return n
}

// plainByte marks ASCII bytes that are written as they are in text.
var plainByte = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '<' && c != '>' && c != '&'
	}
	return t
}()

// decodeRuneIn decodes the UTF-8 sequence at s[i], returning RuneError
// with size 1 for invalid input, like utf8.DecodeRune.
func decodeRuneIn[T ~string | ~[]byte](s T, i int) (rune, int) {
	c := s[i]
	var n int
	var r rune
	switch {
	case c < 0x80:
		return rune(c), 1
	case c&0xE0 == 0xC0:
		n, r = 2, rune(c&0x1F)
	case c&0xF0 == 0xE0:
		n, r = 3, rune(c&0x0F)
	case c&0xF8 == 0xF0:
		n, r = 4, rune(c&0x07)
	default:
		return utf8.RuneError, 1
	}
	if i+n > len(s) {
		return utf8.RuneError, 1
	}
	for k := 1; k < n; k++ {
		b := s[i+k]
		if b&0xC0 != 0x80 {
			return utf8.RuneError, 1
		}
		r = r<<6 | rune(b&0x3F)
	}
	if utf8.RuneLen(r) != n || r >= 0xD800 && r <= 0xDFFF {
		return utf8.RuneError, 1
	}
	return r, n
}

// xmlChars reports whether s is valid UTF-8 made only of characters XML
// 1.0 can carry.
func xmlChars[T ~string | ~[]byte](s T) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		r, n := decodeRuneIn(s, i)
		if r == utf8.RuneError && n <= 1 || !isXMLChar(r) {
			return false
		}
		i += n
	}
	return true
}
