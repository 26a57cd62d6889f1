package httpbinding

import (
	"net/http"
	"slices"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestAnswerVersion checks the choice of the answer's binding (AMB-15,
// V10-1) from the headers and the decoded body.
func TestAnswerVersion(t *testing.T) {
	const (
		xml11 = protocol.MessageBindingXML11
		xml10 = protocol.MessageBindingXML10
		json  = "urn:cert.europa.eu:message:json:1.0"
	)
	body10 := &protocol.DiscoveryRequest{Header: protocol.Header{Version: protocol.V10}}
	body11 := &protocol.DiscoveryRequest{Header: protocol.Header{Version: protocol.V11}}
	tests := []struct {
		name   string
		header http.Header
		body   protocol.Message
		want   protocol.Version
	}{
		{name: "nothing known", header: http.Header{}, want: protocol.V11},
		{name: "body decides over headers", body: body10,
			header: hdr(HeaderContentType, xml11), want: protocol.V10},
		{name: "content type when the body did not decode",
			header: hdr(HeaderContentType, xml10), want: protocol.V10},
		{name: "services when nothing else is known",
			header: hdr(HeaderServices, protocol.ServicesV10), want: protocol.V10},
		{name: "request binding when accepted", body: body10,
			header: hdr(HeaderAccept, xml11+" "+xml10), want: protocol.V10},
		{name: "first acceptable otherwise", body: body11,
			header: hdr(HeaderAccept, json+" "+xml10), want: protocol.V10},
		{name: "AMB-12 XML 1.1 when nothing is acceptable", body: body10,
			header: hdr(HeaderAccept, json), want: protocol.V11},
		{name: "AMB-14 repeated header lines", body: body11,
			header: hdr(HeaderAccept, json, xml10), want: protocol.V10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := answerVersion(tt.header, tt.body); got != tt.want {
				t.Errorf("answerVersion = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestHeaderIDs checks the parsing of ID lists (AMB-14).
func TestHeaderIDs(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   []string
	}{
		{name: "absent", values: nil, want: nil},
		{name: "one", values: []string{"a"}, want: []string{"a"}},
		{name: "single spaces", values: []string{"a b c"}, want: []string{"a", "b", "c"}},
		{name: "loose white space", values: []string{"  a \t b  "}, want: []string{"a", "b"}},
		{name: "commas and lines", values: []string{"a, b", "c"}, want: []string{"a", "b", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := hdr(HeaderAccept, tt.values...)
			if got := headerIDs(h, HeaderAccept); !slices.Equal(got, tt.want) {
				t.Errorf("headerIDs = %q, want %q", got, tt.want)
			}
		})
	}
}

// hdr returns a header holding values under name.
func hdr(name string, values ...string) http.Header {
	h := http.Header{}
	for _, v := range values {
		h.Add(name, v)
	}
	return h
}
