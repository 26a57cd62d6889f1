package httpbinding

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
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

// TestServerBodyLimit checks that a body over MaxBodySize is answered with
// BAD_MESSAGE and HTTP 200, and that the server keeps serving afterwards.
func TestServerBodyLimit(t *testing.T) {
	const limit = 1024
	h := &discoveryHandler{}
	srv := newHTTPServer(t, &Server{Handler: h, MaxBodySize: limit})
	pad := strings.Repeat(" ", 4*limit)
	big := []byte(`<Discovery_Request xmlns="` + protocol.NamespaceXML11 +
		`" message_id="big"` + pad + `/>`)

	resp, data := post(t, srv.Client(), srv.URL, headers11(), big)
	checkStatus(t, resp, data, protocol.V11, protocol.StatusBadMessage, "0") // AMB-11
	if h.calls.Load() != 0 {
		t.Error("handler called with a body over the limit")
	}

	small := readFile(t, messagesDir+"/discovery_request.sample-use.xml")
	_, data = post(t, srv.Client(), srv.URL, headers11(), small)
	decodeAs(t, data, protocol.TypeDiscoveryResponse, protocol.V11)
}

// countingReader yields zero bytes without end and counts what was read.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	clear(p)
	c.n += int64(len(p))
	return len(p), nil
}

// TestServerBodyLimitReadsNoFurther checks that an endless body is read no
// further than the limit.
func TestServerBodyLimitReadsNoFurther(t *testing.T) {
	const limit = 4096
	body := &countingReader{}
	r := httptest.NewRequest(http.MethodPost, "/services/discovery", io.NopCloser(body))
	w := httptest.NewRecorder()

	(&Server{Handler: &discoveryHandler{}, MaxBodySize: limit}).ServeHTTP(w, r)

	if body.n > limit+1 {
		t.Errorf("read %d bytes of the body, want at most %d", body.n, limit+1)
	}
	st := statusOf(t, w.Body.Bytes(), protocol.V11)
	if st.StatusType != protocol.StatusBadMessage {
		t.Errorf("status_type = %s, want BAD_MESSAGE", st.StatusType)
	}
}
