package protocol

var collectionResponseSlots = []slot{slotExtendedHeaders, many("Collection"), slotSignature}

func (d *decoder) collectionInformationResponse() (Message, error) {
	const elem = "Collection_Information_Response"
	m := &CollectionInformationResponse{}
	if err := d.header(elem, &m.Header, true, nil); err != nil {
		return nil, err
	}
	return m, d.body(elem, &m.Header, collectionResponseSlots, func(name string) error {
		c, err := d.collection()
		m.Collections = append(m.Collections, c)
		return err
	})
}

var collectionSlots = []slot{
	one("Description"), opt("Collection_Volume"), many("Content_Binding"), many("Push_Method"),
	many("Polling_Service"), many("Subscription_Service"), many("Receiving_Inbox_Service"),
}

// collection reads a Collection (MSG-42).
func (d *decoder) collection() (CollectionInformation, error) {
	const elem = "Collection"
	var c CollectionInformation
	var err error
	err = d.attrs(elem, func(name, v string) error {
		switch name {
		case "collection_name":
			c.Name = trimSpace(v)
		case "collection_type":
			var t string
			t, err = oneOf(elem, name, v, string(DataFeed), string(DataSet))
			c.Type = CollectionType(t)
		case "available":
			c.Available = new(bool)
			*c.Available, err = boolean(elem, name, v)
		default:
			return errUnknownAttr
		}
		return err
	})
	if err != nil {
		return c, err
	}
	if c.Name == "" {
		return c, required(elem, "collection_name")
	}
	return c, d.children(elem, collectionSlots, func(name string) error {
		var err error
		switch name {
		case "Description":
			c.Description, err = d.text("Description")
		case "Collection_Volume":
			var s string
			if s, err = d.text("Collection_Volume"); err == nil {
				n, ok := parseUint(s)
				if !ok {
					return schemaErr("Collection_Volume: not a non-negative integer")
				}
				c.Volume = &n
			}
		case "Content_Binding":
			var cb ContentBinding
			cb, err = d.contentBindingID()
			c.ContentBindings = append(c.ContentBindings, cb)
		case "Push_Method":
			var pm PushMethod
			pm, err = d.pushMethod()
			c.PushMethods = append(c.PushMethods, pm)
		case "Polling_Service":
			var sc ServiceContact
			sc, err = d.contact("Polling_Service")
			c.PollingServices = append(c.PollingServices, sc)
		case "Subscription_Service":
			var sc ServiceContact
			sc, err = d.contact("Subscription_Service")
			c.SubscriptionServices = append(c.SubscriptionServices, sc)
		case "Receiving_Inbox_Service":
			var ib InboxService
			ib, err = d.inboxService()
			c.ReceivingInboxServices = append(c.ReceivingInboxServices, ib)
		}
		return err
	})
}

func (d *decoder) pushMethod() (PushMethod, error) {
	var pm PushMethod
	slots := []slot{one("Protocol_Binding"), some("Message_Binding")}
	return pm, d.children("Push_Method", slots, func(name string) error {
		v, err := d.token(name)
		if name == "Protocol_Binding" {
			pm.ProtocolBinding = v
		} else {
			pm.MessageBindings = append(pm.MessageBindings, v)
		}
		return err
	})
}

// inboxService reads a Receiving_Inbox_Service (MSG-14).
func (d *decoder) inboxService() (InboxService, error) {
	var ib InboxService
	slots := []slot{
		one("Protocol_Binding"), one("Address"), some("Message_Binding"), many("Content_Binding"),
	}
	return ib, d.children("Receiving_Inbox_Service", slots, func(name string) error {
		if name != "Content_Binding" {
			return d.contactChild(&ib.ServiceContact, name)
		}
		cb, err := d.contentBindingID()
		ib.ContentBindings = append(ib.ContentBindings, cb)
		return err
	})
}

var subscriptionRequestSlots = []slot{
	slotExtendedHeaders, opt("Subscription_ID"), opt("Subscription_Parameters"),
	opt("Push_Parameters"), slotSignature,
}

