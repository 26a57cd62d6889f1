package httpbinding

import (
	"io"
	"net/http"
	"reflect"

	"github.com/taxiinode/taxiinode/protocol"
)

// finish returns m as it goes out in binding v: with that version, a message
// ID of the form the binding needs (numeric for TAXII 1.0, V10-3) and, on a
// response, the ID of the request it answers (MSG-3). A TAXII 1.0 answer
// cannot carry a request ID that is not numeric; like an unknown one it
// becomes "0" (AMB-11). When m needs a change, finish changes a shallow
// copy, never m itself.
func finish(m protocol.Message, v protocol.Version, requestID string) protocol.Message {
	h := *m.Head()
	h.Version = v
	if h.MessageID == "" || (v == protocol.V10 && !numeric(h.MessageID)) {
		h.MessageID = protocol.NewMessageID(v)
	}
	if isResponse(m.Type()) {
		if h.InResponseTo == "" {
			h.InResponseTo = requestID
		}
		if h.InResponseTo == "" || (v == protocol.V10 && !numeric(h.InResponseTo)) {
			h.InResponseTo = "0"
		}
	}
	if h.Version == m.Head().Version && h.MessageID == m.Head().MessageID &&
		h.InResponseTo == m.Head().InResponseTo {
		return m
	}
	c := shallowCopy(m)
	*c.Head() = h
	return c
}

// usable reports whether m is a message the server can send: a non-nil
// pointer to a struct, as every message type of package protocol is.
func usable(m protocol.Message) bool {
	if m == nil {
		return false
	}
	v := reflect.ValueOf(m)
	return v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct
}

// shallowCopy returns a new message of the same type as m with the same
// field values. m must be usable.
func shallowCopy(m protocol.Message) protocol.Message {
	v := reflect.ValueOf(m)
	c := reflect.New(v.Elem().Type())
	c.Elem().Set(v.Elem())
	return c.Interface().(protocol.Message)
}

// isResponse reports whether messages of type t answer a request and so carry
// in_response_to (MSG-2).
func isResponse(t protocol.MessageType) bool {
	switch t {
	case protocol.TypeStatusMessage, protocol.TypeDiscoveryResponse,
		protocol.TypeCollectionInformationResponse, protocol.TypeSubscriptionManagementResponse,
		protocol.TypePollResponse:
		return true
	}
	return false
}

// numeric reports whether id is a TAXII 1.0 message ID: decimal digits only.
func numeric(id string) bool {
	if id == "" {
		return false
	}
	for _, c := range []byte(id) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Refuse answers r with the Status Message of err, in the binding its
// headers ask for, without reading its body: for what a server decides
// before a body is worth reading. It returns the message sent.
func Refuse(w http.ResponseWriter, r *http.Request, err *protocol.StatusError) protocol.Message {
	ex := exchange{answer: answerVersion(r.Header, nil)}
	s := &Server{}
	return s.write(w, r, http.StatusOK, ex, finish(err.Status("", ""), ex.answer, ""))
}

// write sends m with HTTP status code and the TAXII headers of binding
// ex.answer. protocol.Write validates m before it writes anything and holds
// the first 64 KiB back, so an invalid answer, or one that fails to encode
// early, leaves nothing sent: a FAILURE Status Message goes out instead and
// the failure is logged. A malformed answer is never sent. write returns
// the message it sent, or tried to send.
func (s *Server) write(w http.ResponseWriter, r *http.Request, code int, ex exchange,
	m protocol.Message) protocol.Message {
	setAnswerHeaders(w.Header(), r, ex.answer)
	if code != http.StatusOK {
		w.WriteHeader(code)
	}
	cw := &countingWriter{w: w}

	err := protocol.Write(cw, m)
	switch {
	case err == nil:
		s.logger().Debug("taxii answer sent", "msg_id", ex.requestID)
		return m
	case cw.err != nil:
		s.logger().Debug("taxii answer not delivered", "msg_id", ex.requestID, "err", cw.err)
		return m
	case cw.n > 0:
		s.logger().Error("taxii answer cut short", "msg_id", ex.requestID, "err", err)
		return m
	}

	s.logger().Error("taxii answer replaced by failure", "msg_id", ex.requestID, "err", err)
	fail := finish(failure(ex.requestID, "the answer could not be formed"), ex.answer, ex.requestID)
	if err := protocol.Write(cw, fail); err != nil {
		s.logger().Error("taxii failure not sent", "msg_id", ex.requestID, "err", err)
	}
	return fail
}

// countingWriter passes writes on to w, counting the bytes written and
// keeping the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}
