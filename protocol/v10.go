package protocol

import (
	"fmt"
	"time"
)

// TAXII 1.0 (digest §12) decodes onto the types of TAXII 1.1, with
// Header.Version V10: Feed_* messages become Collection_*, feed_name the
// collection name, FEED_MANAGEMENT COLLECTION_MANAGEMENT, subscription_id
// attributes the SubscriptionID fields and text Content_Binding elements
// ContentBindings without subtypes. The inclusive begin bound of a 1.0
// Poll_Response or Source_Subscription becomes the exclusive bound one
// microsecond earlier, which selects the same labels because labels are
// whole microseconds (V10-7). A 1.0 Status_Detail is a string: for the
// UNSUPPORTED_MESSAGE, _CONTENT and _PROTOCOL types it is split into
// SUPPORTED_BINDING, _CONTENT and _PROTOCOL details; otherwise it is one
// Detail with an empty Name (for RETRY, a timestamp, V10-5).

// feedManagement is the TAXII 1.0 name of the collection management service.
const feedManagement = "FEED_MANAGEMENT"

// message10 reads the root element of a TAXII 1.0 message.
func (d *decoder) message10(name string) (Message, error) {
	switch name {
	case "Status_Message":
		return d.status10()
	case "Discovery_Request":
		m := &DiscoveryRequest{}
		return m, d.bareRequest(name, &m.Header)
	case "Discovery_Response":
		return d.discovery10()
	case "Feed_Information_Request":
		m := &CollectionInformationRequest{}
		return m, d.bareRequest(name, &m.Header)
	case "Feed_Information_Response":
		return d.feedResponse10()
	case "Subscription_Management_Request":
		return d.subscriptionRequest10()
	case "Subscription_Management_Response":
		return d.subscriptionResponse10()
	case "Poll_Request":
		return d.pollRequest10()
	case "Poll_Response":
		return d.pollResponse10()
	case "Inbox_Message":
		return d.inbox10()
	}
	return nil, fmt.Errorf("%w: unknown TAXII 1.0 message %q", ErrNotTAXII, clip(name, 64))
}

func (d *decoder) status10() (Message, error) {
	m, err := d.statusHeader()
	if err != nil {
		return nil, err
	}
	return m, d.body("Status_Message", &m.Header, statusSlots, func(name string) error {
		s, err := d.text(name)
		if name == "Message" {
			m.Message = s
		} else {
			m.Details = details10(m.StatusType, s)
		}
		return err
	})
}

// listDetail names the detail a TAXII 1.0 space-separated Status_Detail
// holds for a status type, or "".
func listDetail(t StatusType) string {
	switch t {
	case StatusUnsupportedMessage:
		return DetailSupportedBinding
	case StatusUnsupportedContent:
		return DetailSupportedContent
	case StatusUnsupportedProtocol:
		return DetailSupportedProtocol
	}
	return ""
}

func details10(t StatusType, s string) []Detail {
	s = trimSpace(s)
	if s == "" {
		return nil
	}
	name := listDetail(t)
	if name == "" {
		return []Detail{{Value: s}}
	}
	var ds []Detail
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		if j > i {
			ds = append(ds, Detail{Name: name, Value: s[i:j]})
		}
		i = j + 1
	}
	return ds
}

func (d *decoder) discovery10() (Message, error) {
	const elem = "Discovery_Response"
	m := &DiscoveryResponse{}
	if err := d.header(elem, &m.Header, true, nil); err != nil {
		return nil, err
	}
	return m, d.body(elem, &m.Header, discoveryResponseSlots, func(name string) error {
		si, err := d.serviceInstance10()
		m.ServiceInstances = append(m.ServiceInstances, si)
		return err
	})
}

var serviceInstance10Slots = []slot{
	one("Protocol_Binding"), one("Address"), some("Message_Binding"), many("Content_Binding"),
	opt("Message"),
}

