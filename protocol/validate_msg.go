package protocol

import "fmt"

// status checks a Status_Message and its details (MSG-22, §6).
func (c *validator) status(m *StatusMessage) {
	c.need(string(m.StatusType), "status_type")
	for _, d := range m.Details {
		if c.v == V11 || d.Name != "" {
			c.need(d.Name, "Detail name")
		}
		c.inner("Detail", []byte(d.XML))
	}
	if c.v == V10 {
		if m.StatusType == StatusRetry {
			for _, v := range m.DetailValues("") {
				if _, err := ParseTimestamp(v); err != nil {
					c.fail("RETRY: Status_Detail is not a timestamp (V10-5)")
				}
			}
		}
		return
	}
	switch m.StatusType {
	case StatusInvalidResponsePart:
		c.single(m, DetailMaxPartNumber, true, isPositive) // ST-6
	case StatusPending:
		c.single(m, DetailEstimatedWait, true, isPositive) // ST-9
		c.single(m, DetailResultID, true, notEmpty)
		c.single(m, DetailWillPush, true, isBoolean)
	case StatusRetry:
		c.single(m, DetailEstimatedWait, false, isPositive) // ST-11
	case StatusUnsupportedTargeting:
		c.scopes(m) // ST-19
	}
	for _, o := range detailOwners {
		if o.status != m.StatusType {
			continue
		}
		for _, v := range m.DetailValues(o.name) {
			if v == "" {
				c.fail("%s: %s detail empty", m.StatusType, o.name)
			}
		}
	}
}

// detailOwners maps the URI-valued details to the status type defining
// them; their values must not be empty.
var detailOwners = []struct {
	name   string
	status StatusType
}{
	{DetailAcceptableDestination, StatusDestinationCollection},
	{DetailItem, StatusNotFound},
	{DetailSupportedBinding, StatusUnsupportedMessage},
	{DetailSupportedContent, StatusUnsupportedContent},
	{DetailSupportedProtocol, StatusUnsupportedProtocol},
	{DetailSupportedQuery, StatusUnsupportedQuery},
	{DetailCapabilityModule, StatusUnsupportedCapability},
	{DetailTargetingExpressionID, StatusUnsupportedTargetingID},
}

// single checks a detail given at most once, present when required, whose
// value passes ok (AMB-29).
func (c *validator) single(m *StatusMessage, name string, required bool, ok func(string) bool) {
	vs := m.DetailValues(name)
	switch {
	case len(vs) == 0 && required:
		c.fail("%s: required detail %s missing (MSG-22)", m.StatusType, name)
	case len(vs) > 1:
		c.fail("%s: detail %s given %d times", m.StatusType, name, len(vs))
	case len(vs) == 1 && !ok(vs[0]):
		c.fail("%s: detail %s has a value of the wrong type (AMB-29)", m.StatusType, name)
	}
}

func isPositive(s string) bool {
	n, ok := parseUint(s)
	return ok && n > 0
}

func notEmpty(s string) bool { return s != "" }

func isBoolean(s string) bool {
	_, err := boolean("", "", s)
	return err == nil
}

// scopes checks UNSUPPORTED_TARGETING_EXPRESSION: at least one scope, all
// PREFERRED_SCOPE before all ALLOWED_SCOPE (ST-19).
func (c *validator) scopes(m *StatusMessage) {
	seen, allowed := false, false
	for _, d := range m.Details {
		switch d.Name {
		case DetailPreferredScope:
			if allowed {
				c.fail("%s: PREFERRED_SCOPE after ALLOWED_SCOPE (ST-19)", m.StatusType)
			}
			seen = true
		case DetailAllowedScope:
			seen, allowed = true, true
		default:
			continue
		}
		c.need(d.Value, string(m.StatusType)+" scope")
	}
	if !seen {
		c.fail("%s: PREFERRED_SCOPE or ALLOWED_SCOPE required (ST-19)", m.StatusType)
	}
}

