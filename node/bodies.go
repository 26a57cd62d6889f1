package node

import (
	"errors"
	"net/http"

	"golang.org/x/sync/semaphore"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/httpbinding"
)

// smallBody is the largest body a request may announce and still never
// wait for largeBodies.
const smallBody = 1 << 20

// largeBodies lets HTTP requests with large bodies in a few at a time. A
// body is read whole, then decoded and stored, which takes a few times its
// size in memory, and many times for a message of tiny blocks; without a
// bound, every open connection could send the largest body at once.
// Requests share a budget of twice the largest body; one that does not say
// its length weighs the largest.
type largeBodies struct {
	budget *semaphore.Weighted
	limit  int64 // the largest body read
	// admit, when set, vets a large request before it waits or is read;
	// a refusal is answered at once, its body unread, and observed.
	admit   func(*http.Request) error
	observe func(answer protocol.Message)
}

func newLargeBodies(limit int64) *largeBodies {
	return &largeBodies{budget: semaphore.NewWeighted(2 * limit), limit: limit}
}

func (l *largeBodies) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size := r.ContentLength
		if size < 0 || size > l.limit {
			size = l.limit
		}
		if r.Method != http.MethodPost || size <= smallBody {
			next.ServeHTTP(w, r)
			return
		}
		if l.admit != nil {
			if err := l.admit(r); err != nil {
				var se *protocol.StatusError
				if !errors.As(err, &se) {
					se = protocol.Errorf(protocol.StatusFailure, "%v", err)
				}
				answer := httpbinding.Refuse(w, r, se)
				if l.observe != nil {
					l.observe(answer)
				}
				return
			}
		}
		if err := l.budget.Acquire(r.Context(), size); err != nil {
			return // the client left while it waited
		}
		defer l.budget.Release(size)
		next.ServeHTTP(w, r)
	})
}
