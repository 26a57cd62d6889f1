package protocol

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
)

// Version is the XML message binding a message was received in, or is to be
// sent in. The zero value is TAXII 1.1.
type Version uint8

// The two XML message bindings.
const (
	V11 Version = iota
	V10
)

// MessageType names a TAXII message: its root element in the XML binding.
type MessageType string

// The message types of TAXII 1.1 (MSG-1). TAXII 1.0's Feed_Information_*
// messages decode as the Collection_Information_* types.
const (
	TypeStatusMessage                  MessageType = "Status_Message"
	TypeDiscoveryRequest               MessageType = "Discovery_Request"
	TypeDiscoveryResponse              MessageType = "Discovery_Response"
	TypeCollectionInformationRequest   MessageType = "Collection_Information_Request"
	TypeCollectionInformationResponse  MessageType = "Collection_Information_Response"
	TypeSubscriptionManagementRequest  MessageType = "Subscription_Management_Request"
	TypeSubscriptionManagementResponse MessageType = "Subscription_Management_Response"
	TypePollRequest                    MessageType = "Poll_Request"
	TypePollResponse                   MessageType = "Poll_Response"
	TypePollFulfillment                MessageType = "Poll_Fulfillment"
	TypeInboxMessage                   MessageType = "Inbox_Message"
)

// Message is one TAXII message. The concrete types are the pointer types of
// this package: *DiscoveryRequest, *PollResponse and so on.
type Message interface {
	// Type returns the message type, the name of the message's root element.
	Type() MessageType
	// Head returns the fields every message has, for reading and writing.
	Head() *Header
}

// Header holds the fields common to every message (MSG-2).
type Header struct {
	// Version is the binding the message came in (or goes out) in.
	Version Version
	// MessageID identifies the message (GEN-3).
	MessageID string
	// InResponseTo is the MessageID of the request a response answers. It is
	// empty on requests.
	InResponseTo string
	// ExtendedHeaders are the message's extended headers, in order (GEN-9).
	ExtendedHeaders []ExtendedHeader
	// Signature is the message's ds:Signature element, byte for byte with the
	// namespace declarations it needs, or nil. It is kept so that a message
	// passed on keeps its signature; it is not verified.
	Signature []byte
}

// Head returns h itself; it makes every message type that embeds a Header
// satisfy part of Message.
func (h *Header) Head() *Header { return h }

// ExtendedHeader is one name/value pair of a message's Extended_Headers.
type ExtendedHeader struct {
	Name  string
	Value InnerXML
}

// InnerXML is the content of an element whose content model is mixed (any
// text and any elements, XML-12): Extended_Header, Detail, Query,
// Supported_Query. It is well-formed XML content: character data escaped as
// XML requires, and elements carrying every namespace declaration they use,
// so it can be moved into another document unchanged.
type InnerXML []byte

// NewMessageID returns a fresh message ID for a message in binding v: a
// random "urn:uuid:" URN (version 4 UUID) for TAXII 1.1 (AMB-32), a random
// string of decimal digits for TAXII 1.0 (V10-3). It is safe for
// concurrent use.
func NewMessageID(v Version) string {
	var b [16]byte
	rand.Read(b[:])
	if v == V10 {
		return strconv.FormatUint(binary.BigEndian.Uint64(b[:8])>>1, 10)
	}
	b[6] = b[6]&0x0F | 0x40
	b[8] = b[8]&0x3F | 0x80
	var u [36]byte
	hex.Encode(u[0:8], b[0:4])
	hex.Encode(u[9:13], b[4:6])
	hex.Encode(u[14:18], b[6:8])
	hex.Encode(u[19:23], b[8:10])
	hex.Encode(u[24:], b[10:])
	u[8], u[13], u[18], u[23] = '-', '-', '-', '-'
	return "urn:uuid:" + string(u[:])
}
