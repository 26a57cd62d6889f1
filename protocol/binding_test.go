package protocol

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io/fs"

	"path/filepath"
	"strings"
	"testing"
)

// casesDir holds the fault cases of other TAXII software.
const casesDir = "../testdata/cases"

func TestBindingAccepted(t *testing.T) {
	stix := ContentBinding{BindingID: BindingSTIX111}
	indicators := ContentBinding{BindingID: BindingSTIX111,
		Subtypes: []string{"urn:example:subtype:indicators"}}
	reports := ContentBinding{BindingID: BindingSTIX111,
		Subtypes: []string{"urn:example:subtype:reports"}}
	enc := ContentBinding{BindingID: BindingXMLEnc}
	tests := []struct {
		name     string
		accepted []ContentBinding
		block    ContentBinding
		want     bool
	}{
		{"empty list accepts all", nil, reports, true},
		{"no subtype listed accepts any subtype (CB-3)", []ContentBinding{stix}, reports, true},
		{"no subtype listed accepts none", []ContentBinding{stix}, stix, true},
		{"listed subtype", []ContentBinding{indicators}, indicators, true},
		{"other subtype refused", []ContentBinding{indicators}, reports, false},
		{"no claim refused where subtypes are listed", []ContentBinding{indicators}, stix, false},
		{"other binding", []ContentBinding{stix}, ContentBinding{BindingID: BindingSTIX12}, false},
		{"second entry of the binding", []ContentBinding{indicators, stix}, reports, true},
		{"white space trimmed (AMB-28)", []ContentBinding{{BindingID: " " + BindingSTIX111 + "\n"}},
			stix, true},
		{"case matters (AMB-28)", []ContentBinding{{BindingID: strings.ToUpper(BindingSTIX111)}},
			stix, false},
		{"S/MIME aliases (AMB-30)", []ContentBinding{{BindingID: BindingSMIME}},
			ContentBinding{BindingID: "application/x-pkcs7-mime"}, true},
		{"nesting, all layers listed (CB-5)", []ContentBinding{stix, enc},
			ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111}, true},
		{"nesting, repeated layer", []ContentBinding{stix, enc},
			ContentBinding{BindingID: BindingXMLEnc + "|" + BindingXMLEnc + "|" + BindingSTIX111},
			true},
		{"nesting, inner layer not listed", []ContentBinding{enc},
			ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111}, false},
		{"nesting, outer layer not listed", []ContentBinding{stix},
			ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111}, false},
		{"nesting with a subtype (CB-4)", []ContentBinding{stix, enc},
			ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111,
				Subtypes: []string{"x"}}, false},
		{"nesting, layer restricted to subtypes", []ContentBinding{indicators, enc},
			ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111}, false},
		{"nesting, empty layer", []ContentBinding{stix}, ContentBinding{BindingID: BindingSTIX111 +
			"|"}, false},
		{"empty binding", []ContentBinding{stix}, ContentBinding{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := BindingAccepted(tt.accepted, tt.block); got != tt.want {
				t.Errorf("BindingAccepted(%v, %v) = %v, want %v", tt.accepted, tt.block, got,
					tt.want)
			}
		})
	}
}

// TestBindingAcceptedCaseS13 plays case S13 with the blocks and polls of
// its files: collection-a accepts STIX 1.1.1 of one subtype, collection-b
// STIX 1.1.1 of any subtype (fixture.md).
func TestBindingAcceptedCaseS13(t *testing.T) {
	dir := casesDir + "/S13-content-binding-subtypes/"
	collectionA := []ContentBinding{{BindingID: BindingSTIX111,
		Subtypes: []string{"urn:example:subtype:indicators"}}}
	collectionB := []ContentBinding{{BindingID: BindingSTIX111}}
	block := func(file string) ContentBinding {
		t.Helper()
		m, err := Decode(readFile(t, dir+file))
		if err != nil {
			t.Fatal(err)
		}
		return m.(*InboxMessage).ContentBlocks[0].Binding
	}
	stored := map[string]bool{
		"inbox-subtype-accepted.xml": BindingAccepted(collectionA,
			block("inbox-subtype-accepted.xml")),
		"inbox-subtype-rejected.xml": BindingAccepted(collectionA,
			block("inbox-subtype-rejected.xml")),
		"inbox-subtype-any.xml": BindingAccepted(collectionB, block("inbox-subtype-any.xml")),
		"inbox-no-subtype.xml":  BindingAccepted(collectionB, block("inbox-no-subtype.xml")),
	}
	want := map[string]bool{
		"inbox-subtype-accepted.xml": true, "inbox-subtype-rejected.xml": false,
		"inbox-subtype-any.xml": true, "inbox-no-subtype.xml": true,
	}
	for f, w := range want {
		if stored[f] != w {
			t.Errorf("%s stored = %v, want %v", f, stored[f], w)
		}
	}
	inB := []ContentBinding{block("inbox-subtype-any.xml"), block("inbox-no-subtype.xml")}
	polls := []struct {
		file string
		want int
	}{
		{"poll-subtype-filter.xml", 1},
		{"poll-binding-only-filter.xml", 2},
	}
	for _, p := range polls {
		m, err := Decode(readFile(t, dir+p.file))
		if err != nil {
			t.Fatal(err)
		}
		filter := m.(*PollRequest).Parameters.ContentBindings
		n := 0
		for _, b := range inB {
			if BindingAccepted(filter, b) {
				n++
			}
		}
		if n != p.want {
			t.Errorf("%s selects %d blocks of collection-b, want %d", p.file, n, p.want)
		}
	}
}

