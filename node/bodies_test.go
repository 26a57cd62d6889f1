package node

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
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
