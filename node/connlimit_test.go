package node

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// serveLimited serves handler on 127.0.0.1 with at most max connections.
func serveLimited(t *testing.T, max int, handler http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimit(ln, max)
	srv := &http.Server{Handler: handler, ConnState: l.ConnState, IdleTimeout: time.Hour}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// get makes one request with its own transport, which keeps the connection
// open and idle afterwards, like a client that is never closed.
func get(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Transport{}).RoundTrip(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return err
}

// Clients that leave keep-alive connections open must not lock the next
// client out until the idle timeout: the limit reclaims idle connections.
func TestConnLimitReclaimsIdleConnections(t *testing.T) {
	url := serveLimited(t, 2, func(w http.ResponseWriter, r *http.Request) {})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i := range 10 {
		if err := get(ctx, url); err != nil {
			t.Fatalf("request %d with 2 idle connections held: %v", i, err)
		}
	}
}

// When every connection is busy, the next one waits for a free slot
// rather than exceeding the limit.
func TestConnLimitWaitsForBusyConnections(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 3)
	url := serveLimited(t, 2, func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 3)
	for range 3 {
		go func() { done <- get(ctx, url) }()
	}
	for range 2 {
		<-entered
	}
	select {
	case <-entered:
		t.Fatal("a third connection was served while two were busy")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if len(entered) != 1 {
		t.Fatalf("the third request was served %d times after a slot freed, want 1", len(entered))
	}
}

// Closing the listener ends an Accept that waits for a slot, so that the
// server stops even while every connection is busy.
func TestConnLimitCloseEndsWaitingAccept(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimit(ln, 1)
	busy, other := net.Pipe()
	defer busy.Close()
	defer other.Close()
	l.ConnState(busy, http.StateNew)
	l.ConnState(busy, http.StateActive)
	accepted := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if c != nil {
			c.Close()
		}
		accepted <- err
	}()
	select {
	case err := <-accepted:
		t.Fatalf("Accept returned (%v) while the only slot was busy", err)
	case <-time.After(100 * time.Millisecond):
	}
	l.Close()
	select {
	case err := <-accepted:
		if err == nil {
			t.Error("Accept after Close returned a connection")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Accept still waits 5 s after Close")
	}
}
