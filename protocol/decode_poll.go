package protocol

var pollRequestSlots = []slot{
	slotExtendedHeaders, opt("Exclusive_Begin_Timestamp"), opt("Inclusive_End_Timestamp"),
	opt("Subscription_ID"), opt("Poll_Parameters"), slotSignature,
}

// pollRequest reads a Poll_Request (MSG-70). The schema's choice of
// Subscription_ID or Poll_Parameters is checked by validate.
func (d *decoder) pollRequest() (Message, error) {
	const elem = "Poll_Request"
	m := &PollRequest{}
	err := d.header(elem, &m.Header, false, func(name, v string) error {
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
	return m, d.body(elem, &m.Header, pollRequestSlots, func(name string) error {
		var err error
		switch name {
		case "Exclusive_Begin_Timestamp":
			m.ExclusiveBegin, err = d.timestamp(name)
		case "Inclusive_End_Timestamp":
			m.InclusiveEnd, err = d.timestamp(name)
		case "Subscription_ID":
			m.SubscriptionID, err = d.token(name)
		case "Poll_Parameters":
			m.Parameters, err = d.pollParameters()
		}
		return err
	})
}

// pollParameters reads Poll_Parameters (MSG-16).
func (d *decoder) pollParameters() (*PollParameters, error) {
	const elem = "Poll_Parameters"
	p := &PollParameters{}
	var err error
	err = d.attrs(elem, func(name, v string) error {
		if name != "allow_asynch" {
			return errUnknownAttr
		}
		p.AllowAsynch, err = boolean(elem, name, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	slots := []slot{
		opt("Response_Type"), many("Content_Binding"), opt("Query"), opt("Delivery_Parameters"),
	}
	return p, d.children(elem, slots, func(name string) error {
		if name == "Delivery_Parameters" {
			var err error
			p.DeliveryParameters, err = d.deliveryParameters("Delivery_Parameters")
			return err
		}
		var err error
		p.ResponseType, p.ContentBindings, p.Query, err = d.parameter(name,
			p.ResponseType, p.ContentBindings, p.Query)
		return err
	})
}

var pollResponseSlots = []slot{
	slotExtendedHeaders, opt("Subscription_ID"), opt("Exclusive_Begin_Timestamp"),
	opt("Inclusive_End_Timestamp"), opt("Record_Count"), opt("Message"), many("Content_Block"),
	slotSignature,
}

// pollResponse reads a Poll_Response (MSG-80).
func (d *decoder) pollResponse() (Message, error) {
	const elem = "Poll_Response"
	m := &PollResponse{}
	var err error
	err = d.header(elem, &m.Header, true, func(name, v string) error {
		switch name {
		case "collection_name":
			m.CollectionName = trimSpace(v)
		case "more":
			m.More, err = boolean(elem, name, v)
		case "result_id":
			m.ResultID = trimSpace(v)
		case "result_part_number":
			m.ResultPartNumber, err = positive(elem, name, v)
		default:
			return errUnknownAttr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if m.CollectionName == "" {
		return nil, required(elem, "collection_name")
	}
	return m, d.body(elem, &m.Header, pollResponseSlots, func(name string) error {
		var err error
		switch name {
		case "Subscription_ID":
			m.SubscriptionID, err = d.token(name)
		case "Exclusive_Begin_Timestamp":
			m.ExclusiveBegin, err = d.timestamp(name)
		case "Inclusive_End_Timestamp":
			m.InclusiveEnd, err = d.timestamp(name)
		case "Record_Count":
			m.RecordCount, err = d.recordCount()
		case "Message":
			m.Message, err = d.text(name)
		case "Content_Block":
			var b ContentBlock
			b, err = d.contentBlock()
			m.ContentBlocks = append(m.ContentBlocks, b)
		}
		return err
	})
}

// pollFulfillment reads a Poll_Fulfillment (MSG-90); an absent
// result_part_number means part 1 (AMB-1).
func (d *decoder) pollFulfillment() (Message, error) {
	const elem = "Poll_Fulfillment"
	m := &PollFulfillment{ResultPartNumber: 1}
	var err error
	err = d.header(elem, &m.Header, false, func(name, v string) error {
		switch name {
		case "collection_name":
			m.CollectionName = trimSpace(v)
		case "result_id":
			m.ResultID = trimSpace(v)
		case "result_part_number":
			m.ResultPartNumber, err = positive(elem, name, v)
		default:
			return errUnknownAttr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if m.CollectionName == "" || m.ResultID == "" {
		return nil, required(elem, "collection_name", "result_id")
	}
	return m, d.bareChildren(elem, &m.Header)
}

var inboxSlots = []slot{
	slotExtendedHeaders, many("Destination_Collection_Name"), opt("Message"),
	opt("Source_Subscription"), opt("Record_Count"), many("Content_Block"), slotSignature,
}

// inboxMessage reads an Inbox_Message (MSG-95).
func (d *decoder) inboxMessage() (Message, error) {
	const elem = "Inbox_Message"
	m := &InboxMessage{}
	err := d.header(elem, &m.Header, false, func(name, v string) error {
		if name == "result_id" {
			m.ResultID = trimSpace(v)
			return nil
		}
		return errUnknownAttr
	})
	if err != nil {
		return nil, err
	}
	return m, d.body(elem, &m.Header, inboxSlots, func(name string) error {
		var err error
		switch name {
		case "Destination_Collection_Name":
			var s string
			s, err = d.token(name)
			m.DestinationCollectionNames = append(m.DestinationCollectionNames, s)
		case "Message":
			m.Message, err = d.text(name)
		case "Source_Subscription":
			m.SourceSubscription, err = d.sourceSubscription()
		case "Record_Count":
			m.RecordCount, err = d.recordCount()
		case "Content_Block":
			var b ContentBlock
			b, err = d.contentBlock()
			m.ContentBlocks = append(m.ContentBlocks, b)
		}
		return err
	})
}

// sourceSubscription reads a Source_Subscription (MSG-95).
func (d *decoder) sourceSubscription() (*SourceSubscription, error) {
	const elem = "Source_Subscription"
	ss := &SourceSubscription{}
	err := d.attrs(elem, func(name, v string) error {
		if name != "collection_name" {
			return errUnknownAttr
		}
		ss.CollectionName = trimSpace(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ss.CollectionName == "" {
		return nil, required(elem, "collection_name")
	}
	slots := []slot{
		one("Subscription_ID"), opt("Exclusive_Begin_Timestamp"), opt("Inclusive_End_Timestamp"),
	}
	return ss, d.children(elem, slots, func(name string) error {
		var err error
		switch name {
		case "Subscription_ID":
			ss.SubscriptionID, err = d.token(name)
		case "Exclusive_Begin_Timestamp":
			ss.ExclusiveBegin, err = d.timestamp(name)
		case "Inclusive_End_Timestamp":
			ss.InclusiveEnd, err = d.timestamp(name)
		}
		return err
	})
}
