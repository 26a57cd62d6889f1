package protocol

import "time"

// feedAttrs reads the attributes of a 1.0 element that names a feed:
// feed_name, subscription_id when sub is set, the header attributes when h
// is set, and any others more knows (more may be nil).
func (d *decoder) feedAttrs(elem string, h *Header, response bool, feed, sub *string,
	more func(name, v string) error) error {
	err := d.attrs(elem, func(name, v string) error {
		switch {
		case name == "feed_name":
			*feed = trimSpace(v)
		case name == "subscription_id" && sub != nil:
			*sub = trimSpace(v)
		case h != nil && headerAttr(h, response, name, v):
		case more != nil:
			return more(name, v)
		default:
			return errUnknownAttr
		}
		return nil
	})
	if err != nil {
		return err
	}
	if h != nil {
		if err := checkHeader(elem, h, response); err != nil {
			return err
		}
	}
	if *feed == "" {
		return required(elem, "feed_name")
	}
	return nil
}

func (d *decoder) subscriptionRequest10() (Message, error) {
	const elem = "Subscription_Management_Request"
	m := &SubscriptionManagementRequest{}
	action := func(name, v string) error {
		if name != "action" {
			return errUnknownAttr
		}
		a, err := oneOf(elem, name, v, string(ActionSubscribe), string(ActionUnsubscribe),
			string(ActionStatus))
		m.Action = Action(a)
		return err
	}
	err := d.feedAttrs(elem, &m.Header, false, &m.CollectionName, &m.SubscriptionID, action)
	if err != nil {
		return nil, err
	}
	if m.Action == "" {
		return nil, required(elem, "action")
	}
	slots := []slot{slotExtendedHeaders, opt("Push_Parameters"), slotSignature}
	return m, d.body(elem, &m.Header, slots, func(name string) error {
		var err error
		m.PushParameters, err = d.pushParameters10()
		return err
	})
}

func (d *decoder) subscriptionResponse10() (Message, error) {
	const elem = "Subscription_Management_Response"
	m := &SubscriptionManagementResponse{}
	if err := d.feedAttrs(elem, &m.Header, true, &m.CollectionName, nil, nil); err != nil {
		return nil, err
	}
	return m, d.body(elem, &m.Header, subscriptionResponseSlots, func(name string) error {
		if name == "Message" {
			var err error
			m.Message, err = d.text("Message")
			return err
		}
		sub, err := d.subscription10()
		m.Subscriptions = append(m.Subscriptions, sub)
		return err
	})
}

func (d *decoder) subscription10() (SubscriptionInstance, error) {
	const elem = "Subscription"
	var sub SubscriptionInstance
	err := d.attrs(elem, func(name, v string) error {
		if name != "subscription_id" {
			return errUnknownAttr
		}
		sub.SubscriptionID = trimSpace(v)
		return nil
	})
	if err != nil {
		return sub, err
	}
	if sub.SubscriptionID == "" {
		return sub, required(elem, "subscription_id")
	}
	slots := []slot{opt("Push_Parameters"), many("Poll_Instance")}
	return sub, d.children(elem, slots, func(name string) error {
		if name == "Push_Parameters" {
			var err error
			sub.PushParameters, err = d.pushParameters10()
			return err
		}
		sc, err := d.contact("Poll_Instance")
		sub.PollInstances = append(sub.PollInstances, sc)
		return err
	})
}

// pollRequest10 reads a 1.0 Poll_Request. Its content bindings become
// Parameters, which is also set when no subscription is named.
func (d *decoder) pollRequest10() (Message, error) {
	const elem = "Poll_Request"
	m := &PollRequest{}
	err := d.feedAttrs(elem, &m.Header, false, &m.CollectionName, &m.SubscriptionID, nil)
	if err != nil {
		return nil, err
	}
	var cbs []ContentBinding
	slots := []slot{
		slotExtendedHeaders, opt("Exclusive_Begin_Timestamp"), opt("Inclusive_End_Timestamp"),
		many("Content_Binding"), slotSignature,
	}
	err = d.body(elem, &m.Header, slots, func(name string) error {
		var err error
		switch name {
		case "Exclusive_Begin_Timestamp":
			m.ExclusiveBegin, err = d.timestamp(name)
		case "Inclusive_End_Timestamp":
			m.InclusiveEnd, err = d.timestamp(name)
		case "Content_Binding":
			cbs, err = d.textBinding(cbs)
		}
		return err
	})
	if m.SubscriptionID == "" || len(cbs) > 0 {
		m.Parameters = &PollParameters{ContentBindings: cbs}
	}
	return m, err
}

