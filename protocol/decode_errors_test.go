package protocol

import (
	"errors"
	"strings"
	"testing"
)

const ns11 = `xmlns="` + NamespaceXML11 + `"`

// TestDecodeRefuses checks that hostile and broken input is refused with
// BAD_MESSAGE (XML-5, ST-2), naming the message it answers when its ID
// could be read (AMB-11).
func TestDecodeRefuses(t *testing.T) {
	inbox := func(content string) string {
		return `<Inbox_Message ` + ns11 + ` message_id="m1"><Content_Block>` +
			`<Content_Binding binding_id="urn:b"/><Content>` + content +
			`</Content></Content_Block></Inbox_Message>`
	}
	poll := func(children string) string {
		return `<Poll_Request ` + ns11 + ` message_id="m2" collection_name="c">` + children +
			`</Poll_Request>`
	}
	params := `<Poll_Parameters/>`
	tests := []struct {
		name string
		doc  string
		want error
		id   string
	}{
		{"empty input", ``, ErrSyntax, ""},
		{"not XML", `hello`, ErrSyntax, ""},
		{"doctype (AMB-34)", `<!DOCTYPE x SYSTEM "http://example.com/x.dtd">` + inbox("a"),
			ErrDoctype, ""},
		{"undefined entity in content", inbox(`<a>&foo;</a>`), ErrSyntax, "m1"},
		{"undefined entity in text content", inbox(`&foo;`), ErrSyntax, "m1"},
		{"deep nesting", inbox(strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth)),
			ErrDepth, "m1"},
		{"invalid UTF-8", inbox("caf\xe9"), ErrEncoding, ""},
		{"unknown encoding", `<?xml version="1.0" encoding="x-nonesuch"?>` + inbox("a"),
			ErrEncoding, ""},
		{"BOM contradicts declaration", "\xEF\xBB\xBF" + `<?xml version="1.0" encoding="UTF-16"?>` +
			inbox("a"),
			ErrEncoding, ""},
		{"odd UTF-16", "\xFF\xFE<\x00a", ErrEncoding, ""},
		{"root not TAXII", `<Inbox_Message message_id="m1"/>`, ErrNotTAXII, ""},
		{"root of another namespace", `<x:Poll_Request xmlns:x="urn:x" message_id="m1"/>`,
			ErrNotTAXII, ""},
		{"unknown message type (GEN-12)", `<Feed_Request ` + ns11 + ` message_id="m3"/>`,
			ErrNotTAXII, "m3"},
		{"1.0 name in the 1.1 namespace", `<Feed_Information_Request ` + ns11 +
			` message_id="m3"/>`, ErrNotTAXII, "m3"},
		{"unknown element", poll(params + `<Priority>1</Priority>`), ErrSchema, "m2"},
		{"element out of order (XML-4)", poll(params +
			`<Exclusive_Begin_Timestamp>2014-12-19T00:00:00Z` +
			`</Exclusive_Begin_Timestamp>`), ErrSchema, "m2"},
		{"foreign element in the envelope", poll(`<x:Extra xmlns:x="urn:x"/>` + params), ErrSchema,
			"m2"},
		{"element of the other TAXII version", poll(`<Poll_Parameters xmlns="` + NamespaceXML10 +
			`"/>`),
			ErrSchema, "m2"},
		{"repeated element", poll(params + params), ErrSchema, "m2"},
		{"text between elements", poll(`text` + params), ErrSchema, "m2"},
		{"element inside a string", `<Status_Message ` + ns11 +
			` message_id="m4" in_response_to="x" ` +
			`status_type="FAILURE"><Message>a<b/></Message></Status_Message>`, ErrSchema, "m4"},
		{"missing required element", `<Inbox_Message ` + ns11 + ` message_id="m1"><Content_Block>` +
			`<Content_Binding binding_id="urn:b"/></Content_Block></Inbox_Message>`, ErrSchema,
			"m1"},
		{"two subtypes in a block (MSG-19)", `<Inbox_Message ` + ns11 +
			` message_id="m1"><Content_Block>` +
			`<Content_Binding binding_id="urn:b"><Subtype subtype_id="a"/>` +
			`<Subtype subtype_id="b"/>` +
			`</Content_Binding><Content/></Content_Block></Inbox_Message>`, ErrSchema, "m1"},
		{"missing message_id", `<Discovery_Request ` + ns11 + `/>`, ErrSchema, ""},
		{"missing required attribute", `<Poll_Request ` + ns11 + ` message_id="m2">` + params +
			`</Poll_Request>`,
			ErrSchema, "m2"},
		{"unknown attribute", `<Discovery_Request ` + ns11 + ` message_id="m5" priority="1"/>`,
			ErrSchema, "m5"},
		{"in_response_to on a request", `<Discovery_Request ` + ns11 +
			` message_id="m5" in_response_to="x"/>`,
			ErrSchema, "m5"},
		{"qualified TAXII attribute", `<t:Discovery_Request xmlns:t="` + NamespaceXML11 +
			`" message_id="m5" ` +
			`t:x="1"/>`, ErrSchema, "m5"},
		{"bad boolean (XML-10)", poll(`<Poll_Parameters allow_asynch="yes"/>`), ErrSchema, "m2"},
		{"zero part number", `<Poll_Fulfillment ` + ns11 +
			` message_id="m6" collection_name="c" result_id="r" ` +
			`result_part_number="0"/>`, ErrSchema, "m6"},
		{"bad enumeration", `<Subscription_Management_Request ` + ns11 +
			` message_id="m7" action="DELETE" ` +
			`collection_name="c"/>`, ErrSchema, "m7"},
		{"bad record count", `<Inbox_Message ` + ns11 +
			` message_id="m1"><Record_Count>-1</Record_Count>` +
			`</Inbox_Message>`, ErrSchema, "m1"},
		{"timestamp without zone (XML-7)", poll(`<Exclusive_Begin_Timestamp>2018-02-09T00:00:00` +
			`</Exclusive_Begin_Timestamp>` + params), ErrTimestamp, "m2"},
		{"content after the root", `<Discovery_Request ` + ns11 + ` message_id="m5"/><x/>`,
			ErrSyntax, "m5"},
		{"rule broken (MSG-70)", poll(``), ErrInvalid, "m2"},
		{"MSG-21 empty Status_Detail", `<Status_Message ` + ns11 +
			` message_id="m4" in_response_to="x" ` +
			`status_type="FAILURE"><Status_Detail/></Status_Message>`, ErrSchema, "m4"},
		{"MSG-13 two message bindings to push to", `<Subscription_Management_Request ` + ns11 +
			` ` +
			`message_id="m7" action="SUBSCRIBE" collection_name="c"><Subscription_Parameters/>` +
			`<Push_Parameters>` +
			`<Protocol_Binding>p</Protocol_Binding><Address>a</Address>` +
			`<Message_Binding>m</Message_Binding>` +
			`<Message_Binding>n</Message_Binding></Push_Parameters>` +
			`</Subscription_Management_Request>`,
			ErrSchema, "m7"},
		{"AMB-2 two signatures in a block", inbox(`x</Content><Signature xmlns="` +
			NamespaceXMLDSig + `"/>` +
			`<Signature xmlns="` + NamespaceXMLDSig + `"/><Content>`), ErrSchema, "m1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.doc))
			if err == nil {
				t.Fatalf("accepted: %#v", m)
			}
			checkBadMessage(t, err, tt.want, tt.id)
		})
	}
}

