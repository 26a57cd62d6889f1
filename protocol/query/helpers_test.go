package query

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// messageQueries returns the queries of a TAXII message file the way the
// protocol decoder hands them over: the format_id of each Query element and
// its tdq:Default_Query element, cut out byte for byte, with the namespace
// declarations of its ancestors added to its start tag.
func messageQueries(t *testing.T, path string) []protocol.Query {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := cutQueries(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return qs
}

func cutQueries(data []byte) ([]protocol.Query, error) {
	var formats []string
	format := ""
	bodies, err := cutElements(data, func(e xml.StartElement, _ string) bool {
		if e.Name.Local == "Query" && e.Name.Space != protocol.NamespaceDefaultQuery {
			format = attrValue(e, "format_id")
		}
		if e.Name.Local != "Default_Query" {
			return false
		}
		formats = append(formats, format)
		return true
	})
	qs := make([]protocol.Query, len(bodies))
	for i, b := range bodies {
		qs[i] = protocol.Query{FormatID: formats[i], Body: b}
	}
	return qs, err
}

// cutElements returns each element of data for which want, given its start
// tag and its parent's local name, is true: cut out byte for byte, with the
// namespace declarations of its ancestors added to its start tag.
func cutElements(data []byte, want func(e xml.StartElement, parent string) bool) ([][]byte,
	error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var (
		out     [][]byte
		scopes  [][]xml.Attr // namespace declarations per open element
		parents = []string{""}
	)
	for {
		offset := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if want(e, parents[len(parents)-1]) {
				elem, err := cutElement(d, data, offset, scopes, e)
				if err != nil {
					return nil, err
				}
				out = append(out, elem)
				continue
			}
			scopes = append(scopes, declarations(e))
			parents = append(parents, e.Name.Local)
		case xml.EndElement:
			scopes = scopes[:len(scopes)-1]
			parents = parents[:len(parents)-1]
		}
	}
}

// cutElement returns the element that starts at offset, whose start tag d
// just read, with the declarations of scopes it does not redeclare.
func cutElement(d *xml.Decoder, data []byte, offset int64, scopes [][]xml.Attr,
	e xml.StartElement) ([]byte, error) {
	if err := d.Skip(); err != nil {
		return nil, err
	}
	raw := data[offset:d.InputOffset()]
	own := map[string]bool{}
	for _, a := range declarations(e) {
		own[a.Name.Local] = true
	}
	var extra strings.Builder
	for i := len(scopes) - 1; i >= 0; i-- {
		for _, a := range scopes[i] {
			if own[a.Name.Local] {
				continue
			}
			own[a.Name.Local] = true
			name := "xmlns:" + a.Name.Local
			if a.Name.Local == "" {
				name = "xmlns"
			}
			fmt.Fprintf(&extra, " %s=%q", name, a.Value)
		}
	}
	nameEnd := bytes.IndexAny(raw, " \t\r\n/>")
	out := append([]byte(nil), raw[:nameEnd]...)
	out = append(out, extra.String()...)
	return append(out, raw[nameEnd:]...), nil
}

// declarations returns the namespace declarations of a start tag, the
// default one with an empty Local.
func declarations(e xml.StartElement) []xml.Attr {
	var ds []xml.Attr
	for _, a := range e.Attr {
		switch {
		case a.Name.Space == "xmlns":
			ds = append(ds, a)
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			ds = append(ds, xml.Attr{Value: a.Value})
		}
	}
	return ds
}

func attrValue(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// mustParse parses a query whose body is given as text.
func mustParse(t testing.TB, body string) *Query {
	t.Helper()
	q, err := Parse(protocol.Query{FormatID: protocol.QueryFormatDefault, Body: []byte(body)})
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, body)
	}
	return q
}

// statusOf returns the status type of a Parse error, "" for nil.
func statusOf(t *testing.T, err error) protocol.StatusType {
	t.Helper()
	if err == nil {
		return ""
	}
	var se *protocol.StatusError
	if !errors.As(err, &se) {
		t.Fatalf("error %v is not a *protocol.StatusError", err)
	}
	return se.Type
}

// criterion writes a one-criterion Default_Query over the STIX 1.1.1
// vocabulary; params alternate names and values.
func criterion(target, module, rel string, params ...string) string {
	return criteria("AND", criterionXML(false, target, module, rel, params...))
}

// criteria writes a Default_Query whose root Criteria holds kids.
func criteria(op string, kids ...string) string {
	return `<tdq:Default_Query xmlns:tdq="` + protocol.NamespaceDefaultQuery +
		`" targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">` +
		`<tdq:Criteria operator="` + op + `">` + strings.Join(kids, "") +
		`</tdq:Criteria></tdq:Default_Query>`
}

// criterionXML writes one tdq:Criterion.
func criterionXML(negate bool, target, module, rel string, params ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<tdq:Criterion negate="%t"><tdq:Target>%s</tdq:Target>`, negate,
		escapeText(target))
	fmt.Fprintf(&b, `<tdq:Test capability_id="%s" relationship="%s">`, module, rel)
	for i := 0; i+1 < len(params); i += 2 {
		fmt.Fprintf(&b, `<tdq:Parameter name="%s">%s</tdq:Parameter>`, params[i],
			escapeText(params[i+1]))
	}
	b.WriteString(`</tdq:Test></tdq:Criterion>`)
	return b.String()
}

// withNS adds namespace declarations to the Default_Query start tag of body.
func withNS(body, decls string) string {
	return strings.Replace(body, "<tdq:Default_Query ", "<tdq:Default_Query "+decls+" ", 1)
}

func escapeText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// Short names of the capability modules for tables.
const (
	core  = protocol.CapabilityCore
	regex = protocol.CapabilityRegex
	stamp = protocol.CapabilityTimestamp
)