func (d *decoder) pollResponse10() (Message, error) {
	const elem = "Poll_Response"
	m := &PollResponse{}
	err := d.feedAttrs(elem, &m.Header, true, &m.CollectionName, &m.SubscriptionID, nil)
	if err != nil {
		return nil, err
	}
	slots := []slot{
		slotExtendedHeaders, opt("Message"), opt("Inclusive_Begin_Timestamp"),
		one("Inclusive_End_Timestamp"), many("Content_Block"), slotSignature,
	}
	return m, d.body(elem, &m.Header, slots, func(name string) error {
		var err error
		switch name {
		case "Message":
			m.Message, err = d.text(name)
		case "Inclusive_Begin_Timestamp":
			m.ExclusiveBegin, err = d.inclusiveBegin(name)
		case "Inclusive_End_Timestamp":
			m.InclusiveEnd, err = d.timestamp(name)
		case "Content_Block":
			var b ContentBlock
			b, err = d.contentBlock10()
			m.ContentBlocks = append(m.ContentBlocks, b)
		}
		return err
	})
}

func (d *decoder) inclusiveBegin(elem string) (time.Time, error) {
	t, err := d.timestamp(elem)
	if err != nil {
		return t, err
	}
	return inclusiveBegin10(t)
}

var contentBlock10Slots = []slot{
	one("Content_Binding"), one("Content"), opt("Timestamp_Label"), opt("Padding"), slotSignature,
}

// contentBlock10 reads a 1.0 Content_Block, whose binding is text.
func (d *decoder) contentBlock10() (ContentBlock, error) {
	var b ContentBlock
	if err := d.noAttrs("Content_Block"); err != nil {
		return b, err
	}
	return b, d.children("Content_Block", contentBlock10Slots, func(name string) error {
		var err error
		switch name {
		case "Content_Binding":
			b.Binding.BindingID, err = d.token(name)
			if err == nil && b.Binding.BindingID == "" {
				err = schemaErr("Content_Binding: empty")
			}
		case "Content":
			b.Content, b.IsXML, err = d.content()
		case "Timestamp_Label":
			b.TimestampLabel, err = d.timestamp(name)
		case "Padding":
			b.Padding, err = d.text(name)
		case "Signature":
			b.Signature, err = d.signature()
		}
		return err
	})
}

func (d *decoder) inbox10() (Message, error) {
	const elem = "Inbox_Message"
	m := &InboxMessage{}
	if err := d.header(elem, &m.Header, false, nil); err != nil {
		return nil, err
	}
	slots := []slot{
		slotExtendedHeaders, opt("Message"), opt("Source_Subscription"), many("Content_Block"),
		slotSignature,
	}
	return m, d.body(elem, &m.Header, slots, func(name string) error {
		var err error
		switch name {
		case "Message":
			m.Message, err = d.text(name)
		case "Source_Subscription":
			m.SourceSubscription, err = d.sourceSubscription10()
		case "Content_Block":
			var b ContentBlock
			b, err = d.contentBlock10()
			m.ContentBlocks = append(m.ContentBlocks, b)
		}
		return err
	})
}

func (d *decoder) sourceSubscription10() (*SourceSubscription, error) {
	const elem = "Source_Subscription"
	ss := &SourceSubscription{}
	err := d.feedAttrs(elem, nil, false, &ss.CollectionName, &ss.SubscriptionID, nil)
	if err != nil {
		return nil, err
	}
	slots := []slot{opt("Inclusive_Begin_Timestamp"), one("Inclusive_End_Timestamp")}
	return ss, d.children(elem, slots, func(name string) error {
		var err error
		if name := name; name == "Inclusive_Begin_Timestamp" {
			ss.ExclusiveBegin, err = d.inclusiveBegin(name)
		} else {
			ss.InclusiveEnd, err = d.timestamp(name)
		}
		return err
	})
}
