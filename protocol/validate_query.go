package protocol

import "fmt"

// checkDefaultQueryTimestamps refuses a Default Query whose Timestamp
// capability tests compare with a value that is not an RFC 3339 timestamp
// (QRY-22, AMB-6). Everything else about the query is the business of
// package protocol/query, which parses it.
func checkDefaultQueryTimestamps(body []byte) error {
	s := newScanner(body, true)
	test := -1 // depth of an open timestamp-1 Test element
	for {
		tok, err := s.next()
		if err != nil {
			return err
		}
		switch tok {
		case tokEOF:
			return nil
		case tokEnd:
			if s.depth() < test {
				test = -1
			}
		case tokStart:
			if !s.uriIs(s.elemNS, NamespaceDefaultQuery) {
				continue
			}
			switch string(s.local()) {
			case "Test":
				if trimSpace(plainAttr(s, "capability_id")) == CapabilityTimestamp {
					test = s.depth()
				}
			case "Parameter":
				if test < 0 || s.depth() != test+1 || trimSpace(plainAttr(s, "name")) != "value" {
					continue
				}
				v, err := elementText(s)
				if err != nil {
					return err
				}
				if _, err := ParseTimestamp(v); err != nil {
					return fmt.Errorf("timestamp test value: %w (QRY-22)", err)
				}
			}
		}
	}
}

// plainAttr returns the value of the unqualified attribute name of the
// last start tag, or "".
func plainAttr(s *scanner, name string) string {
	for i := range s.attrs {
		a := &s.attrs[i]
		if a.colon < 0 && !a.decl && string(s.bytes(a.name)) == name {
			return s.attrValue(a)
		}
	}
	return ""
}

// elementText reads the text of the element just started, through its end
// tag, child elements included.
func elementText(s *scanner) (string, error) {
	depth := s.depth()
	var b []byte
	for {
		tok, err := s.next()
		if err != nil {
			return "", err
		}
		switch tok {
		case tokText:
			b = appendText(b, s.bytes(s.text))
		case tokCDATA:
			b = appendNormalised(b, s.bytes(s.text))
		case tokEnd:
			if s.depth() < depth {
				return string(b), nil
			}
		}
	}
}
