package node

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestLargeBodiesTwoAtATime: requests announcing the largest body get in
// two at a time; a small request never waits for them.
func TestLargeBodiesTwoAtATime(t *testing.T) {
	const limit = 4 << 20
	var entered atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(newLargeBodies(limit).wrap(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			entered.Add(1)
			if r.ContentLength > smallBody {
				<-release
			}
		})))
	defer srv.Close()
	post := func(size int) chan error {
		done := make(chan error, 1)
		go func() {
			resp, err := http.Post(srv.URL, "application/xml", bytes.NewReader(make([]byte, size)))
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		return done
	}
	waitEntered := func(want int32) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for entered.Load() != want {
			if time.Now().After(deadline) {
				t.Fatalf("%d requests entered, want %d", entered.Load(), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	large := []chan error{post(limit), post(limit), post(limit)}
	waitEntered(2)
	time.Sleep(100 * time.Millisecond)
	if n := entered.Load(); n != 2 {
		t.Fatalf("%d large requests let in at once, want 2", n)
	}
	if err := <-post(1024); err != nil {
		t.Fatalf("small request: %v", err)
	}
	waitEntered(3)
	release <- struct{}{}
	waitEntered(4) // the third large one, once one of the first two left
	close(release)
	for _, done := range large {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestLargeRequestWithoutRightsRefusedUnread: a large request from a sender
// that may write nothing is answered UNAUTHORIZED before its body is read,
// so it neither waits for nor holds the room of large requests.
func TestLargeRequestWithoutRightsRefusedUnread(t *testing.T) {
	h := newHarness(t, func(s *Settings) { s.HTTP.Anonymous = RightsSettings{} })
	body, w := io.Pipe()
	defer w.Close()
	go w.Write(make([]byte, 1024)) // and nothing more: the rest never comes
	req, err := http.NewRequest(http.MethodPost, h.base+PathInbox, body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 8 << 20
	for k, v := range taxiiHeaders {
		req.Header.Set(k, v)
	}
	// A node that waits for the body gets its end after 5 s, too short.
	timer := time.AfterFunc(5*time.Second, func() { w.CloseWithError(errors.New("body cut short")) })
	defer timer.Stop()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m, err := protocol.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, m, protocol.StatusUnauthorized)
}
