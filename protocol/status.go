package protocol

import (
	"fmt"
	"strings"
)

// StatusType is the status_type of a Status Message (§6): one of the
// constants below or a third party's URI.
type StatusType string

// The status types of TAXII 1.1 (ST-1 to ST-17) and of the Default Query
// (ST-18 to ST-20).
const (
	StatusAsynchronousPollError  StatusType = "ASYNCHRONOUS_POLL_ERROR"
	StatusBadMessage             StatusType = "BAD_MESSAGE"
	StatusDenied                 StatusType = "DENIED"
	StatusDestinationCollection  StatusType = "DESTINATION_COLLECTION_ERROR"
	StatusFailure                StatusType = "FAILURE"
	StatusInvalidResponsePart    StatusType = "INVALID_RESPONSE_PART"
	StatusNetworkError           StatusType = "NETWORK_ERROR"
	StatusNotFound               StatusType = "NOT_FOUND"
	StatusPending                StatusType = "PENDING"
	StatusPollingUnsupported     StatusType = "POLLING_UNSUPPORTED"
	StatusRetry                  StatusType = "RETRY"
	StatusSuccess                StatusType = "SUCCESS"
	StatusUnauthorized           StatusType = "UNAUTHORIZED"
	StatusUnsupportedMessage     StatusType = "UNSUPPORTED_MESSAGE"
	StatusUnsupportedContent     StatusType = "UNSUPPORTED_CONTENT"
	StatusUnsupportedProtocol    StatusType = "UNSUPPORTED_PROTOCOL"
	StatusUnsupportedQuery       StatusType = "UNSUPPORTED_QUERY"
	StatusUnsupportedCapability  StatusType = "UNSUPPORTED_CAPABILITY_MODULE"
	StatusUnsupportedTargeting   StatusType = "UNSUPPORTED_TARGETING_EXPRESSION"
	StatusUnsupportedTargetingID StatusType = "UNSUPPORTED_TARGETING_EXPRESSION_ID"
)

// Status detail names (§6).
const (
	DetailAcceptableDestination = "ACCEPTABLE_DESTINATION"
	DetailMaxPartNumber         = "MAX_PART_NUMBER"
	DetailItem                  = "ITEM"
	DetailEstimatedWait         = "ESTIMATED_WAIT"
	DetailResultID              = "RESULT_ID"
	DetailWillPush              = "WILL_PUSH"
	DetailSupportedBinding      = "SUPPORTED_BINDING"
	DetailSupportedContent      = "SUPPORTED_CONTENT"
	DetailSupportedProtocol     = "SUPPORTED_PROTOCOL"
	DetailSupportedQuery        = "SUPPORTED_QUERY"
	DetailCapabilityModule      = "CAPABILITY_MODULE"
	DetailPreferredScope        = "PREFERRED_SCOPE"
	DetailAllowedScope          = "ALLOWED_SCOPE"
	DetailTargetingExpressionID = "TARGETING_EXPRESSION_ID"
)

// StatusMessage is a Status_Message (MSG-20).
type StatusMessage struct {
	Header
	StatusType StatusType
	Details    []Detail
	Message    string
}

// Type returns TypeStatusMessage.
func (*StatusMessage) Type() MessageType { return TypeStatusMessage }

// Detail is one Detail of a Status_Detail (MSG-21). A multi-valued detail is
// several Details with the same Name. In a TAXII 1.0 message, whose
// Status_Detail is a string, the space-separated list of an UNSUPPORTED_*
// status becomes SUPPORTED_* Details and any other string one Detail with
// an empty Name (V10-5).
type Detail struct {
	Name string
	// Value is the text of the Detail element, with white space at either
	// end removed: for a detail holding elements, the text inside them.
	Value string
	// XML is the Detail's content as XML (InnerXML rules) when it holds
	// elements, so that a message passed on keeps them; it is empty for a
	// plain value. When set, encoders write it instead of Value.
	XML string
}

// DetailValues returns the values of every detail named name, in order.
func (m *StatusMessage) DetailValues(name string) []string {
	var vs []string
	for _, d := range m.Details {
		if d.Name == name {
			vs = append(vs, d.Value)
		}
	}
	return vs
}

// StatusError is an error that answers a request with a Status Message. Every
// package that refuses a TAXII request returns one; the transports turn it
// into the Status Message with NewStatus.
type StatusError struct {
	Type    StatusType
	Message string
	Details []Detail
	// InResponseTo is the message ID of the refused request when it is known
	// (a decoder that failed after reading it sets it).
	InResponseTo string
	// Err is the cause, when there is one: for errors of Decode and
	// Validate one of the sentinel errors of this package, wrapped.
	Err error
}

// Unwrap returns e.Err, so that errors.Is finds the cause.
func (e *StatusError) Unwrap() error { return e.Err }

// Errorf returns a *StatusError of status type t with a formatted message.
func Errorf(t StatusType, format string, args ...any) *StatusError {
	return &StatusError{Type: t, Message: fmt.Sprintf(format, args...)}
}

// Error returns the status type and message.
func (e *StatusError) Error() string {
	if e.Message == "" {
		return "taxii: " + string(e.Type)
	}
	return "taxii: " + string(e.Type) + ": " + e.Message
}

// With returns a copy of e with a detail added.
func (e *StatusError) With(name string, values ...string) *StatusError {
	c := *e
	c.Details = append(append([]Detail(nil), e.Details...), details(name, values)...)
	return &c
}

func details(name string, values []string) []Detail {
	ds := make([]Detail, len(values))
	for i, v := range values {
		ds[i] = Detail{Name: name, Value: v}
	}
	return ds
}

// Status returns the Status Message that reports e in answer to the request
// whose message ID is inResponseTo. An empty inResponseTo falls back to
// e.InResponseTo and then to "0" (AMB-11).
func (e *StatusError) Status(messageID, inResponseTo string) *StatusMessage {
	if inResponseTo == "" {
		inResponseTo = e.InResponseTo
	}
	if strings.TrimSpace(inResponseTo) == "" {
		inResponseTo = "0"
	}
	return &StatusMessage{
		Header:     Header{MessageID: messageID, InResponseTo: inResponseTo},
		StatusType: e.Type,
		Details:    e.Details,
		Message:    e.Message,
	}
}
