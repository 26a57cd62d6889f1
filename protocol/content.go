package protocol

import "time"

// ContentBinding names a content format: a Content Binding ID and the
// subtypes meant (MSG-10, CB-3). In a list of acceptable bindings no subtype
// means every subtype; in a content block at most one subtype is given, and
// BindingID may be a nesting expression such as "a|b" (CB-4).
type ContentBinding struct {
	BindingID string
	Subtypes  []string
}

// ContentBlock is one Content_Block (MSG-19).
type ContentBlock struct {
	Binding ContentBinding
	// Content is the payload exactly as it travels. When IsXML is true it is
	// XML content (elements with every namespace declaration they use, as
	// well-formed XML content); otherwise it is text, unescaped.
	Content []byte
	IsXML   bool
	// TimestampLabel is the block's label, or the zero time when the block
	// carries none.
	TimestampLabel time.Time
	Message        string
	Padding        string
	// Signature is the block's ds:Signature element as received, or nil.
	Signature []byte
}

// RecordCount is a Record_Count (MSG-17).
type RecordCount struct {
	Count uint64
	// Partial means "at least Count records" rather than exactly Count.
	Partial bool
}

// Query is the Query of a poll or a subscription (MSG-18). Body holds the
// query itself, for the Default Query one tdq:Default_Query element, which
// package protocol/query parses.
type Query struct {
	FormatID string
	Body     InnerXML
}

// DeliveryParameters says where and how to push: Push_Parameters in
// subscription messages, Delivery_Parameters in poll parameters (MSG-13).
type DeliveryParameters struct {
	ProtocolBinding string
	Address         string
	MessageBinding  string
	// ContentBindings is only used by TAXII 1.0 Push_Parameters.
	ContentBindings []ContentBinding
}
