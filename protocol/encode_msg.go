package protocol

import (
	"fmt"
	"strconv"
)

// message11 writes the attributes and children of a TAXII 1.1 message in
// schema order (XML-4).
func (e *encoder) message11(m Message) {
	switch m := m.(type) {
	case *StatusMessage:
		e.attr("status_type", string(m.StatusType))
		e.body(&m.Header)
		e.details(m.Details)
		e.leafIf("Message", m.Message)
	case *DiscoveryRequest, *CollectionInformationRequest:
		e.body(m.Head())
	case *DiscoveryResponse:
		e.body(&m.Header)
		for i := range m.ServiceInstances {
			e.serviceInstance(&m.ServiceInstances[i])
		}
	case *CollectionInformationResponse:
		e.body(&m.Header)
		for i := range m.Collections {
			e.collection(&m.Collections[i])
		}
	case *SubscriptionManagementRequest:
		e.attr("action", string(m.Action))
		e.attr("collection_name", m.CollectionName)
		e.body(&m.Header)
		e.leafIf("Subscription_ID", m.SubscriptionID)
		e.subscriptionParameters(m.Parameters)
		e.delivery("Push_Parameters", m.PushParameters)
	case *SubscriptionManagementResponse:
		e.attr("collection_name", m.CollectionName)
		e.body(&m.Header)
		e.leafIf("Message", m.Message)
		for i := range m.Subscriptions {
			e.subscription(&m.Subscriptions[i])
		}
	case *PollRequest:
		e.pollRequest(m)
	case *PollResponse:
		e.pollResponse(m)
	case *PollFulfillment:
		e.attr("collection_name", m.CollectionName)
		e.attr("result_id", m.ResultID)
		e.attr("result_part_number", strconv.Itoa(max(m.ResultPartNumber, 1)))
		e.body(&m.Header)
	case *InboxMessage:
		e.inbox(m)
	default:
		e.fail(fmt.Errorf("%w: message type %T unknown", ErrInvalid, m))
	}
	e.finish(m)
}

// body ends the root's start tag and writes the extended headers.
func (e *encoder) body(h *Header) {
	e.gt()
	e.rootMark = len(e.buf)
	e.headerFirst(h)
}

func (e *encoder) details(ds []Detail) {
	if len(ds) == 0 {
		return
	}
	e.open("Status_Detail")
	e.gt()
	for _, d := range ds {
		e.open("Detail")
		e.attr("name", d.Name)
		e.gt()
		if d.XML != "" {
			e.buf = append(e.buf, d.XML...)
		} else {
			e.escaped("Detail", d.Value, false)
		}
		e.endInline("Detail")
	}
	e.end("Status_Detail")
}

func (e *encoder) serviceInstance(si *ServiceInstance) {
	e.open("Service_Instance")
	e.attr("service_type", string(si.ServiceType))
	e.attr("service_version", si.ServiceVersion)
	if si.Available != nil {
		e.attrBool("available", *si.Available)
	}
	e.gt()
	e.leaf("Protocol_Binding", si.ProtocolBinding)
	e.leaf("Address", si.Address)
	for _, mb := range si.MessageBindings {
		e.leaf("Message_Binding", mb)
	}
	for _, sq := range si.SupportedQueries {
		e.mixed("Supported_Query", "format_id", sq.FormatID, sq.Info)
	}
	e.bindingList(si.ContentBindings)
	e.leafIf("Message", si.Message)
	e.end("Service_Instance")
}

// mixed writes an element with one attribute and raw mixed content.
func (e *encoder) mixed(name, attr, v string, raw []byte) {
	e.open(name)
	e.attr(attr, v)
	e.gt()
	e.bulk(raw)
	e.endInline(name)
}

// bindingList writes ContentBindingIDType elements (MSG-10).
func (e *encoder) bindingList(cbs []ContentBinding) {
	for _, cb := range cbs {
		e.binding(cb)
	}
}

func (e *encoder) binding(cb ContentBinding) {
	e.open("Content_Binding")
	e.attr("binding_id", cb.BindingID)
	if len(cb.Subtypes) == 0 {
		e.closeEmpty()
		return
	}
	e.gt()
	for _, st := range cb.Subtypes {
		e.open("Subtype")
		e.attr("subtype_id", st)
		e.closeEmpty()
	}
	e.end("Content_Binding")
}

func (e *encoder) collection(c *CollectionInformation) {
	e.open("Collection")
	e.attr("collection_name", c.Name)
	e.attrIf("collection_type", string(c.Type))
	if c.Available != nil {
		e.attrBool("available", *c.Available)
	}
	e.gt()
	e.leaf("Description", c.Description)
	if c.Volume != nil {
		e.leaf("Collection_Volume", strconv.FormatUint(*c.Volume, 10))
	}
	e.bindingList(c.ContentBindings)
	for _, pm := range c.PushMethods {
		e.open("Push_Method")
		e.gt()
		e.leaf("Protocol_Binding", pm.ProtocolBinding)
		for _, mb := range pm.MessageBindings {
			e.leaf("Message_Binding", mb)
		}
		e.end("Push_Method")
	}
	for i := range c.PollingServices {
		e.contact("Polling_Service", &c.PollingServices[i], nil)
	}
	for i := range c.SubscriptionServices {
		e.contact("Subscription_Service", &c.SubscriptionServices[i], nil)
	}
	for i := range c.ReceivingInboxServices {
		ib := &c.ReceivingInboxServices[i]
		e.contact("Receiving_Inbox_Service", &ib.ServiceContact, ib.ContentBindings)
	}
	e.end("Collection")
}