// serviceInstance checks a Service_Instance (MSG-32).
func (c *validator) serviceInstance(si *ServiceInstance) {
	switch si.ServiceType {
	case ServiceDiscovery, ServiceCollectionManagement, ServiceInbox, ServicePoll:
	default:
		c.fail("Service_Instance: service_type %q unknown", clip(string(si.ServiceType), 40))
	}
	c.need(si.ServiceVersion, "Service_Instance service_version")
	c.contact("Service_Instance", &ServiceContact{
		ProtocolBinding: si.ProtocolBinding, Address: si.Address,
		MessageBindings: si.MessageBindings,
	})
	formats := make(map[string]bool, len(si.SupportedQueries))
	for _, sq := range si.SupportedQueries {
		c.need(sq.FormatID, "Supported_Query format_id")
		if formats[sq.FormatID] {
			c.fail("Service_Instance: two Supported_Query with format %q (MSG-32)",
				clip(sq.FormatID, 80))
		}
		formats[sq.FormatID] = true
		c.inner("Supported_Query", sq.Info)
	}
	c.bindings("Service_Instance", si.ContentBindings)
}

// collection checks a Collection (MSG-42; V10-8 for TAXII 1.0).
func (c *validator) collection(col *CollectionInformation) {
	c.need(col.Name, "Collection collection_name")
	if col.Type != "" && col.Type != DataFeed && col.Type != DataSet {
		c.fail("Collection: collection_type %q unknown", clip(string(col.Type), 40))
	}
	c.bindings("Collection", col.ContentBindings)
	for _, pm := range col.PushMethods {
		c.need(pm.ProtocolBinding, "Push_Method Protocol_Binding")
		c.messageBindings("Push_Method", pm.MessageBindings)
	}
	for i := range col.PollingServices {
		c.contact("Polling_Service", &col.PollingServices[i])
	}
	for i := range col.SubscriptionServices {
		c.contact("Subscription_Service", &col.SubscriptionServices[i])
	}
	for i := range col.ReceivingInboxServices {
		c.contact("Receiving_Inbox_Service", &col.ReceivingInboxServices[i].ServiceContact)
		c.bindings("Receiving_Inbox_Service", col.ReceivingInboxServices[i].ContentBindings)
	}
	if c.v == V10 {
		if len(col.ContentBindings) == 0 {
			c.fail("Feed: TAXII 1.0 needs at least one Content_Binding (V10-8)")
		}
		if len(col.PushMethods) == 0 && len(col.PollingServices) == 0 {
			c.fail("Feed: TAXII 1.0 needs a Push_Method or a Polling_Service (V10-8)")
		}
	}
}

// subscriptionRequest checks a Subscription_Management_Request (MSG-50).
func (c *validator) subscriptionRequest(m *SubscriptionManagementRequest) {
	const elem = "Subscription_Management_Request"
	switch m.Action {
	case ActionSubscribe, ActionUnsubscribe, ActionStatus:
	case ActionPause, ActionResume:
		if c.v == V10 {
			c.fail("%s: action %s does not exist in TAXII 1.0 (V10-6)", elem, m.Action)
		}
	default:
		c.fail("%s: action %q unknown", elem, clip(string(m.Action), 40))
	}
	c.need(m.CollectionName, elem+" collection_name")
	switch m.Action {
	case ActionUnsubscribe, ActionPause, ActionResume:
		c.need(m.SubscriptionID, fmt.Sprintf("%s: Subscription_ID for %s (MSG-50)", elem, m.Action))
	}
	if c.v == V11 && (m.Parameters != nil) != (m.Action == ActionSubscribe) {
		c.fail("%s: Subscription_Parameters if and only if the action is SUBSCRIBE (MSG-50)", elem)
	}
	c.subscriptionParameters(m.Parameters)
	c.delivery("Push_Parameters", m.PushParameters)
}

func (c *validator) subscriptionParameters(p *SubscriptionParameters) {
	if p == nil {
		return
	}
	c.responseType("Subscription_Parameters", p.ResponseType)
	c.bindings("Subscription_Parameters", p.ContentBindings)
	c.query("Subscription_Parameters", p.Query)
}

