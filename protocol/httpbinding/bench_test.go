package httpbinding

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// BenchmarkRoundTrip measures one Discovery exchange from a Client to a
// Server over HTTP on 127.0.0.1, on a kept-alive connection.
func BenchmarkRoundTrip(b *testing.B) {
	srv := httptest.NewServer(&Server{Handler: &discoveryHandler{}})
	defer srv.Close()
	c := &Client{}
	req := discoveryRequest(protocol.V11)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Send(context.Background(), srv.URL, req); err != nil {
			b.Fatal(err)
		}
	}
}

// discardWriter is an http.ResponseWriter that throws the body away.
type discardWriter struct {
	h http.Header
	n int64
}

func (d *discardWriter) Header() http.Header { return d.h }

func (d *discardWriter) WriteHeader(int) {}

func (d *discardWriter) Write(p []byte) (int, error) {
	d.n += int64(len(p))
	return len(p), nil
}

// BenchmarkServerPollAnswer measures how fast the Server validates and
// streams a Poll_Response of 16 MiB of content (1,600 blocks of 10 KiB).
// Allocations per operation show the answer is not copied whole.
func BenchmarkServerPollAnswer(b *testing.B) {
	block := protocol.ContentBlock{
		Binding:        protocol.ContentBinding{BindingID: protocol.BindingSTIX12},
		Content:        []byte(strings.Repeat("indicator ", 1024)),
		TimestampLabel: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
	answer := &protocol.PollResponse{
		Header:         protocol.Header{MessageID: "answer", InResponseTo: "1"},
		CollectionName: "collection-big",
		InclusiveEnd:   block.TimestampLabel,
		RecordCount:    &protocol.RecordCount{Count: 1600},
	}
	for range 1600 {
		answer.ContentBlocks = append(answer.ContentBlocks, block)
	}
	handler := HandlerFunc(func(context.Context, *Request) protocol.Message { return answer })
	s := &Server{Handler: handler}
	body := `<Poll_Request xmlns="` + protocol.NamespaceXML11 +
		`" message_id="1" collection_name="collection-big"><Poll_Parameters/></Poll_Request>`
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		w.n = 0
		r := httptest.NewRequest(http.MethodPost, "/services/poll", strings.NewReader(body))
		s.ServeHTTP(w, r)
	}
	if w.n < 16<<20 {
		b.Fatalf("answer of %d bytes, want at least 16 MiB", w.n)
	}
	b.SetBytes(w.n)
}
