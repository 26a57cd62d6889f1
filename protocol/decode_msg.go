package protocol

import "fmt"

// message11 reads the root element of a TAXII 1.1 message (MSG-1).
func (d *decoder) message11(name string) (Message, error) {
	switch name {
	case string(TypeStatusMessage):
		return d.statusMessage()
	case string(TypeDiscoveryRequest):
		m := &DiscoveryRequest{}
		return m, d.bareRequest(name, &m.Header)
	case string(TypeDiscoveryResponse):
		return d.discoveryResponse()
	case string(TypeCollectionInformationRequest):
		m := &CollectionInformationRequest{}
		return m, d.bareRequest(name, &m.Header)
	case string(TypeCollectionInformationResponse):
		return d.collectionInformationResponse()
	case string(TypeSubscriptionManagementRequest):
		return d.subscriptionRequest()
	case string(TypeSubscriptionManagementResponse):
		return d.subscriptionResponse()
	case string(TypePollRequest):
		return d.pollRequest()
	case string(TypePollResponse):
		return d.pollResponse()
	case string(TypePollFulfillment):
		return d.pollFulfillment()
	case string(TypeInboxMessage):
		return d.inboxMessage()
	}
	return nil, fmt.Errorf("%w: unknown message %q", ErrNotTAXII, clip(name, 64))
}

// headerAttr takes the header attributes of any message (MSG-2).
func headerAttr(h *Header, response bool, name, v string) bool {
	switch {
	case name == "message_id":
		h.MessageID = trimSpace(v)
	case name == "in_response_to" && response:
		h.InResponseTo = trimSpace(v)
	default:
		return false
	}
	return true
}

// checkHeader reports a missing message_id or in_response_to.
func checkHeader(elem string, h *Header, response bool) error {
	if h.MessageID == "" {
		return required(elem, "message_id")
	}
	if response && h.InResponseTo == "" {
		return required(elem, "in_response_to")
	}
	return nil
}

// common reads the children every message may have: Extended_Headers and
// ds:Signature. It reports whether the child was one of them.
func (d *decoder) common(h *Header, name string) (bool, error) {
	switch name {
	case slotExtendedHeaders.name:
		return true, d.extendedHeaders(h)
	case slotSignature.name:
		sig, err := d.signature()
		h.Signature = sig
		return true, err
	}
	return false, nil
}

// header reads the attributes of a message's root: the header's, and any
// others more knows (more may be nil); then it checks that the header's
// are there.
func (d *decoder) header(elem string, h *Header, response bool,
	more func(name, v string) error) error {
	err := d.attrs(elem, func(name, v string) error {
		if headerAttr(h, response, name, v) {
			return nil
		}
		if more == nil {
			return errUnknownAttr
		}
		return more(name, v)
	})
	if err != nil {
		return err
	}
	return checkHeader(elem, h, response)
}

// body reads the children of a message's root: Extended_Headers and the
// signature itself, the others through fn.
func (d *decoder) body(elem string, h *Header, slots []slot, fn func(name string) error) error {
	return d.children(elem, slots, func(name string) error {
		if ok, err := d.common(h, name); ok {
			return err
		}
		return fn(name)
	})
}

// bareRequest reads a request that has nothing but the common parts:
// Discovery_Request (MSG-30), Collection_Information_Request (MSG-40).
func (d *decoder) bareRequest(elem string, h *Header) error {
	if err := d.header(elem, h, false, nil); err != nil {
		return err
	}
	return d.bareChildren(elem, h)
}

// bareChildren reads children that can only be the common ones.
func (d *decoder) bareChildren(elem string, h *Header) error {
	slots := []slot{slotExtendedHeaders, slotSignature}
	return d.body(elem, h, slots, func(string) error { return nil })
}

var statusSlots = []slot{slotExtendedHeaders, opt("Status_Detail"), opt("Message"), slotSignature}

func (d *decoder) statusMessage() (Message, error) {
	m, err := d.statusHeader()
	if err != nil {
		return nil, err
	}
	return m, d.body("Status_Message", &m.Header, statusSlots, func(name string) error {
		if name == "Message" {
			var err error
			m.Message, err = d.text("Message")
			return err
		}
		return d.children("Status_Detail", []slot{some("Detail")}, func(string) error {
			det, err := d.detail()
			m.Details = append(m.Details, det)
			return err
		})
	})
}

// statusHeader reads the attributes of a Status_Message, 1.1 or 1.0.
func (d *decoder) statusHeader() (*StatusMessage, error) {
	const elem = "Status_Message"
	m := &StatusMessage{}
	err := d.header(elem, &m.Header, true, func(name, v string) error {
		if name != "status_type" {
			return errUnknownAttr
		}
		m.StatusType = StatusType(trimSpace(v))
		return nil
	})
	if err == nil && m.StatusType == "" {
		err = required(elem, "status_type")
	}
	return m, err
}

