package httpbinding

import (
	"net/http"
	"slices"
	"strings"

	"github.com/taxiinode/taxiinode/protocol"
)

// Header names of the TAXII HTTP Protocol Binding 1.0 (HTTP-4).
const (
	HeaderContentType = "X-TAXII-Content-Type"
	HeaderAccept      = "X-TAXII-Accept"
	HeaderServices    = "X-TAXII-Services"
	HeaderProtocol    = "X-TAXII-Protocol"
)

// mediaTypeXML is the Content-Type of both XML message bindings (HTTP-4).
const mediaTypeXML = "application/xml"

// MessageBindings returns the IDs of the message bindings this package reads
// and writes, the preferred one first: XML 1.1, then XML 1.0.
func MessageBindings() []string {
	return []string{protocol.MessageBindingXML11, protocol.MessageBindingXML10}
}

// ProtocolBinding returns the protocol binding ID of the transport r came in
// on: protocol.ProtocolHTTPS when r arrived over TLS, protocol.ProtocolHTTP
// otherwise (HTTP-2).
func ProtocolBinding(r *http.Request) string {
	if r.TLS != nil {
		return protocol.ProtocolHTTPS
	}
	return protocol.ProtocolHTTP
}

// bindingID returns the ID of the XML message binding of version v.
func bindingID(v protocol.Version) string {
	if v == protocol.V10 {
		return protocol.MessageBindingXML10
	}
	return protocol.MessageBindingXML11
}

// servicesID returns the TAXII services version ID that goes with version v.
func servicesID(v protocol.Version) string {
	if v == protocol.V10 {
		return protocol.ServicesV10
	}
	return protocol.ServicesV11
}

// bindingVersion returns the version of the message binding id, and false
// when the package does not speak that binding. IDs are compared exactly
// after trimming white space (AMB-28).
func bindingVersion(id string) (protocol.Version, bool) {
	switch strings.TrimSpace(id) {
	case protocol.MessageBindingXML11:
		return protocol.V11, true
	case protocol.MessageBindingXML10:
		return protocol.V10, true
	}
	return protocol.V11, false
}

// servicesVersion returns the version a TAXII services version ID names,
// and false for an ID the package does not know.
func servicesVersion(id string) (protocol.Version, bool) {
	switch strings.TrimSpace(id) {
	case protocol.ServicesV11:
		return protocol.V11, true
	case protocol.ServicesV10:
		return protocol.V10, true
	}
	return protocol.V11, false
}

// headerIDs returns the IDs listed in every value of the header name. The
// binding separates IDs by single spaces (AMB-14); tabs and commas, which
// proxies use to join repeated header lines, separate them as well.
func headerIDs(h http.Header, name string) []string {
	var ids []string
	for _, v := range h.Values(name) {
		ids = append(ids, strings.FieldsFunc(v, func(r rune) bool {
			return r == ' ' || r == '\t' || r == ','
		})...)
	}
	return ids
}

// acceptable returns the versions among ids that the package can write, in
// the order the requester prefers them.
func acceptable(ids []string) []protocol.Version {
	var vs []protocol.Version
	for _, id := range ids {
		if v, ok := bindingVersion(id); ok && !slices.Contains(vs, v) {
			vs = append(vs, v)
		}
	}
	return vs
}

// setAnswerHeaders sets the headers every answer carries (HTTP-4, HTTP-6):
// the media type, the message binding actually written, the services
// version that goes with it and the protocol binding of the transport.
func setAnswerHeaders(h http.Header, r *http.Request, v protocol.Version) {
	h.Set("Content-Type", mediaTypeXML)
	h.Set(HeaderContentType, bindingID(v))
	h.Set(HeaderServices, servicesID(v))
	h.Set(HeaderProtocol, ProtocolBinding(r))
}