// contact writes a service contact (MSG-11), with content bindings for a
// Receiving_Inbox_Service (MSG-14).
func (e *encoder) contact(name string, sc *ServiceContact, cbs []ContentBinding) {
	e.open(name)
	e.gt()
	e.leaf("Protocol_Binding", sc.ProtocolBinding)
	e.leaf("Address", sc.Address)
	for _, mb := range sc.MessageBindings {
		e.leaf("Message_Binding", mb)
	}
	e.bindingList(cbs)
	e.end(name)
}

// delivery writes Push_Parameters or Delivery_Parameters (MSG-13).
func (e *encoder) delivery(name string, p *DeliveryParameters) {
	if p == nil {
		return
	}
	e.open(name)
	e.gt()
	e.leaf("Protocol_Binding", p.ProtocolBinding)
	e.leaf("Address", p.Address)
	e.leaf("Message_Binding", p.MessageBinding)
	if e.v == V10 {
		for _, cb := range p.ContentBindings {
			e.leaf("Content_Binding", cb.BindingID)
		}
	}
	e.end(name)
}

func (e *encoder) subscriptionParameters(p *SubscriptionParameters) {
	if p == nil {
		return
	}
	e.open("Subscription_Parameters")
	e.gt()
	e.leafIf("Response_Type", string(p.ResponseType))
	e.bindingList(p.ContentBindings)
	e.query(p.Query)
	e.end("Subscription_Parameters")
}

func (e *encoder) query(q *Query) {
	if q != nil {
		e.mixed("Query", "format_id", q.FormatID, q.Body)
	}
}

func (e *encoder) subscription(s *SubscriptionInstance) {
	e.open("Subscription")
	e.attrIf("status", string(s.Status))
	e.gt()
	e.leaf("Subscription_ID", s.SubscriptionID)
	e.subscriptionParameters(s.Parameters)
	e.delivery("Push_Parameters", s.PushParameters)
	for i := range s.PollInstances {
		e.contact("Poll_Instance", &s.PollInstances[i], nil)
	}
	e.end("Subscription")
}

func (e *encoder) pollRequest(m *PollRequest) {
	e.attr("collection_name", m.CollectionName)
	e.body(&m.Header)
	e.leafTime("Exclusive_Begin_Timestamp", m.ExclusiveBegin)
	e.leafTime("Inclusive_End_Timestamp", m.InclusiveEnd)
	e.leafIf("Subscription_ID", m.SubscriptionID)
	if p := m.Parameters; p != nil {
		e.open("Poll_Parameters")
		if p.AllowAsynch {
			e.attrBool("allow_asynch", true)
		}
		e.gt()
		e.leafIf("Response_Type", string(p.ResponseType))
		e.bindingList(p.ContentBindings)
		e.query(p.Query)
		e.delivery("Delivery_Parameters", p.DeliveryParameters)
		e.end("Poll_Parameters")
	}
}

func (e *encoder) pollResponse(m *PollResponse) {
	e.attr("collection_name", m.CollectionName)
	if m.More {
		e.attrBool("more", true)
	}
	e.attrIf("result_id", m.ResultID)
	if m.ResultPartNumber > 0 {
		e.attr("result_part_number", strconv.Itoa(m.ResultPartNumber))
	}
	e.body(&m.Header)
	e.leafIf("Subscription_ID", m.SubscriptionID)
	e.leafTime("Exclusive_Begin_Timestamp", m.ExclusiveBegin)
	e.leafTime("Inclusive_End_Timestamp", m.InclusiveEnd)
	e.recordCount(m.RecordCount)
	e.leafIf("Message", m.Message)
	for i := range m.ContentBlocks {
		e.contentBlock(&m.ContentBlocks[i])
	}
}

func (e *encoder) recordCount(rc *RecordCount) {
	if rc == nil {
		return
	}
	e.open("Record_Count")
	if rc.Partial {
		e.attrBool("partial_count", true)
	}
	e.gt()
	e.buf = strconv.AppendUint(e.buf, rc.Count, 10)
	e.endInline("Record_Count")
}

// contentBlock writes a Content_Block (MSG-19); XML content goes out byte
// for byte, text content escaped.
func (e *encoder) contentBlock(b *ContentBlock) {
	e.open("Content_Block")
	e.gt()
	if e.v == V10 {
		e.leaf("Content_Binding", b.Binding.BindingID)
	} else {
		e.binding(b.Binding)
	}
	e.open("Content")
	e.gt()
	if b.IsXML {
		e.bulk(b.Content)
	} else {
		escapeInto(e, "Content", b.Content, false)
	}
	e.endInline("Content")
	e.leafTime("Timestamp_Label", b.TimestampLabel)
	if e.v == V11 {
		e.leafIf("Message", b.Message)
	}
	e.leafIf("Padding", b.Padding)
	e.rawElement(b.Signature)
	e.end("Content_Block")
	if len(e.buf) >= flushAt {
		e.flush()
	}
}

func (e *encoder) inbox(m *InboxMessage) {
	e.attrIf("result_id", m.ResultID)
	e.body(&m.Header)
	for _, n := range m.DestinationCollectionNames {
		e.leaf("Destination_Collection_Name", n)
	}
	e.leafIf("Message", m.Message)
	if ss := m.SourceSubscription; ss != nil {
		e.open("Source_Subscription")
		e.attr("collection_name", ss.CollectionName)
		e.gt()
		e.leaf("Subscription_ID", ss.SubscriptionID)
		e.leafTime("Exclusive_Begin_Timestamp", ss.ExclusiveBegin)
		e.leafTime("Inclusive_End_Timestamp", ss.InclusiveEnd)
		e.end("Source_Subscription")
	}
	e.recordCount(m.RecordCount)
	for i := range m.ContentBlocks {
		e.contentBlock(&m.ContentBlocks[i])
	}
}
