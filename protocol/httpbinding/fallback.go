package httpbinding

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/taxiinode/taxiinode/protocol"
)

// maxExcerpt bounds how much of a non-TAXII answer body goes into the
// Message of the Status Message that stands for it.
const maxExcerpt = 512

// httpStatusType maps the status code of an HTTP answer without a TAXII
// message to a status type (HTTP-8).
func httpStatusType(code int) protocol.StatusType {
	switch code {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		return protocol.StatusBadMessage
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusProxyAuthRequired:
		return protocol.StatusUnauthorized
	case http.StatusNotAcceptable, http.StatusUnsupportedMediaType:
		return protocol.StatusUnsupportedMessage
	}
	return protocol.StatusFailure
}

// httpStatus returns the Status Message that stands for an HTTP answer
// without a TAXII message (HTTP-8). Its Message is the HTTP response: the
// status line, the redirect target if any and the start of the body.
func httpStatus(resp *http.Response, body []byte, req protocol.Message) *protocol.StatusMessage {
	text := resp.Proto + " " + resp.Status
	if loc := resp.Header.Get("Location"); loc != "" {
		text += "; Location: " + loc
	}
	if ex := excerpt(body); ex != "" {
		text += ": " + ex
	}
	return synthetic(req, httpStatusType(resp.StatusCode), text)
}

// excerpt returns the start of body with white space collapsed, or "" when
// body is not text.
func excerpt(body []byte) string {
	if len(body) > maxExcerpt {
		body = body[:maxExcerpt]
	}
	for len(body) > 0 && !utf8.Valid(body) {
		body = body[:len(body)-1]
	}
	s := strings.Join(strings.Fields(string(body)), " ")
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return ""
		}
	}
	return s
}

// Alert numbers that HTTP-9 maps to UNAUTHORIZED: handshake_failure,
// no_certificate, bad_certificate, unsupported_certificate, unknown_ca and
// access_denied, plus certificate_required, the TLS 1.3 alert that replaced
// no_certificate.
var unauthorizedAlerts = map[uint8]bool{40: true, 41: true, 42: true, 43: true, 48: true, 49: true,
	116: true}

// alertStatus returns the Status Message that stands for a TLS alert the
// server sent (HTTP-9), and false when err is not a TLS alert.
func alertStatus(err error, req protocol.Message) (*protocol.StatusMessage, bool) {
	code, ok := alertCode(err)
	if !ok {
		return nil, false
	}
	t := protocol.StatusFailure
	if unauthorizedAlerts[code] {
		t = protocol.StatusUnauthorized
	}
	text := fmt.Sprintf("TLS alert 0x%02x (%s)", code, tls.AlertError(code).Error())
	return synthetic(req, t, text), true
}

// alertCode returns the number of the TLS alert err reports. The tls
// package reports an alert received on a TCP connection as a *net.OpError
// whose Op is "remote error" and whose Err is its unexported alert type, a
// uint8; an alert it wraps for other transports is a tls.AlertError.
func alertCode(err error) (uint8, bool) {
	if a, ok := errors.AsType[tls.AlertError](err); ok {
		return uint8(a), true
	}
	op, ok := errors.AsType[*net.OpError](err)
	if !ok || op.Op != "remote error" || op.Err == nil {
		return 0, false
	}
	v := reflect.ValueOf(op.Err)
	if v.Kind() != reflect.Uint8 || v.Type().PkgPath() != "crypto/tls" {
		return 0, false
	}
	return uint8(v.Uint()), true
}

// synthetic returns a Status Message of type t answering req, made up by
// the client because the server sent none.
func synthetic(req protocol.Message, t protocol.StatusType, text string) *protocol.StatusMessage {
	h := req.Head()
	st := protocol.Errorf(t, "%s", text).Status(protocol.NewMessageID(h.Version), h.MessageID)
	st.Version = h.Version
	return st
}