// detail reads one Detail (MSG-21).
func (d *decoder) detail() (Detail, error) {
	var det Detail
	err := d.attrs("Detail", func(name, v string) error {
		if name != "name" {
			return errUnknownAttr
		}
		det.Name = trimSpace(v)
		return nil
	})
	if err != nil {
		return det, err
	}
	if det.Name == "" {
		return det, required("Detail", "name")
	}
	if err := d.s.capture(false, &d.cap); err != nil {
		return det, err
	}
	c := &d.cap
	det.Value = trimSpace(string(appendText(d.buf[:0], d.s.buf[c.lo:c.hi])))
	if c.first >= 0 {
		det.XML = string(d.s.assemble(c.lo, c.hi, c))
	}
	return det, nil
}

var discoveryResponseSlots = []slot{slotExtendedHeaders, many("Service_Instance"), slotSignature}

func (d *decoder) discoveryResponse() (Message, error) {
	const elem = "Discovery_Response"
	m := &DiscoveryResponse{}
	if err := d.header(elem, &m.Header, true, nil); err != nil {
		return nil, err
	}
	return m, d.body(elem, &m.Header, discoveryResponseSlots, func(name string) error {
		si, err := d.serviceInstance()
		m.ServiceInstances = append(m.ServiceInstances, si)
		return err
	})
}

var serviceInstanceSlots = []slot{
	one("Protocol_Binding"), one("Address"), some("Message_Binding"),
	many("Supported_Query"), many("Content_Binding"), opt("Message"),
}

// serviceInstance reads a Service_Instance (MSG-32).
func (d *decoder) serviceInstance() (ServiceInstance, error) {
	const elem = "Service_Instance"
	var si ServiceInstance
	var err error
	err = d.attrs(elem, func(name, v string) error {
		switch name {
		case "service_type":
			si.ServiceType = ServiceType(v)
		case "service_version":
			si.ServiceVersion = trimSpace(v)
		case "available":
			si.Available = new(bool)
			*si.Available, err = boolean(elem, name, v)
		default:
			return errUnknownAttr
		}
		return nil
	})
	if err != nil {
		return si, err
	}
	st, err := oneOf(elem, "service_type", string(si.ServiceType),
		string(ServiceDiscovery), string(ServiceCollectionManagement),
		string(ServiceInbox), string(ServicePoll))
	if err != nil {
		return si, err
	}
	si.ServiceType = ServiceType(st)
	if si.ServiceVersion == "" {
		return si, required(elem, "service_version")
	}
	return si, d.children(elem, serviceInstanceSlots, func(name string) error {
		var err error
		switch name {
		case "Protocol_Binding":
			si.ProtocolBinding, err = d.token("Protocol_Binding")
		case "Address":
			si.Address, err = d.token("Address")
		case "Message_Binding":
			var mb string
			mb, err = d.token("Message_Binding")
			si.MessageBindings = append(si.MessageBindings, mb)
		case "Supported_Query":
			var sq SupportedQuery
			sq.FormatID, sq.Info, err = d.query("Supported_Query")
			si.SupportedQueries = append(si.SupportedQueries, sq)
		case "Content_Binding":
			var cb ContentBinding
			cb, err = d.contentBindingID()
			si.ContentBindings = append(si.ContentBindings, cb)
		case "Message":
			si.Message, err = d.text("Message")
		}
		return err
	})
}

