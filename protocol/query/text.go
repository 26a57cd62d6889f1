package query

import (
	"bytes"
	"unicode/utf8"
)

// appendText appends character data as XML reads it: entity and character
// references replaced, line ends (CR LF and lone CR) turned into LF. In an
// attribute value (attr true) every literal tab, CR and LF is then a space
// (attribute-value normalisation of XML 1.0 §3.3.3). A reference that is
// not one of the five predefined entities or a valid character reference is
// kept as written.
func appendText(dst, raw []byte, attr bool) []byte {
	for len(raw) > 0 {
		i := special(raw, attr)
		dst = append(dst, raw[:i]...)
		if i == len(raw) {
			break
		}
		c := raw[i]
		raw = raw[i+1:]
		switch c {
		case '&':
			dst, raw = appendReference(dst, raw)
			continue
		case '\r':
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
		}
		if attr {
			dst = append(dst, ' ')
		} else {
			dst = append(dst, '\n')
		}
	}
	return dst
}

// special returns the index of the first byte appendText must translate,
// or len(raw).
func special(raw []byte, attr bool) int {
	if !attr {
		amp, cr := bytes.IndexByte(raw, '&'), bytes.IndexByte(raw, '\r')
		switch {
		case amp < 0 && cr < 0:
			return len(raw)
		case amp < 0:
			return cr
		case cr < 0:
			return amp
		}
		return min(amp, cr)
	}
	for i, c := range raw {
		if c == '&' || c == '\r' || c == '\n' || c == '\t' {
			return i
		}
	}
	return len(raw)
}

// appendReference appends the character a reference stands for; raw
// follows the "&". It returns the input after the reference.
func appendReference(dst, raw []byte) ([]byte, []byte) {
	end := bytes.IndexByte(raw[:min(len(raw), 12)], ';')
	if end < 0 {
		return append(dst, '&'), raw
	}
	ref := raw[:end]
	var r rune
	switch string(ref) {
	case "lt":
		r = '<'
	case "gt":
		r = '>'
	case "amp":
		r = '&'
	case "apos":
		r = '\''
	case "quot":
		r = '"'
	default:
		r = charRef(ref)
	}
	if r < 0 {
		return append(dst, '&'), raw
	}
	return utf8.AppendRune(dst, r), raw[end+1:]
}

// charRef reads "#123" or "#x1F" as a character allowed in XML, or -1.
func charRef(ref []byte) rune {
	if len(ref) < 2 || ref[0] != '#' {
		return -1
	}
	base, ds := 10, ref[1:]
	if ds[0] == 'x' {
		base, ds = 16, ds[1:]
	}
	if len(ds) == 0 || len(ds) > 8 {
		return -1
	}
	var r rune
	for _, c := range ds {
		v := hexValue(c)
		if v < 0 || v >= base {
			return -1
		}
		r = r*rune(base) + rune(v)
	}
	if !isXMLChar(r) {
		return -1
	}
	return r
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// isXMLChar reports whether r is a Char of XML 1.0 (production 2).
func isXMLChar(r rune) bool {
	switch {
	case r == 0x9 || r == 0xA || r == 0xD:
		return true
	case r >= 0x20 && r <= 0xD7FF, r >= 0xE000 && r <= 0xFFFD:
		return true
	}
	return r >= 0x10000 && r <= 0x10FFFF
}

// trimSpace trims XML white space from both ends of v.
func trimSpace(v []byte) []byte {
	return bytes.Trim(v, xmlSpace)
}
