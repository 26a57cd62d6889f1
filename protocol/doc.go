// Package protocol is taxiinode's TAXII Message Handler: the message types
// of the TAXII 1.1 XML Message Binding, their encoding and decoding, their
// validation, the status types and the identifiers the TAXII 1.1
// specifications define.
//
// It holds no I/O beyond encoding to and decoding from bytes, no logging and
// no transport: the libp2p binding lives in package peer, the HTTP binding in
// protocol/httpbinding and the Default Query in protocol/query. It imports no
// other package of this module.
//
// # Messages and bindings
//
// Messages (TAXII Services Specification 1.1, XML Message Binding 1.1 §3-§5,
// digest §5): Discovery_Request and Discovery_Response; Collection_
// Information_Request and Collection_Information_Response; Subscription_
// Management_Request and Subscription_Management_Response; Poll_Request,
// Poll_Response and Poll_Fulfillment; Inbox_Message; Status_Message with the
// status types of digest §6. They serve the four services of digest §3:
// DISCOVERY, COLLECTION_MANAGEMENT, INBOX and POLL.
//
// Message bindings: XML Message Binding 1.1 (urn:taxii.mitre.org:message:
// xml:1.1) in and out; XML Message Binding 1.0 (digest §12) in and out, on
// the same types with Header.Version set to V10, so that a TAXII 1.0 client
// is answered in TAXII 1.0. Protocol bindings are named here (HTTP and HTTPS
// 1.0, and taxiinode's libp2p binding) but implemented elsewhere. Content
// bindings (digest §10) are matched by BindingAccepted and recognised by
// NewContentBlock.
//
// # Decoding and encoding
//
// Decode accepts a message in UTF-8, UTF-16 or any encoding its XML
// declaration names, and refuses with a *StatusError of type BAD_MESSAGE
// anything that is not a well-formed, schema-conformant message following
// the rules of Validate: a document type declaration (nothing is ever
// fetched or expanded), an undefined entity, nesting deeper than MaxDepth,
// invalid characters, an unknown or misplaced element. Content, queries,
// extended headers and signatures are kept as raw XML, byte for byte, with
// the namespace declarations they borrow from enclosing elements added, so
// they can be moved into other messages (XML-12).
//
// Encode and Write produce UTF-8 without a byte-order mark, with an XML
// declaration, the prefix taxii_11 (taxii for 1.0), children in schema
// order and booleans as true or false; what they produce validates against
// the official schemas. Write streams content blocks to its writer.
//
// # Why a scanner of its own
//
// Decode does not use encoding/xml. A Poll_Response is mostly content: a
// thousand STIX documents of a few kilobytes in a thin TAXII envelope.
// encoding/xml tokenizes at about 47 MB/s here and allocates per token, and
// the content would have to be tokenized a second time to be cut out as raw
// bytes with its namespace declarations. So one strict, namespace-aware
// scanner (scan.go) reads the whole message without allocating per token:
// the envelope is parsed against the schema sequences, and each Content is
// checked for well-formedness in the same single pass, its region and the
// declarations it needs recorded as it goes. The scanner is stricter than
// encoding/xml (duplicate attributes, undeclared prefixes, several roots and
// DOCTYPEs are refused); a fuzz test checks that it accepts nothing
// encoding/xml refuses and a generator that it accepts well-formed XML.
// Every namespace lookup switches to a map when many prefixes are in scope,
// and attribute checks to a set when a tag has many, so no input makes
// decoding quadratic.
//
// All functions of the package are safe for concurrent use; messages are
// plain values that callers must not share while modifying them.
package protocol
