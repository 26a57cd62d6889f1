package protocol

import (
	"fmt"
	"strings"
	"time"
)

// message10 writes the attributes and children of a message in the TAXII
// 1.0 binding. Fields TAXII 1.0 cannot express (subtypes, queries,
// multi-part and asynchronous polling, volumes, Receiving_Inbox_Service,
// Destination_Collection_Name, block messages...) are left out (V10-6);
// Validate has refused what 1.0 requires and the message lacks.
func (e *encoder) message10(m Message) {
	switch m := m.(type) {
	case *StatusMessage:
		e.attr("status_type", string(m.StatusType))
		e.body(&m.Header)
		e.leafIf("Status_Detail", statusDetail10(m))
		e.leafIf("Message", m.Message)
	case *DiscoveryRequest, *CollectionInformationRequest:
		e.body(m.Head())
	case *DiscoveryResponse:
		e.body(&m.Header)
		for i := range m.ServiceInstances {
			e.serviceInstance10(&m.ServiceInstances[i])
		}
	case *CollectionInformationResponse:
		e.body(&m.Header)
		for i := range m.Collections {
			e.feed10(&m.Collections[i])
		}
	case *SubscriptionManagementRequest:
		e.attr("action", string(m.Action))
		e.attr("feed_name", m.CollectionName)
		e.attrIf("subscription_id", m.SubscriptionID)
		e.body(&m.Header)
		e.delivery("Push_Parameters", m.PushParameters)
	case *SubscriptionManagementResponse:
		e.attr("feed_name", m.CollectionName)
		e.body(&m.Header)
		e.leafIf("Message", m.Message)
		for i := range m.Subscriptions {
			e.subscription10(&m.Subscriptions[i])
		}
	case *PollRequest:
		e.attr("feed_name", m.CollectionName)
		e.attrIf("subscription_id", m.SubscriptionID)
		e.body(&m.Header)
		e.leafTime("Exclusive_Begin_Timestamp", m.ExclusiveBegin)
		e.leafTime("Inclusive_End_Timestamp", m.InclusiveEnd)
		if m.Parameters != nil {
			e.textBindings(m.Parameters.ContentBindings)
		}
	case *PollResponse:
		e.attr("feed_name", m.CollectionName)
		e.attrIf("subscription_id", m.SubscriptionID)
		e.body(&m.Header)
		e.leafIf("Message", m.Message)
		e.inclusiveBegin10(m.ExclusiveBegin)
		e.leafTime("Inclusive_End_Timestamp", m.InclusiveEnd)
		for i := range m.ContentBlocks {
			e.contentBlock(&m.ContentBlocks[i])
		}
	case *InboxMessage:
		e.body(&m.Header)
		e.leafIf("Message", m.Message)
		e.sourceSubscription10(m.SourceSubscription)
		for i := range m.ContentBlocks {
			e.contentBlock(&m.ContentBlocks[i])
		}
	default:
		e.fail(fmt.Errorf("%w: message type %T unknown in TAXII 1.0", ErrInvalid, m))
	}
	e.finish(m)
}

// statusDetail10 returns the string Status_Detail of a 1.0 Status_Message:
// the space-separated list for the UNSUPPORTED_* types, otherwise the
// details without a name.
func statusDetail10(m *StatusMessage) string {
	name := listDetail(m.StatusType)
	var vs []string
	for _, d := range m.Details {
		if d.Name == name {
			vs = append(vs, d.Value)
		}
	}
	return strings.Join(vs, " ")
}

func (e *encoder) serviceInstance10(si *ServiceInstance) {
	e.open("Service_Instance")
	st := string(si.ServiceType)
	if si.ServiceType == ServiceCollectionManagement {
		st = feedManagement
	}
	e.attr("service_type", st)
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
	e.textBindings(si.ContentBindings)
	e.leafIf("Message", si.Message)
	e.end("Service_Instance")
}

// textBindings writes 1.0 Content_Binding elements: binding IDs as text.
func (e *encoder) textBindings(cbs []ContentBinding) {
	for _, cb := range cbs {
		e.leaf("Content_Binding", cb.BindingID)
	}
}

func (e *encoder) feed10(c *CollectionInformation) {
	e.open("Feed")
	e.attr("feed_name", c.Name)
	if c.Available != nil {
		e.attrBool("available", *c.Available)
	}
	e.gt()
	e.leaf("Description", c.Description)
	e.textBindings(c.ContentBindings)
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
	e.end("Feed")
}

func (e *encoder) subscription10(s *SubscriptionInstance) {
	e.open("Subscription")
	e.attr("subscription_id", s.SubscriptionID)
	e.gt()
	e.delivery("Push_Parameters", s.PushParameters)
	for i := range s.PollInstances {
		e.contact("Poll_Instance", &s.PollInstances[i], nil)
	}
	e.end("Subscription")
}

// inclusiveBegin10 writes an exclusive begin bound as the 1.0 inclusive
// bound one microsecond later (V10-7).
func (e *encoder) inclusiveBegin10(exclusive time.Time) {
	if !exclusive.IsZero() {
		inclusive := exclusive.Truncate(time.Microsecond).Add(time.Microsecond)
		e.leafTime("Inclusive_Begin_Timestamp", inclusive)
	}
}

func (e *encoder) sourceSubscription10(ss *SourceSubscription) {
	if ss == nil {
		return
	}
	e.open("Source_Subscription")
	e.attr("feed_name", ss.CollectionName)
	e.attrIf("subscription_id", ss.SubscriptionID)
	e.gt()
	e.inclusiveBegin10(ss.ExclusiveBegin)
	e.leafTime("Inclusive_End_Timestamp", ss.InclusiveEnd)
	e.end("Source_Subscription")
}
