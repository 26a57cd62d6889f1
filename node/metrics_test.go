package node

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestMetricsCountEveryAnswer: /metrics counts every HTTP request by its
// answer, those the binding refuses before a service sees them included.
func TestMetricsCountEveryAnswer(t *testing.T) {
	h := newHarness(t, nil)
	wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		Parameters: &protocol.PollParameters{}}))
	// A timestamp without a zone, and a body that is no XML.
	wantStatus(t, h.post(PathPoll, []byte(`<taxii_11:Poll_Request `+
		`xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1" `+
		`collection_name="default"><taxii_11:Exclusive_Begin_Timestamp>2026-01-01T00:00:00`+
		`</taxii_11:Exclusive_Begin_Timestamp><taxii_11:Poll_Parameters/></taxii_11:Poll_Request>`), nil),
		protocol.StatusBadMessage)
	wantStatus(t, h.post(PathPoll, []byte("not xml"), nil), protocol.StatusBadMessage)

	resp, err := http.Get(h.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`taxiinode_requests_total{answer="Poll_Response",transport="http",type="Poll_Request"} 1`,
		`taxiinode_requests_total{answer="BAD_MESSAGE",transport="http",type="unread"} 2`,
		`taxiinode_refusals_total{type="unread"} 2`,
	} {
		if !strings.Contains(string(text), want+"\n") {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestMetricsForLocalClientsOrTheOperator: the metrics name collections
// and peers, so a client from another machine needs the API token.
func TestMetricsForLocalClientsOrTheOperator(t *testing.T) {
	h := newHarness(t, nil)
	handler := h.n.httpHandler()
	for _, tt := range []struct {
		remote, token string
		want          int
	}{
		{"127.0.0.1:40000", "", http.StatusOK},
		{"[::1]:40000", "", http.StatusOK},
		{"192.0.2.7:40000", "", http.StatusUnauthorized},
		{"192.0.2.7:40000", "wrong", http.StatusUnauthorized},
		{"192.0.2.7:40000", h.n.token, http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = tt.remote
		if tt.token != "" {
			req.Header.Set("Authorization", "Bearer "+tt.token)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("GET /metrics from %s with token %v: HTTP %d, want %d", tt.remote, tt.token != "", rec.Code, tt.want)
		}
	}
}
