package protocol

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/ianaindex"
)

// toUTF8 returns the document in UTF-8 without a byte-order mark (case
// S07). The encoding is taken from a byte-order mark (UTF-8, UTF-16 LE or
// BE), from the first bytes of a UTF-16 document without one, or from the
// encoding named by the XML declaration; without any of these the
// document is UTF-8. Names are looked up in the IANA registry first, then
// among the WHATWG labels. The result is checked to be valid UTF-8, so the
// scanner can rely on it; it aliases data when no conversion was needed.
func toUTF8(data []byte) ([]byte, error) {
	var out []byte
	var err error
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		out = data[3:]
		err = declaredAs(out, "UTF-8")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		if out, err = fromUTF16(data[2:], false); err == nil {
			err = declaredAs(out, "UTF-16")
		}
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		if out, err = fromUTF16(data[2:], true); err == nil {
			err = declaredAs(out, "UTF-16")
		}
	case bytes.HasPrefix(data, []byte{'<', 0, '?', 0}):
		out, err = fromUTF16(data, false)
	case bytes.HasPrefix(data, []byte{0, '<', 0, '?'}):
		out, err = fromUTF16(data, true)
	default:
		out, err = fromDeclared(data)
	}
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(out) {
		return nil, fmt.Errorf("%w: invalid UTF-8", ErrEncoding)
	}
	return out, nil
}

// fromDeclared converts an ASCII-compatible document from the encoding its
// XML declaration names.
func fromDeclared(data []byte) ([]byte, error) {
	name := declaredEncoding(data)
	switch strings.ToLower(name) {
	case "", "utf-8", "utf8":
		return data, nil
	case "us-ascii", "ascii":
		for i, c := range data {
			if c >= 0x80 {
				return nil, fmt.Errorf("%w: byte %d is not ASCII", ErrEncoding, i)
			}
		}
		return data, nil
	case "utf-16", "utf-16le", "utf-16be":
		return nil, fmt.Errorf("%w: UTF-16 declared but the bytes are not UTF-16", ErrEncoding)
	}
	enc := lookupEncoding(name)
	if enc == nil {
		return nil, fmt.Errorf("%w: %q", ErrEncoding, clip(name, 40))
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrEncoding, clip(name, 40), err)
	}
	return out, nil
}

func lookupEncoding(name string) encoding.Encoding {
	if enc, err := ianaindex.IANA.Encoding(name); err == nil && enc != nil {
		return enc
	}
	enc, _ := charset.Lookup(name)
	return enc
}

// declaredEncoding returns the encoding named by the XML declaration at
// the start of an ASCII-compatible document, or "".
func declaredEncoding(data []byte) string {
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(data[:min(len(data), 512)], []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := data[:end]
	i := bytes.Index(decl, []byte("encoding"))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	j := bytes.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return ""
	}
	return string(rest[1 : 1+j])
}

// declaredAs refuses a declaration that contradicts the byte-order mark.
func declaredAs(utf8Doc []byte, family string) error {
	name := strings.ToUpper(declaredEncoding(utf8Doc))
	if name == "" || strings.HasPrefix(name, family) || family == "UTF-8" && name == "UTF8" {
		return nil
	}
	return fmt.Errorf("%w: byte-order mark says %s, declaration says %q",
		ErrEncoding, family, clip(name, 40))
}

// fromUTF16 converts UTF-16 to UTF-8, refusing an odd length and unpaired
// surrogates.
func fromUTF16(b []byte, bigEndian bool) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, fmt.Errorf("%w: odd number of bytes in UTF-16", ErrEncoding)
	}
	out := make([]byte, 0, len(b)/2+len(b)/8)
	unit := func(i int) rune {
		if bigEndian {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	for i := 0; i < len(b); i += 2 {
		r := unit(i)
		if utf16.IsSurrogate(r) {
			if r >= 0xDC00 || i+3 >= len(b) {
				return nil, fmt.Errorf("%w: unpaired surrogate in UTF-16", ErrEncoding)
			}
			r = utf16.DecodeRune(r, unit(i+2))
			if r == utf8.RuneError {
				return nil, fmt.Errorf("%w: unpaired surrogate in UTF-16", ErrEncoding)
			}
			i += 2
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}