func (d *decoder) serviceInstance10() (ServiceInstance, error) {
	const elem = "Service_Instance"
	var si ServiceInstance
	var err error
	err = d.attrs(elem, func(name, v string) error {
		switch name {
		case "service_type":
			var st string
			st, err = oneOf(elem, name, v, string(ServiceDiscovery), feedManagement,
				string(ServiceInbox), string(ServicePoll))
			if st == feedManagement {
				st = string(ServiceCollectionManagement)
			}
			si.ServiceType = ServiceType(st)
		case "service_version":
			si.ServiceVersion = trimSpace(v)
		case "available":
			si.Available = new(bool)
			*si.Available, err = boolean(elem, name, v)
		default:
			return errUnknownAttr
		}
		return err
	})
	if err != nil {
		return si, err
	}
	if si.ServiceType == "" || si.ServiceVersion == "" {
		return si, required(elem, "service_type", "service_version")
	}
	return si, d.children(elem, serviceInstance10Slots, func(name string) error {
		var err error
		switch name {
		case "Content_Binding":
			si.ContentBindings, err = d.textBinding(si.ContentBindings)
		case "Message":
			si.Message, err = d.text(name)
		default:
			sc := ServiceContact{si.ProtocolBinding, si.Address, si.MessageBindings}
			err = d.contactChild(&sc, name)
			si.ProtocolBinding, si.Address = sc.ProtocolBinding, sc.Address
			si.MessageBindings = sc.MessageBindings
		}
		return err
	})
}

// textBinding reads a TAXII 1.0 Content_Binding, a binding ID as text.
func (d *decoder) textBinding(cbs []ContentBinding) ([]ContentBinding, error) {
	id, err := d.token("Content_Binding")
	if err == nil && id == "" {
		err = schemaErr("Content_Binding: empty")
	}
	return append(cbs, ContentBinding{BindingID: id}), err
}

func (d *decoder) feedResponse10() (Message, error) {
	const elem = "Feed_Information_Response"
	m := &CollectionInformationResponse{}
	if err := d.header(elem, &m.Header, true, nil); err != nil {
		return nil, err
	}
	slots := []slot{slotExtendedHeaders, many("Feed"), slotSignature}
	return m, d.body(elem, &m.Header, slots, func(name string) error {
		c, err := d.feed10()
		m.Collections = append(m.Collections, c)
		return err
	})
}

var feed10Slots = []slot{
	one("Description"), some("Content_Binding"), many("Push_Method"), many("Polling_Service"),
	many("Subscription_Service"),
}

// feed10 reads a TAXII 1.0 Feed (V10-8).
func (d *decoder) feed10() (CollectionInformation, error) {
	const elem = "Feed"
	var c CollectionInformation
	var err error
	err = d.attrs(elem, func(name, v string) error {
		switch name {
		case "feed_name":
			c.Name = trimSpace(v)
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
		return c, required(elem, "feed_name")
	}
	return c, d.children(elem, feed10Slots, func(name string) error {
		var err error
		switch name {
		case "Description":
			c.Description, err = d.text(name)
		case "Content_Binding":
			c.ContentBindings, err = d.textBinding(c.ContentBindings)
		case "Push_Method":
			var pm PushMethod
			pm, err = d.pushMethod()
			c.PushMethods = append(c.PushMethods, pm)
		case "Polling_Service":
			var sc ServiceContact
			sc, err = d.contact(name)
			c.PollingServices = append(c.PollingServices, sc)
		case "Subscription_Service":
			var sc ServiceContact
			sc, err = d.contact(name)
			c.SubscriptionServices = append(c.SubscriptionServices, sc)
		}
		return err
	})
}

// pushParameters10 reads TAXII 1.0 Push_Parameters, which also list
// content bindings.
func (d *decoder) pushParameters10() (*DeliveryParameters, error) {
	p := &DeliveryParameters{}
	slots := []slot{
		one("Protocol_Binding"), one("Address"), one("Message_Binding"), many("Content_Binding"),
	}
	return p, d.children("Push_Parameters", slots, func(name string) error {
		if name == "Content_Binding" {
			var err error
			p.ContentBindings, err = d.textBinding(p.ContentBindings)
			return err
		}
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

// inclusiveBegin10 turns a TAXII 1.0 inclusive begin bound into the
// exclusive bound one microsecond earlier (V10-7).
func inclusiveBegin10(t time.Time) (time.Time, error) {
	ex := t.Add(-time.Microsecond)
	if ex.Before(minTimestamp) {
		return time.Time{}, fmt.Errorf("%w: Inclusive_Begin_Timestamp too early", ErrTimestamp)
	}
	return ex, nil
}
