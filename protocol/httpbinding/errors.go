package httpbinding

import "errors"

// Errors returned by Client.Send.
var (
	// ErrNotTAXII reports an answer with HTTP status 200 whose body is not a
	// TAXII message (HTTP-6).
	ErrNotTAXII = errors.New("httpbinding: answer carries no TAXII message")
	// ErrBindingNotAccepted reports an answer written in a message binding
	// that the request's X-TAXII-Accept did not list.
	ErrBindingNotAccepted = errors.New("httpbinding: answer in a message binding not accepted")
	// ErrBindingMismatch reports an answer whose body is in another message
	// binding than its X-TAXII-Content-Type header names.
	ErrBindingMismatch = errors.New("httpbinding: answer body and X-TAXII-Content-Type disagree")
	// ErrResponseTooLarge reports an answer body larger than the client's
	// MaxResponseSize.
	ErrResponseTooLarge = errors.New("httpbinding: answer larger than the size limit")
	// ErrNoMessage reports a call to Send without a message.
	ErrNoMessage = errors.New("httpbinding: no message to send")
	// ErrUnsupportedScheme reports a URL whose scheme is neither http nor
	// https.
	ErrUnsupportedScheme = errors.New("httpbinding: URL scheme is neither http nor https")
)
