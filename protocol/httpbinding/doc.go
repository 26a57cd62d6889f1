// Package httpbinding carries TAXII messages over HTTP and HTTPS as the TAXII
// HTTP Protocol Binding 1.0 describes (protocol binding IDs
// urn:taxii.mitre.org:protocol:http:1.0 and …:https:1.0, digest §8).
//
// A [Server] is the http.Handler of one TAXII service endpoint: it accepts
// POST requests only, checks the X-TAXII headers against the body, decodes
// the message, hands it to a [Handler] and streams the answer back in the
// message binding the requester accepts. Every refusal is a Status Message
// sent with HTTP status 200, except the refusal of a method other than POST.
//
// A [Client] posts one TAXII message to any TAXII 1.x HTTP(S) endpoint and
// returns the answer. HTTP answers that carry no TAXII message and TLS alerts
// become Status Messages the way the binding asks clients to treat them.
//
// Both sides speak the XML Message Binding 1.1 and 1.0. Authentication is not
// decided here: the Handler reads the caller's identity (HTTP Basic, a bearer
// token, a TLS client certificate) from the *http.Request in [Request].
package httpbinding
