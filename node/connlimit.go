package node

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// connLimit bounds the HTTP binding's open connections. A connection counts
// from the server's first sight of it until it is closed. When every slot is
// taken, Accept closes the connection that has idled longest in keep-alive
// instead of waiting for it: a client that keeps idle connections open, or
// many clients that each keep one, must not lock out the next client until
// the idle timeout.
//
// Its ConnState method must be the server's ConnState hook, and the server
// must serve from it: it sees the connections the server sees, TLS ones
// included, so it wraps the outermost listener.
type connLimit struct {
	net.Listener
	max int

	mu     sync.Mutex
	freed  *sync.Cond
	conns  map[net.Conn]connSlot
	closed bool
}

type connSlot struct {
	idle  bool
	since time.Time
}

func newConnLimit(ln net.Listener, max int) *connLimit {
	l := &connLimit{Listener: ln, max: max, conns: make(map[net.Conn]connSlot)}
	l.freed = sync.NewCond(&l.mu)
	return l
}

// Accept waits for a free slot, reclaiming an idle connection if there is
// one, and then accepts the next connection.
func (l *connLimit) Accept() (net.Conn, error) {
	l.mu.Lock()
	for len(l.conns) >= l.max && !l.closed {
		if c := l.longestIdle(); c != nil {
			// Forget it at once: its closing reaches ConnState later.
			delete(l.conns, c)
			go c.Close()
			continue
		}
		l.freed.Wait()
	}
	l.mu.Unlock()
	return l.Listener.Accept()
}

// Close stops Accept, waiting or not, and closes the listener.
func (l *connLimit) Close() error {
	l.mu.Lock()
	l.closed = true
	l.freed.Broadcast()
	l.mu.Unlock()
	return l.Listener.Close()
}

// longestIdle returns the connection idle since the earliest time, or nil.
// Called with mu held.
func (l *connLimit) longestIdle() net.Conn {
	var oldest net.Conn
	var since time.Time
	for c, s := range l.conns {
		if s.idle && (oldest == nil || s.since.Before(since)) {
			oldest, since = c, s.since
		}
	}
	return oldest
}

// ConnState follows each connection through the server's states.
func (l *connLimit) ConnState(c net.Conn, state http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch state {
	case http.StateNew:
		l.conns[c] = connSlot{}
	case http.StateActive, http.StateIdle:
		// A reclaimed connection no longer counts, whatever it does
		// before it is closed.
		if _, ok := l.conns[c]; ok {
			l.conns[c] = connSlot{idle: state == http.StateIdle, since: time.Now()}
		}
		if state == http.StateIdle {
			l.freed.Signal() // reclaimable
		}
	case http.StateClosed, http.StateHijacked:
		delete(l.conns, c)
		l.freed.Signal()
	}
}
