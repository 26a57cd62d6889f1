package protocol

import (
	"fmt"
	"strings"
	"time"
)

// Validate checks m against the rules of the TAXII specifications that the
// XML schema cannot express (XML-6) and against the required fields the
// schema would refuse, so that transports and tests can check both what
// they receive and what the node emits. Decode runs it on every message,
// and Write on every message before writing anything. The rules: header
// IDs present, of any form (AMB-32); every ID-like field
// non-empty (XML-9); Record_Count at least the number of blocks (MSG-17);
// the status details a status type requires, with values of the right
// type (MSG-22, ST-6, ST-9, ST-11, ST-19, AMB-29); Subscription_ID xor
// Poll_Parameters (MSG-70); end later than begin (MSG-71, AMB-22); more
// needs a result_id (MSG-80); Subscription_Parameters if and only if
// SUBSCRIBE and Subscription_ID where required (MSG-50); exactly one
// Subscription except for STATUS, whose Subscriptions carry their
// parameters (MSG-61, MSG-62); Delivery_Parameters only with allow_asynch
// (MSG-16); no nesting expression in a list of bindings (CB-5) and no
// subtype with one (CB-4); distinct Supported_Query formats (MSG-32);
// RFC 3339 values of Default Query timestamp tests (QRY-22, AMB-6); and the
// mixed-content fields (InnerXML, Detail.XML, signatures) well-formed and
// self-contained. Content is not re-scanned: Decode and NewContentBlock
// check it. The error is a *StatusError of type BAD_MESSAGE wrapping
// ErrInvalid whose InResponseTo is m's message ID.
func Validate(m Message) error {
	if err := validate(m); err != nil {
		id := ""
		if m != nil {
			id = m.Head().MessageID
		}
		return badMessage(err, id)
	}
	return nil
}

// validator collects the first broken rule.
type validator struct {
	v   Version
	err error
}

func (c *validator) fail(format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
}

// need fails when an ID-like field is empty (XML-9).
func (c *validator) need(v, field string) {
	if v == "" {
		c.fail("%s missing or empty", field)
	}
}

func validate(m Message) error {
	if m == nil {
		return fmt.Errorf("%w: no message", ErrInvalid)
	}
	h := m.Head()
	c := &validator{v: h.Version}
	c.header(h, isResponse(m.Type()))
	switch m := m.(type) {
	case *StatusMessage:
		c.status(m)
	case *DiscoveryRequest, *CollectionInformationRequest:
	case *DiscoveryResponse:
		for i := range m.ServiceInstances {
			c.serviceInstance(&m.ServiceInstances[i])
		}
	case *CollectionInformationResponse:
		for i := range m.Collections {
			c.collection(&m.Collections[i])
		}
	case *SubscriptionManagementRequest:
		c.subscriptionRequest(m)
	case *SubscriptionManagementResponse:
		c.subscriptionResponse(m)
	case *PollRequest:
		c.pollRequest(m)
	case *PollResponse:
		c.pollResponse(m)
	case *PollFulfillment:
		c.need(m.CollectionName, "Poll_Fulfillment collection_name")
		c.need(m.ResultID, "Poll_Fulfillment result_id")
		if m.ResultPartNumber < 0 {
			c.fail("Poll_Fulfillment result_part_number negative")
		}
	case *InboxMessage:
		c.inbox(m)
	default:
		return fmt.Errorf("%w: message type %T unknown", ErrInvalid, m)
	}
	return c.err
}

// isResponse reports whether a message type carries in_response_to.
func isResponse(t MessageType) bool {
	switch t {
	case TypeStatusMessage, TypeDiscoveryResponse, TypeCollectionInformationResponse,
		TypeSubscriptionManagementResponse, TypePollResponse:
		return true
	}
	return false
}

