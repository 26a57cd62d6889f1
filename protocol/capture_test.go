package protocol

import (
	"strings"
	"testing"
)

// TestContentBorrowedNamespaces checks XML-12: content that uses a
// namespace declared on an enclosing TAXII element gets the declaration
// added to its top-level elements, so it can move into another message,
// while content that declares its own namespaces stays byte for byte.
func TestContentBorrowedNamespaces(t *testing.T) {
	const taxii = NamespaceXML11
	tests := []struct {
		name    string
		rootNS  string // declarations on the root element
		blockNS string // declarations on Content
		content string
		want    string
	}{
		{"own declarations kept as they are", `xmlns:t="` + taxii + `"`, "",
			`<s:P xmlns:s="urn:s" a="1"><s:Q/></s:P>`, `<s:P xmlns:s="urn:s" a="1"><s:Q/></s:P>`},
		{"prefix from the root", `xmlns:t="` + taxii + `" xmlns:s="urn:s"`, "",
			`<s:P><s:Q/></s:P>`, `<s:P xmlns:s="urn:s"><s:Q/></s:P>`},
		{"prefix from Content used deeper", `xmlns:t="` + taxii + `"`, ` xmlns:s="urn:s"`,
			`<a><s:b/></a>`, `<a xmlns:s="urn:s"><s:b/></a>`},
		{"attribute prefix", `xmlns:t="` + taxii + `" xmlns:x="urn:x"`, "",
			`<a x:b="1"/>`, `<a xmlns:x="urn:x" x:b="1"/>`},
		{"inherited default namespace", `xmlns="` + taxii + `" xmlns:t="` + taxii + `"`, "",
			`<Package/>`, `<Package xmlns="` + taxii + `"/>`},
		{"no default namespace to inherit", `xmlns:t="` + taxii + `"`, "",
			`<Package/>`, `<Package/>`},
		{"default undeclared in the content", `xmlns="` + taxii + `" xmlns:t="` + taxii + `"`, "",
			`<Package xmlns=""/>`, `<Package xmlns=""/>`},
		{"qualified name in a value", `xmlns:t="` + taxii + `" xmlns:ind="urn:ind" ` +
			`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`, "",
			`<s:I xmlns:s="urn:s" xsi:type="ind:IndicatorType"/>`,
			`<s:I xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ` +
				`xmlns:ind="urn:ind" xmlns:s="urn:s" ` +
				`xsi:type="ind:IndicatorType"/>`},
		{"shadowed prefix left alone", `xmlns:t="` + taxii + `" xmlns:p="urn:1"`, "",
			`<p:a xmlns:p="urn:2"/>`, `<p:a xmlns:p="urn:2"/>`},
		{"each top-level element", `xmlns:t="` + taxii + `" xmlns:s="urn:s"`, "",
			"<s:a/>\n<!-- c -->\n<s:b/>",
			"<s:a xmlns:s=\"urn:s\"/>\n<!-- c -->\n<s:b xmlns:s=\"urn:s\"/>"},
		{"URI escaped", `xmlns:t="` + taxii + `" xmlns:s="urn:s?a=1&amp;b=&quot;2&quot;"`, "",
			`<s:a/>`, `<s:a xmlns:s="urn:s?a=1&amp;b=&quot;2&quot;"/>`},
		{"prefix bound to the TAXII namespace", `xmlns:t="` + taxii + `"`, "",
			`<t:Note/>`, `<t:Note xmlns:t="` + taxii + `"/>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<t:Inbox_Message ` + tt.rootNS + ` message_id="m"><t:Content_Block>` +
				`<t:Content_Binding binding_id="urn:b"/><t:Content` + tt.blockNS + `>` +
				tt.content +
				`</t:Content></t:Content_Block></t:Inbox_Message>`
			m, _ := roundTrip(t, []byte(doc))
			got := string(m.(*InboxMessage).ContentBlocks[0].Content)
			if got != tt.want {
				t.Errorf("content\n got %s\nwant %s", got, tt.want)
			}
			if err := wellFormed([]byte(got), true); err != nil {
				t.Errorf("content not self-contained: %v", err)
			}
		})
	}
}

// TestMixedFieldsBorrowedNamespaces checks the same for a signature, a
// query, an extended header and a detail.
func TestMixedFieldsBorrowedNamespaces(t *testing.T) {
	doc := `<t:Status_Message xmlns:t="` + NamespaceXML11 + `" xmlns:ds="` + NamespaceXMLDSig +
		`" ` +
		`xmlns:x="urn:x" message_id="m" in_response_to="r" status_type="FAILURE">` +
		`<t:Extended_Headers><t:Extended_Header name="h"> <x:v>1</x:v> </t:Extended_Header>` +
		`</t:Extended_Headers>` +
		`<t:Status_Detail><t:Detail name="d"><x:w>2</x:w></t:Detail></t:Status_Detail>` +
		`<ds:Signature><ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>` +
		`</t:Status_Message>`
	m, _ := roundTrip(t, []byte(doc))
	sm := m.(*StatusMessage)
	checks := []struct{ field, got, want string }{
		{"extended header", string(sm.ExtendedHeaders[0].Value), ` <x:v xmlns:x="urn:x">1</x:v> `},
		{"detail XML", sm.Details[0].XML, `<x:w xmlns:x="urn:x">2</x:w>`},
		{"detail value", sm.Details[0].Value, `2`},
		{"signature", string(sm.Signature), `<ds:Signature xmlns:ds="` + NamespaceXMLDSig + `">` +
			`<ds:SignatureValue>AA==</ds:SignatureValue></ds:Signature>`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s\n got %s\nwant %s", c.field, c.got, c.want)
		}
	}
	query := `<t:Poll_Request xmlns:t="` + NamespaceXML11 + `" xmlns:q="` + NamespaceDefaultQuery +
		`" ` +
		`message_id="m" collection_name="c"><t:Poll_Parameters><t:Query format_id="f">` +
		`<q:Default_Query/></t:Query></t:Poll_Parameters></t:Poll_Request>`
	pm, _ := roundTrip(t, []byte(query))
	body := string(pm.(*PollRequest).Parameters.Query.Body)
	if !strings.HasPrefix(body, `<q:Default_Query xmlns:q="`+NamespaceDefaultQuery+`"`) {
		t.Errorf("query body %s lacks its declaration", body)
	}
}
