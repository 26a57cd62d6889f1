package protocol

import "errors"

// Sentinel errors of package protocol. Decode wraps every one of them in a
// *StatusError of type BAD_MESSAGE; test for them with errors.Is.
var (
	// ErrSyntax reports input that is not well-formed XML 1.0 with
	// namespaces.
	ErrSyntax = errors.New("protocol: XML not well-formed")
	// ErrDoctype reports a document type declaration, which is always
	// refused: nothing is ever fetched or expanded (AMB-34).
	ErrDoctype = errors.New("protocol: document type declaration refused")
	// ErrDepth reports elements nested deeper than MaxDepth.
	ErrDepth = errors.New("protocol: elements nested too deeply")
	// ErrEncoding reports bytes that are not in a supported character
	// encoding, or that are invalid in the encoding they claim.
	ErrEncoding = errors.New("protocol: unsupported or invalid character encoding")
	// ErrNotTAXII reports a root element that is not a TAXII 1.1 or 1.0
	// message.
	ErrNotTAXII = errors.New("protocol: not a TAXII message")
	// ErrSchema reports a message that breaks the structure of the XML
	// Message Binding: an unknown, missing, repeated or misplaced element
	// or attribute, or a value of the wrong type.
	ErrSchema = errors.New("protocol: message does not follow the XML message binding")
	// ErrInvalid reports a message that breaks a rule of the TAXII
	// specifications that the XML schema cannot express (XML-6).
	ErrInvalid = errors.New("protocol: message breaks a TAXII rule")
	// ErrTimestamp reports a value that is not a TAXII timestamp (XML-7).
	ErrTimestamp = errors.New("protocol: invalid timestamp")
	// ErrUnencodable reports a value that XML 1.0 cannot carry, such as a
	// control character or invalid UTF-8 in a string.
	ErrUnencodable = errors.New("protocol: value cannot be written as XML")
	// ErrUnknownBinding reports content whose content binding cannot be
	// recognised; the caller has to name the binding.
	ErrUnknownBinding = errors.New("protocol: content binding not recognised")
)