// TestDecodeTolerates checks input that is unusual but allowed.
func TestDecodeTolerates(t *testing.T) {
	tests := []struct {
		name string
		doc  string
	}{
		{"foreign attribute", `<Discovery_Request ` + ns11 +
			` xmlns:x="urn:x" x:a="1" message_id="m"/>`},
		{"xsi attribute", `<Discovery_Request ` + ns11 +
			` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"` +
			` xsi:schemaLocation="a b" message_id="m"/>`},
		{"comments and processing instructions",
			`<?xml version="1.0"?><!-- c --><?p?><Discovery_Request ` + ns11 +
				` message_id="m"><!-- c --><?p x?></Discovery_Request><!-- c -->`},
		{"white space around values (XML-9)", `<Poll_Fulfillment ` + ns11 +
			` message_id=" m " collection_name=" c "` +
			` result_id=" r " result_part_number=" 2 "/>`},
		{"boolean 1 (XML-10)", `<Poll_Response ` + ns11 +
			` message_id="m" in_response_to="r" collection_name="c"` +
			` more="1" result_id="x"/>`},
		{"UTF-16 without a byte-order mark",
			string(utf16le(`<?xml version="1.0" encoding="UTF-16"?>` +
				`<Discovery_Request ` + ns11 + ` message_id="m"/>`))},
		{"content of nothing but a comment", inboxStart + `<!-- x -->` + inboxEnd},
		{"content with a comment before the element", `<Inbox_Message ` + ns11 +
			` message_id="m"><Content_Block>` +
			`<Content_Binding binding_id="b"/><Content><!-- x --><a/></Content></Content_Block>` +
			`</Inbox_Message>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, []byte(tt.doc))
		})
	}
}

// TestDecodeErrorMessage checks that a refusal says which field is wrong
// (case S02) and does not echo the offending entity.
func TestDecodeErrorMessage(t *testing.T) {
	_, err := Decode(readFile(t, casesDir+"/S02-timestamp-without-zone/poll-no-zone.xml"))
	var se *StatusError
	if !errors.As(err, &se) || !strings.Contains(se.Message, "Exclusive_Begin_Timestamp") {
		t.Errorf("message %q does not name the field", se.Message)
	}
	_, err = Decode(readFile(t, casesDir+"/S06-xml-entities/inbox-external-entity-file.xml"))
	if !errors.As(err, &se) || strings.Contains(se.Message, "canary") {
		t.Errorf("message %q names the entity", se.Message)
	}
}

// TestHugePartNumber: xs:positiveInteger has no upper bound, so a part
// number past the int range is valid and decodes as a part no result has.
func TestHugePartNumber(t *testing.T) {
	for _, v := range []string{"99999999999999999999", "+0018446744073709551616"} {
		m, err := Decode([]byte(`<Poll_Fulfillment ` + ns11 + ` message_id="m6" collection_name="c" ` +
			`result_id="r" result_part_number="` + v + `"/>`))
		if err != nil {
			t.Fatalf("result_part_number=%q: %v", v, err)
		}
		if got := m.(*PollFulfillment).ResultPartNumber; got != maxInt {
			t.Errorf("result_part_number=%q decoded as %d, want %d", v, got, maxInt)
		}
	}
}