func (c *validator) header(h *Header, response bool) {
	c.need(h.MessageID, "message_id")
	if response {
		c.need(h.InResponseTo, "in_response_to")
	} else if h.InResponseTo != "" {
		c.fail("in_response_to on a request")
	}
	// TAXII 1.0 IDs are digits (V10-3), but an ID is never refused for
	// its form (AMB-32): numeric IDs in what the node sends are the
	// sender's business, and NewMessageID(V10) makes them.
	if c.v != V10 && c.v != V11 {
		c.fail("unknown version %d", h.Version)
	}
	for _, eh := range h.ExtendedHeaders {
		c.need(eh.Name, "Extended_Header name")
		c.inner("Extended_Header", eh.Value)
	}
	c.inner("Signature", h.Signature)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// inner checks that mixed content is well-formed and declares what it
// uses.
func (c *validator) inner(field string, b []byte) {
	if len(b) == 0 || c.err != nil {
		return
	}
	if err := wellFormed(b, true); err != nil {
		c.fail("%s: %v", field, err)
	}
}

// timestamps checks that the bounds of a window can be written with a
// four-digit year, and with ordered set that the end is later than the
// begin: a rule of Poll_Request only (MSG-71, AMB-22); a response or a
// Source_Subscription may describe an empty window.
func (c *validator) timestamps(elem string, begin, end time.Time, ordered bool) {
	for _, t := range []time.Time{begin, end} {
		if !t.IsZero() && (t.Before(minTimestamp) || t.After(maxTimestamp)) {
			c.fail("%s: timestamp %v outside the years 0001 to 9999", elem, t)
		}
	}
	if !ordered || begin.IsZero() || end.IsZero() {
		return
	}
	if !end.Truncate(time.Microsecond).After(begin.Truncate(time.Microsecond)) {
		c.fail("%s: Inclusive_End_Timestamp not later than Exclusive_Begin_Timestamp (MSG-71)",
			elem)
	}
}

// bindings checks a list of acceptable or supported bindings (MSG-10,
// CB-5).
func (c *validator) bindings(elem string, cbs []ContentBinding) {
	for _, cb := range cbs {
		c.need(cb.BindingID, elem+" Content_Binding binding_id")
		if strings.Contains(cb.BindingID, "|") {
			c.fail("%s: nesting expression in a list of content bindings (CB-5)", elem)
		}
		for _, st := range cb.Subtypes {
			c.need(st, elem+" Subtype subtype_id")
		}
	}
}

// block checks a Content_Block (MSG-19, CB-4).
func (c *validator) block(b *ContentBlock) {
	id := b.Binding.BindingID
	c.need(id, "Content_Block binding_id")
	if len(b.Binding.Subtypes) > 1 {
		c.fail("Content_Block: more than one subtype")
	}
	for _, st := range b.Binding.Subtypes {
		c.need(st, "Content_Block subtype_id")
	}
	if strings.Contains(id, "|") {
		for _, layer := range strings.Split(id, "|") {
			if trimSpace(layer) == "" {
				c.fail("Content_Block: empty layer in nesting expression %q", clip(id, 80))
			}
		}
		if len(b.Binding.Subtypes) > 0 {
			c.fail("Content_Block: subtype with a nesting expression (CB-4)")
		}
	}
	c.timestamps("Content_Block", b.TimestampLabel, time.Time{}, false)
	c.inner("Content_Block Signature", b.Signature)
}

func (c *validator) blocks(elem string, rc *RecordCount, bs []ContentBlock) {
	if rc != nil && rc.Count < uint64(len(bs)) {
		c.fail("%s: Record_Count %d below the %d content blocks (MSG-17)", elem, rc.Count, len(bs))
	}
	for i := range bs {
		c.block(&bs[i])
	}
}

func (c *validator) query(elem string, q *Query) {
	if q == nil {
		return
	}
	c.need(q.FormatID, elem+" Query format_id")
	c.inner(elem+" Query", q.Body)
	if q.FormatID == QueryFormatDefault && c.err == nil {
		if err := checkDefaultQueryTimestamps(q.Body); err != nil {
			c.fail("%s Query: %v", elem, err)
		}
	}
}

func (c *validator) delivery(elem string, p *DeliveryParameters) {
	if p == nil {
		return
	}
	c.need(p.ProtocolBinding, elem+" Protocol_Binding")
	c.need(p.Address, elem+" Address")
	c.need(p.MessageBinding, elem+" Message_Binding")
	if c.v == V10 {
		c.bindings(elem, p.ContentBindings)
	}
}

func (c *validator) contact(elem string, sc *ServiceContact) {
	c.need(sc.ProtocolBinding, elem+" Protocol_Binding")
	c.need(sc.Address, elem+" Address")
	c.messageBindings(elem, sc.MessageBindings)
}

func (c *validator) messageBindings(elem string, mbs []string) {
	if len(mbs) == 0 {
		c.fail("%s: Message_Binding missing", elem)
	}
	for _, mb := range mbs {
		c.need(mb, elem+" Message_Binding")
	}
}

func (c *validator) responseType(elem string, rt ResponseType) {
	if rt != "" && rt != ResponseFull && rt != ResponseCountOnly {
		c.fail("%s: Response_Type %q unknown", elem, clip(string(rt), 40))
	}
}