// TestNewContentBlockSTIX wraps every document of testdata/stix1 and
// testdata/stix2, checks the recognised binding against one read
// independently, and checks that the block survives Encode and Decode
// byte for byte.
func TestNewContentBlockSTIX(t *testing.T) {
	var files []string
	for _, dir := range []string{"../testdata/stix1", "../testdata/stix2"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 150 {
		t.Fatalf("only %d documents found", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimPrefix(f, "../testdata/"), func(t *testing.T) {
			doc := readFile(t, f)
			want := expectedBinding(t, doc)
			b, err := NewContentBlock(doc, "")
			if want == "" {
				if !errors.Is(err, ErrUnknownBinding) {
					t.Fatalf("got %v, want ErrUnknownBinding", err)
				}
				if b, err = NewContentBlock(doc, "urn:example:binding"); err != nil {
					t.Fatal(err)
				}
			} else if err != nil {
				t.Fatal(err)
			} else if b.Binding.BindingID != want {
				t.Errorf("binding %q, want %q", b.Binding.BindingID, want)
			}
			isXML := bytes.HasPrefix(bytes.TrimSpace(doc), []byte("<"))
			if b.IsXML != isXML {
				t.Errorf("IsXML = %v, want %v", b.IsXML, isXML)
			}
			if !isXML && !bytes.Equal(b.Content, doc) {
				t.Errorf("text content changed")
			}
			checkBlockRoundTrip(t, b)
		})
	}
}

// checkBlockRoundTrip sends b in an Inbox_Message and checks that it comes
// back identical.
func checkBlockRoundTrip(t *testing.T, b ContentBlock) {
	t.Helper()
	m := &InboxMessage{Header: Header{MessageID: "urn:uuid:1"}, ContentBlocks: []ContentBlock{b}}
	data, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	gb := got.(*InboxMessage).ContentBlocks[0]
	if !bytes.Equal(gb.Content,
		b.Content) || gb.IsXML != b.IsXML || gb.Binding.BindingID != b.Binding.BindingID {
		t.Fatalf("content changed in transit: %d bytes (IsXML %v) became %d bytes (IsXML %v)",
			len(b.Content), b.IsXML, len(gb.Content), gb.IsXML)
	}
}

// expectedBinding reads a document's binding with encoding/xml or
// encoding/json, independently of NewContentBlock; "" means none.
func expectedBinding(t *testing.T, doc []byte) string {
	t.Helper()
	if !bytes.HasPrefix(bytes.TrimSpace(doc), []byte("<")) {
		var v struct {
			SpecVersion string `json:"spec_version"`
			Objects     []struct {
				SpecVersion string `json:"spec_version"`
			} `json:"objects"`
		}
		if json.Unmarshal(doc, &v) != nil {
			return ""
		}
		for _, o := range v.Objects {
			if v.SpecVersion == "" {
				v.SpecVersion = o.SpecVersion
			}
		}
		return map[string]string{"2.0": BindingSTIX20JSON, "2.1": BindingSTIX21JSON}[v.SpecVersion]
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := d.Token()
		if err != nil {
			t.Fatalf("encoding/xml: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			attrs := map[string]string{}
			for _, a := range se.Attr {
				if a.Name.Space == "" {
					attrs[a.Name.Local] = a.Value
				}
			}
			switch se.Name.Local {
			case "STIX_Package":
				if attrs["version"] == "" {
					return ""
				}
				return "urn:stix.mitre.org:xml:" + attrs["version"]
			case "Observables":
				v := attrs["cybox_major_version"] + "." + attrs["cybox_minor_version"]
				if u := attrs["cybox_update_version"]; u != "" && u != "0" {
					v += "." + u
				}
				return "urn:cybox.mitre.org:xml:" + v
			}
			return ""
		}
	}
}

func TestNewContentBlock(t *testing.T) {
	pkg := `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.1.1"/>`
	tests := []struct {
		name    string
		doc     []byte
		binding string
		want    string // Content, or the error text expected
		wantErr error
	}{
		{"declaration, comments and BOM dropped",
			[]byte("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- c -->\n" + pkg + "\n<!-- d -->\n"),
			"", pkg, nil},
		{"ISO-8859-1 decoded",
			[]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>Caf\xe9</a>"), "x",
			"<a>Café</a>", nil},
		{"UTF-16 decoded", utf16le("\uFEFF<a>é</a>"), "x", "<a>é</a>", nil},
		{"DOCTYPE refused", []byte(`<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`), "x", "",
			ErrDoctype},
		{"broken XML refused", []byte(`<a><b></a>`), "x", "", ErrSyntax},
		{"undeclared prefix refused", []byte(`<p:a/>`), "x", "", ErrSyntax},
		{"other XML needs a binding", []byte(`<a/>`), "", "", ErrUnknownBinding},
		{"STIX without version needs a binding",
			[]byte(`<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1"/>`), "", "",
			ErrUnknownBinding},
		{"text kept", []byte(" plain text\r\n"), "urn:example:text", " plain text\r\n", nil},
		{"text needs a binding", []byte("plain text"), "", "", ErrUnknownBinding},
		{"control character refused", []byte("a\x00b"), "x", "", ErrUnencodable},
		{"invalid UTF-8 refused", []byte("a\xffb"), "x", "", ErrEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewContentBlock(tt.doc, tt.binding)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(b.Content) != tt.want {
				t.Errorf("Content = %q, want %q", b.Content, tt.want)
			}
			checkBlockRoundTrip(t, b)
		})
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}