func (d *decoder) subscriptionRequest() (Message, error) {
	const elem = "Subscription_Management_Request"
	m := &SubscriptionManagementRequest{}
	var err error
	err = d.header(elem, &m.Header, false, func(name, v string) error {
		switch name {
		case "action":
			var a string
			a, err = oneOf(elem, name, v, string(ActionSubscribe), string(ActionUnsubscribe),
				string(ActionPause), string(ActionResume), string(ActionStatus))
			m.Action = Action(a)
		case "collection_name":
			m.CollectionName = trimSpace(v)
		default:
			return errUnknownAttr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if m.Action == "" || m.CollectionName == "" {
		return nil, required(elem, "action", "collection_name")
	}
	return m, d.body(elem, &m.Header, subscriptionRequestSlots, func(name string) error {
		var err error
		switch name {
		case "Subscription_ID":
			m.SubscriptionID, err = d.token("Subscription_ID")
		case "Subscription_Parameters":
			m.Parameters, err = d.subscriptionParameters()
		case "Push_Parameters":
			m.PushParameters, err = d.deliveryParameters("Push_Parameters")
		}
		return err
	})
}

// subscriptionParameters reads Subscription_Parameters (MSG-15).
func (d *decoder) subscriptionParameters() (*SubscriptionParameters, error) {
	const elem = "Subscription_Parameters"
	p := &SubscriptionParameters{}
	if err := d.noAttrs(elem); err != nil {
		return nil, err
	}
	slots := []slot{opt("Response_Type"), many("Content_Binding"), opt("Query")}
	return p, d.children(elem, slots, func(name string) error {
		var err error
		p.ResponseType, p.ContentBindings, p.Query, err = d.parameter(name,
			p.ResponseType, p.ContentBindings, p.Query)
		return err
	})
}

// parameter reads a child shared by subscription and poll parameters.
func (d *decoder) parameter(name string, rt ResponseType, cbs []ContentBinding, q *Query) (
	ResponseType, []ContentBinding, *Query, error) {
	var err error
	switch name {
	case "Response_Type":
		var s string
		if s, err = d.text(name); err == nil {
			s, err = oneOf(name, "value", s, string(ResponseFull), string(ResponseCountOnly))
			rt = ResponseType(s)
		}
	case "Content_Binding":
		var cb ContentBinding
		cb, err = d.contentBindingID()
		cbs = append(cbs, cb)
	case "Query":
		q = &Query{}
		q.FormatID, q.Body, err = d.query("Query")
	}
	return rt, cbs, q, err
}

var subscriptionResponseSlots = []slot{
	slotExtendedHeaders, opt("Message"), many("Subscription"), slotSignature,
}

func (d *decoder) subscriptionResponse() (Message, error) {
	const elem = "Subscription_Management_Response"
	m := &SubscriptionManagementResponse{}
	err := d.header(elem, &m.Header, true, func(name, v string) error {
		if name == "collection_name" {
			m.CollectionName = trimSpace(v)
			return nil
		}
		return errUnknownAttr
	})
	if err != nil {
		return nil, err
	}
	if m.CollectionName == "" {
		return nil, required(elem, "collection_name")
	}
	return m, d.body(elem, &m.Header, subscriptionResponseSlots, func(name string) error {
		if name == "Message" {
			var err error
			m.Message, err = d.text("Message")
			return err
		}
		sub, err := d.subscription()
		m.Subscriptions = append(m.Subscriptions, sub)
		return err
	})
}

var subscriptionSlots = []slot{
	one("Subscription_ID"), opt("Subscription_Parameters"), opt("Push_Parameters"),
	many("Poll_Instance"),
}

// subscription reads a Subscription instance (MSG-62).
func (d *decoder) subscription() (SubscriptionInstance, error) {
	const elem = "Subscription"
	var sub SubscriptionInstance
	var err error
	err = d.attrs(elem, func(name, v string) error {
		if name != "status" {
			return errUnknownAttr
		}
		var s string
		s, err = oneOf(elem, name, v, string(SubscriptionActive), string(SubscriptionPaused),
			string(SubscriptionUnsubscribed))
		sub.Status = SubscriptionStatus(s)
		return err
	})
	if err != nil {
		return sub, err
	}
	return sub, d.children(elem, subscriptionSlots, func(name string) error {
		var err error
		switch name {
		case "Subscription_ID":
			sub.SubscriptionID, err = d.token("Subscription_ID")
		case "Subscription_Parameters":
			sub.Parameters, err = d.subscriptionParameters()
		case "Push_Parameters":
			sub.PushParameters, err = d.deliveryParameters("Push_Parameters")
		case "Poll_Instance":
			var sc ServiceContact
			sc, err = d.contact("Poll_Instance")
			sub.PollInstances = append(sub.PollInstances, sc)
		}
		return err
	})
}
