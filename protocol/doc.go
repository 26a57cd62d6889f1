// Package protocol is taxiinode's TAXII Message Handler: the message types of
// the TAXII 1.1 XML Message Binding, their encoding and decoding, the status
// types and the identifiers the TAXII 1.1 specifications define.
//
// It holds no I/O beyond encoding to and decoding from bytes, no logging and
// no transport: the libp2p binding lives in package peer, the HTTP binding in
// protocol/httpbinding and the Default Query in protocol/query.
//
// Messages (TAXII Services Specification 1.1, XML Message Binding 1.1 §3-§5):
// Discovery_Request and Discovery_Response; Collection_Information_Request and
// Collection_Information_Response; Subscription_Management_Request and
// Subscription_Management_Response; Poll_Request, Poll_Response and
// Poll_Fulfillment; Inbox_Message; Status_Message. TAXII 1.0 messages are
// accepted on input and mapped onto the same types, with Header.Version set to
// V10 so that answers go back in TAXII 1.0.
//
// Every decoding failure is a *StatusError with status type BAD_MESSAGE, so a
// caller can turn it into the Status Message that answers the request.
package protocol