// subscriptionResponse checks a Subscription_Management_Response (MSG-60
// to MSG-62). Only an answer to STATUS may hold other than one
// Subscription, and an answer to STATUS gives each one's parameters.
func (c *validator) subscriptionResponse(m *SubscriptionManagementResponse) {
	c.need(m.CollectionName, "Subscription_Management_Response collection_name")
	for i := range m.Subscriptions {
		sub := &m.Subscriptions[i]
		c.need(sub.SubscriptionID, "Subscription Subscription_ID")
		switch sub.Status {
		case "", SubscriptionActive, SubscriptionPaused, SubscriptionUnsubscribed:
		default:
			c.fail("Subscription: status %q unknown", clip(string(sub.Status), 40))
		}
		c.subscriptionParameters(sub.Parameters)
		c.delivery("Push_Parameters", sub.PushParameters)
		for j := range sub.PollInstances {
			c.contact("Poll_Instance", &sub.PollInstances[j])
		}
		if c.v == V11 && len(m.Subscriptions) != 1 && sub.Parameters == nil {
			c.fail("Subscription_Management_Response: %d subscriptions, so an answer to STATUS, "+
				"but %s has no Subscription_Parameters (MSG-61, MSG-62)",
				len(m.Subscriptions), clip(sub.SubscriptionID, 80))
		}
	}
}

// pollRequest checks a Poll_Request (MSG-70, MSG-71, MSG-16).
func (c *validator) pollRequest(m *PollRequest) {
	c.need(m.CollectionName, "Poll_Request collection_name")
	if c.v == V11 && (m.SubscriptionID == "") == (m.Parameters == nil) {
		c.fail("Poll_Request: exactly one of Subscription_ID and Poll_Parameters (MSG-70)")
	}
	c.timestamps("Poll_Request", m.ExclusiveBegin, m.InclusiveEnd, true)
	if p := m.Parameters; p != nil {
		c.responseType("Poll_Parameters", p.ResponseType)
		c.bindings("Poll_Parameters", p.ContentBindings)
		c.query("Poll_Parameters", p.Query)
		if p.DeliveryParameters != nil && !p.AllowAsynch {
			c.fail("Poll_Parameters: Delivery_Parameters without allow_asynch (MSG-16)")
		}
		c.delivery("Delivery_Parameters", p.DeliveryParameters)
	}
}

// pollResponse checks a Poll_Response (MSG-80, MSG-17).
func (c *validator) pollResponse(m *PollResponse) {
	c.need(m.CollectionName, "Poll_Response collection_name")
	if m.More && m.ResultID == "" {
		c.fail("Poll_Response: more is true but result_id is missing (MSG-80)")
	}
	if m.ResultPartNumber < 0 {
		c.fail("Poll_Response: result_part_number %d negative", m.ResultPartNumber)
	}
	c.timestamps("Poll_Response", m.ExclusiveBegin, m.InclusiveEnd, false)
	if c.v == V10 && m.InclusiveEnd.IsZero() {
		c.fail("Poll_Response: TAXII 1.0 needs Inclusive_End_Timestamp (V10-8)")
	}
	c.blocks("Poll_Response", m.RecordCount, m.ContentBlocks)
}

// inbox checks an Inbox_Message (MSG-95, MSG-17).
func (c *validator) inbox(m *InboxMessage) {
	for _, n := range m.DestinationCollectionNames {
		c.need(n, "Destination_Collection_Name")
	}
	if ss := m.SourceSubscription; ss != nil {
		c.need(ss.CollectionName, "Source_Subscription collection_name")
		c.need(ss.SubscriptionID, "Source_Subscription Subscription_ID")
		c.timestamps("Source_Subscription", ss.ExclusiveBegin, ss.InclusiveEnd, false)
		if c.v == V10 && ss.InclusiveEnd.IsZero() {
			c.fail("Source_Subscription: TAXII 1.0 needs Inclusive_End_Timestamp (V10-8)")
		}
	}
	c.blocks("Inbox_Message", m.RecordCount, m.ContentBlocks)
}