// query reads a Query or Supported_Query: a format_id and mixed content
// (MSG-18, MSG-32).
func (d *decoder) query(elem string) (string, InnerXML, error) {
	var format string
	err := d.attrs(elem, func(name, v string) error {
		if name != "format_id" {
			return errUnknownAttr
		}
		format = trimSpace(v)
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	if format == "" {
		return "", nil, required(elem, "format_id")
	}
	body, err := d.raw()
	return format, body, err
}

// contentBindingID reads a ContentBindingIDType: a binding and any number
// of subtypes (MSG-10).
func (d *decoder) contentBindingID() (ContentBinding, error) {
	return d.contentBinding("Content_Binding", 0)
}

// contentBinding reads a Content_Binding with at most max subtypes (0:
// unbounded); in a Content_Block, max is 1 (MSG-19).
func (d *decoder) contentBinding(elem string, max uint8) (ContentBinding, error) {
	var cb ContentBinding
	err := d.attrs(elem, func(name, v string) error {
		if name != "binding_id" {
			return errUnknownAttr
		}
		cb.BindingID = trimSpace(v)
		return nil
	})
	if err != nil {
		return cb, err
	}
	if cb.BindingID == "" {
		return cb, required(elem, "binding_id")
	}
	sl := many("Subtype")
	sl.max = max
	return cb, d.children(elem, []slot{sl}, func(string) error {
		var sub string
		err := d.attrs("Subtype", func(name, v string) error {
			if name != "subtype_id" {
				return errUnknownAttr
			}
			sub = trimSpace(v)
			return nil
		})
		if err != nil {
			return err
		}
		if sub == "" {
			return required("Subtype", "subtype_id")
		}
		cb.Subtypes = append(cb.Subtypes, sub)
		return d.noChildren("Subtype")
	})
}

// contact reads the Protocol_Binding, Address and Message_Binding group of
// a service contact (MSG-11).
func (d *decoder) contact(elem string) (ServiceContact, error) {
	var c ServiceContact
	slots := []slot{one("Protocol_Binding"), one("Address"), some("Message_Binding")}
	return c, d.children(elem, slots, func(name string) error {
		return d.contactChild(&c, name)
	})
}

func (d *decoder) contactChild(c *ServiceContact, name string) error {
	v, err := d.token(name)
	switch name {
	case "Protocol_Binding":
		c.ProtocolBinding = v
	case "Address":
		c.Address = v
	case "Message_Binding":
		c.MessageBindings = append(c.MessageBindings, v)
	}
	return err
}

// deliveryParameters reads Push_Parameters or Delivery_Parameters
// (MSG-13).
func (d *decoder) deliveryParameters(elem string) (*DeliveryParameters, error) {
	p := &DeliveryParameters{}
	slots := []slot{one("Protocol_Binding"), one("Address"), one("Message_Binding")}
	return p, d.children(elem, slots, func(name string) error {
		v, err := d.token(name)
		switch name {
		case "Protocol_Binding":
			p.ProtocolBinding = v
		case "Address":
			p.Address = v
		case "Message_Binding":
			p.MessageBinding = v
		}
		return err
	})
}

// recordCount reads a Record_Count (MSG-17).
func (d *decoder) recordCount() (*RecordCount, error) {
	const elem = "Record_Count"
	rc := &RecordCount{}
	var err error
	err = d.attrs(elem, func(name, v string) error {
		if name != "partial_count" {
			return errUnknownAttr
		}
		rc.Partial, err = boolean(elem, name, v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	s, err := d.text(elem)
	if err != nil {
		return nil, err
	}
	n, ok := parseUint(s)
	if !ok {
		return nil, schemaErr("%s: not a non-negative integer", elem)
	}
	rc.Count = n
	return rc, nil
}

var contentBlockSlots = []slot{
	one("Content_Binding"), one("Content"), opt("Timestamp_Label"), opt("Message"),
	opt("Padding"), slotSignature,
}

// contentBlock reads a Content_Block (MSG-19).
func (d *decoder) contentBlock() (ContentBlock, error) {
	var b ContentBlock
	if err := d.noAttrs("Content_Block"); err != nil {
		return b, err
	}
	return b, d.children("Content_Block", contentBlockSlots, func(name string) error {
		var err error
		switch name {
		case "Content_Binding":
			b.Binding, err = d.contentBinding("Content_Binding", 1)
		case "Content":
			b.Content, b.IsXML, err = d.content()
		case "Timestamp_Label":
			b.TimestampLabel, err = d.timestamp("Timestamp_Label")
		case "Message":
			b.Message, err = d.text("Message")
		case "Padding":
			b.Padding, err = d.text("Padding")
		case "Signature":
			b.Signature, err = d.signature()
		}
		return err
	})
}

// content reads a Content element: element children are kept byte for
// byte from the first child's '<' to the last child's '>', with the
// namespace declarations they borrow from ancestors added; text and CDATA
// are kept unescaped. When significant text surrounds the elements, all
// of the inner bytes are kept, so that nothing is lost.
func (d *decoder) content() ([]byte, bool, error) {
	if err := d.noAttrs("Content"); err != nil {
		return nil, false, err
	}
	c := &d.cap
	if err := d.s.capture(false, c); err != nil {
		return nil, false, err
	}
	switch {
	case c.first < 0:
		if c.hi == c.lo {
			return nil, false, nil
		}
		text := appendText(d.buf[:0], d.s.buf[c.lo:c.hi])
		if len(text) == 0 {
			return nil, false, nil // only comments or processing instructions
		}
		return append([]byte(nil), text...), false, nil
	case c.outside:
		return d.s.assemble(c.lo, c.hi, c), true, nil
	}
	return d.s.assemble(c.first, c.last, c), true, nil
}

// noAttrs refuses any unqualified attribute on the element just started.
func (d *decoder) noAttrs(elem string) error {
	return d.attrs(elem, func(string, string) error { return errUnknownAttr })
}
