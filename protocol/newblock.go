package protocol

import "fmt"

// NewContentBlock builds the content block a push sends for a document.
// The document's character encoding (byte-order mark or XML declaration)
// is decoded to UTF-8 and any byte-order mark dropped. A document that
// starts with '<' must be well-formed XML without a document type
// declaration; the block's Content is then its root element, byte for
// byte (the XML declaration and anything outside the root element is
// left out) and IsXML is true. Any other document is kept as text, IsXML
// false; it must be valid UTF-8 made of characters XML can carry.
//
// With bindingID empty the binding is recognised: STIX 1.x packages from
// their version attribute, CybOX Observables from their version
// attributes, STIX 2 JSON from spec_version (BindingSTIX20JSON or
// BindingSTIX21JSON); anything else is refused with ErrUnknownBinding,
// asking for the binding. Other errors wrap ErrEncoding, ErrSyntax,
// ErrDoctype, ErrDepth or ErrUnencodable. Encoding the block and decoding
// it again gives back the same Content. NewContentBlock is safe for
// concurrent use.
func NewContentBlock(doc []byte, bindingID string) (ContentBlock, error) {
	text, err := toUTF8(doc)
	if err != nil {
		return ContentBlock{}, err
	}
	i := 0
	for i < len(text) && isSpace(text[i]) {
		i++
	}
	var b ContentBlock
	var sniffed string
	if i < len(text) && text[i] == '<' {
		b.Content, sniffed, err = xmlContent(text, bindingID == "")
		b.IsXML = true
	} else {
		b.Content, err = textContent(text)
		if err == nil && bindingID == "" {
			sniffed, err = sniffJSON(text)
		}
	}
	if err != nil {
		return ContentBlock{}, err
	}
	b.Binding.BindingID = trimSpace(bindingID)
	if b.Binding.BindingID == "" {
		b.Binding.BindingID = sniffed
	}
	return b, nil
}

// xmlContent checks an XML document and returns a copy of its root element
// and, with sniff set, the binding recognised from the root.
func xmlContent(doc []byte, sniff bool) ([]byte, string, error) {
	s := newScanner(doc, false)
	start, end := -1, -1
	var binding string
	var sniffErr error
	for {
		tok, err := s.next()
		if err != nil {
			return nil, "", err
		}
		switch {
		case tok == tokEOF:
			if sniffErr != nil {
				return nil, "", sniffErr
			}
			return append([]byte(nil), doc[start:end]...), binding, nil
		case tok == tokStart && s.depth() == 1:
			start = s.tagStart
			if sniff {
				attr := func(name string) string { return plainAttr(s, name) }
				binding, sniffErr = sniffXML(string(s.local()), s.uri(s.elemNS), attr)
			}
		case tok == tokEnd && s.depth() == 0:
			end = s.pos
		}
	}
}

// textContent returns a copy of a text document, refusing characters that
// XML cannot carry.
func textContent(doc []byte) ([]byte, error) {
	if !xmlChars(doc) {
		return nil, fmt.Errorf("%w: the document holds a character XML cannot carry",
			ErrUnencodable)
	}
	return append([]byte(nil), doc...), nil
}
