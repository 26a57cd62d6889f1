package httpbinding

import (
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/taxiinode/taxiinode/protocol"
)

// exchange is what the server learnt about one request before answering it.
type exchange struct {
	// request is the decoded message, nil when the body did not decode.
	request protocol.Message
	// requestID is the request's message ID, "" when it could not be read.
	requestID string
	// answer is the message binding the answer is written in (AMB-15).
	answer protocol.Version
	// refusal is the first rule the request breaks, nil when it breaks none.
	refusal *protocol.StatusError
}

// inspect reads and decodes the body of r, decides the binding of the answer
// and checks the X-TAXII headers against the body and the transport. The
// checks run in the order the refusal is chosen: the message bindings first
// (nothing else can be understood without them), then the body (BAD_MESSAGE
// before UNSUPPORTED_*, AMB-24), then the protocol binding.
func inspect(w http.ResponseWriter, r *http.Request, limit int64) exchange {
	var ex exchange
	body, readErr := readBody(w, r, limit)
	var decodeErr error
	if readErr == nil {
		ex.request, decodeErr = protocol.Decode(body)
	}
	ex.requestID = requestID(ex.request, decodeErr)
	ex.answer = answerVersion(r.Header, ex.request)

	checks := []func() *protocol.StatusError{
		func() *protocol.StatusError { return checkContentType(r.Header) },
		func() *protocol.StatusError { return checkAccept(r.Header) },
		func() *protocol.StatusError { return bodyRefusal(readErr, decodeErr) },
		func() *protocol.StatusError { return checkVersions(r.Header, ex.request) },
		func() *protocol.StatusError { return checkProtocol(r) },
	}
	for _, check := range checks {
		if ex.refusal = check(); ex.refusal != nil {
			break
		}
	}
	return ex
}

// readBody reads the body of r, but never more than limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, limit)
	if r.ContentLength < 0 || r.ContentLength > limit {
		return io.ReadAll(body)
	}
	// The announced length sizes the buffer, which then never grows;
	// net/http ends the body there, and a shorter one is an error.
	buf := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// requestID returns the message ID of the request, from the decoded message
// or, when decoding failed after the ID was read, from the decoder's error.
func requestID(m protocol.Message, decodeErr error) string {
	if m != nil {
		return m.Head().MessageID
	}
	if se, ok := errors.AsType[*protocol.StatusError](decodeErr); ok {
		return se.InResponseTo
	}
	return ""
}

// answerVersion picks the binding of the answer (AMB-15, V10-1): the
// request's own binding unless X-TAXII-Accept leaves it out, then the first
// acceptable binding the package writes, and XML 1.1 when none is
// acceptable (AMB-12). The request's binding is the body's when it decoded,
// otherwise the one its headers name.
func answerVersion(h http.Header, m protocol.Message) protocol.Version {
	v := protocol.V11
	if hv, ok := bindingVersion(h.Get(HeaderContentType)); ok {
		v = hv
	} else if sv, ok := servicesVersion(h.Get(HeaderServices)); ok {
		v = sv
	}
	if m != nil {
		v = m.Head().Version
	}
	if len(h.Values(HeaderAccept)) == 0 {
		return v
	}
	vs := acceptable(headerIDs(h, HeaderAccept))
	switch {
	case len(vs) == 0:
		return protocol.V11
	case slices.Contains(vs, v):
		return v
	default:
		return vs[0]
	}
}

// unsupportedBinding is the refusal of a message binding the package does
// not speak (ST-14, AMB-12).
func unsupportedBinding(format string, args ...any) *protocol.StatusError {
	return protocol.Errorf(protocol.StatusUnsupportedMessage, format, args...).
		With(protocol.DetailSupportedBinding, MessageBindings()...)
}

// checkContentType refuses a body in a message binding the package does not
// read. A missing header is accepted (AMB-13): the body decides.
func checkContentType(h http.Header) *protocol.StatusError {
	id := h.Get(HeaderContentType)
	if id == "" {
		return nil
	}
	if _, ok := bindingVersion(id); !ok {
		return unsupportedBinding("message binding %q is not supported", id)
	}
	return nil
}

// checkAccept refuses a request whose X-TAXII-Accept lists no binding the
// package writes (ST-14, AMB-12). An absent header accepts every binding.
func checkAccept(h http.Header) *protocol.StatusError {
	if len(h.Values(HeaderAccept)) == 0 {
		return nil
	}
	ids := headerIDs(h, HeaderAccept)
	if len(acceptable(ids)) == 0 {
		return unsupportedBinding("none of the accepted message bindings %q is supported",
			strings.Join(ids, " "))
	}
	return nil
}

// bodyRefusal turns a failure to read or decode the body into BAD_MESSAGE.
func bodyRefusal(readErr, decodeErr error) *protocol.StatusError {
	if mbe, ok := errors.AsType[*http.MaxBytesError](readErr); ok {
		return protocol.Errorf(protocol.StatusBadMessage,
			"message larger than the limit of %d bytes", mbe.Limit)
	}
	if readErr != nil {
		return protocol.Errorf(protocol.StatusBadMessage, "message body unreadable")
	}
	if decodeErr == nil {
		return nil
	}
	if se, ok := errors.AsType[*protocol.StatusError](decodeErr); ok {
		return se
	}
	return protocol.Errorf(protocol.StatusBadMessage, "%v", decodeErr)
}

// checkVersions refuses a request whose X-TAXII-Content-Type or
// X-TAXII-Services names another TAXII version than its body is in (S09,
// V10-1), or whose X-TAXII-Services is unknown (AMB-12).
func checkVersions(h http.Header, m protocol.Message) *protocol.StatusError {
	body := m.Head().Version
	if id := h.Get(HeaderContentType); id != "" {
		if v, _ := bindingVersion(id); v != body {
			return protocol.Errorf(protocol.StatusBadMessage,
				"%s is %s but the body is in %s", HeaderContentType, id, bindingID(body))
		}
	}
	id := h.Get(HeaderServices)
	if id == "" {
		return nil
	}
	v, ok := servicesVersion(id)
	if !ok {
		return protocol.Errorf(protocol.StatusBadMessage, "unknown %s %q", HeaderServices, id)
	}
	if v != body {
		return protocol.Errorf(protocol.StatusBadMessage,
			"%s is %s but the body is in %s", HeaderServices, id, bindingID(body))
	}
	return nil
}

// checkProtocol refuses a request whose X-TAXII-Protocol names another
// protocol binding than the transport it came in on: HTTPS over plain HTTP
// or the reverse (ST-16, AMB-12).
func checkProtocol(r *http.Request) *protocol.StatusError {
	id := strings.TrimSpace(r.Header.Get(HeaderProtocol))
	want := ProtocolBinding(r)
	if id == "" || id == want {
		return nil
	}
	return protocol.Errorf(protocol.StatusUnsupportedProtocol,
		"%s %q does not match the transport %s", HeaderProtocol, id, want).
		With(protocol.DetailSupportedProtocol, want)
}
