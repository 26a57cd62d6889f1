package httpbinding

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/taxiinode/taxiinode/protocol"
)

// DefaultMaxBodySize is the largest request body a Server reads when its
// MaxBodySize is zero: 32 MiB.
const DefaultMaxBodySize = 32 << 20

// Handler answers one decoded TAXII request.
type Handler interface {
	// ServeTAXII returns the answer to req: the response message the request
	// calls for, or a Status Message. ctx ends when the client goes away.
	// The Server does not modify the returned message, so it may be shared.
	// A nil answer or a panic is sent to the client as a FAILURE Status
	// Message.
	ServeTAXII(ctx context.Context, req *Request) protocol.Message
}

// HandlerFunc lets an ordinary function serve as a Handler.
type HandlerFunc func(ctx context.Context, req *Request) protocol.Message

// ServeTAXII returns f(ctx, req).
func (f HandlerFunc) ServeTAXII(ctx context.Context, req *Request) protocol.Message {
	return f(ctx, req)
}

// Request is a TAXII request received over HTTP.
type Request struct {
	// Message is the decoded request. Its Header.Version is the binding it
	// came in.
	Message protocol.Message
	// HTTP is the underlying request, for its headers, TLS state, remote
	// address and credentials. Its body has already been read.
	HTTP *http.Request
}

// Server serves one TAXII service endpoint: mount one per path. It accepts
// POST requests only (HTTP-3), checks the X-TAXII headers (HTTP-4, AMB-12 to
// AMB-15), hands the decoded message to Handler and streams the answer back
// in the binding the requester accepts. Every refusal except that of a
// method other than POST is a Status Message sent with HTTP status 200
// (HTTP-7).
//
// A Server is safe for concurrent use once its fields are set; do not change
// them while it serves.
type Server struct {
	// Handler answers the requests that pass the checks.
	Handler Handler
	// MaxBodySize is the largest request body in bytes; zero means
	// DefaultMaxBodySize. A larger body is answered with BAD_MESSAGE
	// without being read further than the limit.
	MaxBodySize int64
	// Logger receives one debug record per request and the errors an
	// operator must fix; nil discards them.
	Logger *slog.Logger
	// Observe, when set, is told of every request once its answer is
	// written: the request's type ("" when its body could not be read),
	// the answer as sent, and whether the binding refused the request
	// before the Handler saw it. An answer that could not be encoded is
	// reported as the FAILURE sent in its place.
	Observe func(request protocol.MessageType, answer protocol.Message, refused bool)
}

// discard is the logger of a Server without one.
var discard = slog.New(slog.DiscardHandler)

// ServeHTTP answers one HTTP request to the endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		s.refuseMethod(w, r)
		return
	}
	ex := inspect(w, r, s.maxBodySize())

	var answer protocol.Message
	if ex.refusal != nil {
		s.logger().Debug("taxii request refused", "msg_id", ex.requestID, "err", ex.refusal)
		answer = ex.refusal.Status("", ex.requestID)
	} else {
		answer = s.call(r.Context(), &Request{Message: ex.request, HTTP: r}, ex.requestID)
	}
	sent := s.write(w, r, http.StatusOK, ex, finish(answer, ex.answer, ex.requestID))
	s.observe(ex.request, sent, ex.refusal != nil)
}

func (s *Server) observe(req, answer protocol.Message, refused bool) {
	if s.Observe == nil {
		return
	}
	var t protocol.MessageType
	if req != nil {
		t = req.Type()
	}
	s.Observe(t, answer, refused)
}

// refuseMethod answers a request whose method is not POST with HTTP 405 and
// Allow: POST (AMB-12). The body is a Status Message for clients that read
// it (HTTP-7).
func (s *Server) refuseMethod(w http.ResponseWriter, r *http.Request) {
	s.logger().Debug("taxii request refused", "err", fmt.Errorf("method %s", r.Method))
	ex := exchange{answer: answerVersion(r.Header, nil)}
	st := protocol.Errorf(protocol.StatusBadMessage,
		"method %s not allowed: TAXII requests use POST", r.Method).Status("", "")
	w.Header().Set("Allow", http.MethodPost)
	s.observe(nil, s.write(w, r, http.StatusMethodNotAllowed, ex, finish(st, ex.answer, "")), true)
}

// call runs the Handler and turns a panic or a missing answer into FAILURE.
func (s *Server) call(ctx context.Context, req *Request, id string) (answer protocol.Message) {
	if s.Handler == nil {
		s.logger().Error("taxii server without handler", "msg_id", id)
		return failure(id, "the service is not configured")
	}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			panic(p)
		}
		s.logger().Error("taxii handler panicked", "msg_id", id,
			"err", fmt.Errorf("%v\n%s", p, debug.Stack()))
		answer = failure(id, "internal error")
	}()

	answer = s.Handler.ServeTAXII(ctx, req)
	if !usable(answer) {
		s.logger().Error("taxii handler returned no answer", "msg_id", id)
		return failure(id, "internal error")
	}
	return answer
}

// failure is a FAILURE Status Message answering the request id.
func failure(id, text string) *protocol.StatusMessage {
	return protocol.Errorf(protocol.StatusFailure, "%s", text).Status("", id)
}

func (s *Server) maxBodySize() int64 {
	if s.MaxBodySize <= 0 {
		return DefaultMaxBodySize
	}
	return s.MaxBodySize
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return discard
	}
	return s.Logger
}
