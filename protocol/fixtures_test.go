package protocol

import "time"

// Fixtures: one message of every type with every optional field filled,
// in TAXII 1.1 and 1.0. Each is already what Decode returns for its own
// encoding (UTC timestamps, trimmed values, self-contained XML), so the
// golden tests can compare in both directions.

const sigXML = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>` +
	`<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>` +
	`<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>` +
	`<ds:Reference URI=""><ds:Transforms>` +
	`<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>` +
	`</ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>` +
	`<ds:DigestValue>c2FtcGxl</ds:DigestValue></ds:Reference></ds:SignedInfo>` +
	`<ds:SignatureValue>c2FtcGxl</ds:SignatureValue></ds:Signature>`

const defaultQuery = `<tdq:Default_Query ` +
	`xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" ` +
	`targeting_expression_id="urn:stix.mitre.org:xml:1.1.1"><tdq:Criteria operator="AND">` +
	`<tdq:Criterion negate="true"><tdq:Target>**/@id</tdq:Target>` +
	`<tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" ` +
	`relationship="begins_with">` +
	`<tdq:Parameter name="case_sensitive">true</tdq:Parameter>` +
	`<tdq:Parameter name="value">example:Indicator-</tdq:Parameter></tdq:Test></tdq:Criterion>` +
	`<tdq:Criterion><tdq:Target>STIX_Package/@timestamp</tdq:Target>` +
	`<tdq:Test capability_id="urn:taxii.mitre.org:query:capability:timestamp-1" ` +
	`relationship="greater_than">` +
	`<tdq:Parameter name="value">2014-06-01T00:00:00Z</tdq:Parameter></tdq:Test></tdq:Criterion>` +
	`</tdq:Criteria></tdq:Default_Query>`

const defaultQueryInfo = `<tdq:Default_Query_Info ` +
	`xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1">` +
	`<tdq:Targeting_Expression_Info targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">` +
	`<tdq:Preferred_Scope>**/@id</tdq:Preferred_Scope><tdq:Allowed_Scope>**</tdq:Allowed_Scope>` +
	`</tdq:Targeting_Expression_Info>` +
	`<tdq:Capability_Module>urn:taxii.mitre.org:query:capability:core-1</tdq:Capability_Module>` +
	`</tdq:Default_Query_Info>`

const stixXML = `<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" ` +
	`xmlns:example="http://example.com/" id="example:Package-1" version="1.1.1">` +
	"\n  <stix:STIX_Header><stix:Title>Caf\u00e9 &amp; \U0001F6E1 &lt;watchlist&gt;</stix:Title>" +
	"</stix:STIX_Header>\n</stix:STIX_Package>"

var (
	yes     = true
	no      = false
	volume  = uint64(42)
	tBegin  = time.Date(2014, 12, 1, 0, 0, 0, 0, time.UTC)
	tEnd    = time.Date(2014, 12, 19, 11, 0, 0, 123456000, time.UTC)
	tLabel  = time.Date(2014, 12, 5, 10, 0, 0, 1000, time.UTC)
	headers = []ExtendedHeader{
		{Name: "urn:example.com:header:plain", Value: InnerXML("node-a &amp; b")},
		{Name: "urn:example.com:header:xml",
			Value: InnerXML(`<trace xmlns="urn:example.com:trace" hop="1">a</trace>`)},
	}
	signature = []byte(sigXML)
)

func contact(addr string) ServiceContact {
	return ServiceContact{
		ProtocolBinding: ProtocolHTTPS, Address: "https://node-b.example.net/taxii/" + addr,
		MessageBindings: []string{MessageBindingXML11, MessageBindingXML10},
	}
}

func push(v Version) *DeliveryParameters {
	p := &DeliveryParameters{ProtocolBinding: ProtocolHTTPS,
		Address: "https://node-a.example.com/taxii/inbox/", MessageBinding: MessageBindingXML11}
	if v == V10 {
		p.MessageBinding = MessageBindingXML10
		p.ContentBindings = []ContentBinding{{BindingID: BindingSTIX111}}
	}
	return p
}

func blocks(v Version) []ContentBlock {
	bs := []ContentBlock{
		{Binding: ContentBinding{BindingID: BindingSTIX111,
			Subtypes: []string{"urn:example:subtype:indicators"}},
			Content: []byte(stixXML), IsXML: true, TimestampLabel: tLabel, Message: "first block",
			Padding: "PADPAD", Signature: signature},
		{Binding: ContentBinding{BindingID: BindingSTIX21JSON},
			Content:        []byte("{\"type\": \"bundle\", \"note\": \"<a> & 'b'\"}\r\n"),
			TimestampLabel: tEnd},
		{Binding: ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111},
			Content: []byte(`<xenc:CipherValue xmlns:xenc="http://www.w3.org/2001/04/xmlenc#">` +
				`AA==</xenc:CipherValue>`),
			IsXML: true},
	}
	if v == V10 {
		bs[0].Binding.Subtypes, bs[0].Message, bs = nil, "", bs[:2]
	}
	return bs
}

// fullMessages returns the fixtures by golden file name.
func fullMessages() map[string]Message {
	h := func(id, irt string) Header {
		return Header{MessageID: id, InResponseTo: irt, ExtendedHeaders: headers,
			Signature: signature}
	}
	h10 := func(id, irt string) Header {
		x := h(id, irt)
		x.Version = V10
		return x
	}
	params := &SubscriptionParameters{
		ResponseType: ResponseCountOnly,
		ContentBindings: []ContentBinding{{BindingID: BindingSTIX111,
			Subtypes: []string{"urn:example:subtype:a"}}},
		Query: &Query{FormatID: QueryFormatDefault, Body: InnerXML(defaultQuery)},
	}
	return map[string]Message{
		"status_message": &StatusMessage{Header: h("urn:uuid:s1", "urn:uuid:r1"),
			StatusType: StatusPending,
			Details: []Detail{
				{Name: DetailEstimatedWait, Value: "30"}, {Name: DetailResultID,
					Value: "urn:example:result:1"},
				{Name: DetailWillPush, Value: "true"},
				{Name: "urn:example.com:detail:x", Value: "z",
					XML: `<x xmlns="urn:example.com:x">z</x>`},
			}, Message: "Result pending."},
		"discovery_request": &DiscoveryRequest{Header: h("urn:uuid:d1", "")},
		"discovery_response": &DiscoveryResponse{Header: h("urn:uuid:d2", "urn:uuid:d1"),
			ServiceInstances: []ServiceInstance{
				{ServiceType: ServicePoll, ServiceVersion: ServicesV11, Available: &yes,
					ProtocolBinding: ProtocolHTTPS,
					Address:         "https://node-b.example.net/taxii/poll/",
					MessageBindings: []string{MessageBindingXML11},
					SupportedQueries: []SupportedQuery{{FormatID: QueryFormatDefault,
						Info: InnerXML(defaultQueryInfo)}},
					Message: "Poll service."},
				{ServiceType: ServiceInbox, ServiceVersion: ServicesV11, Available: &no,
					ProtocolBinding: ProtocolLibp2p,
					Address:         "/ip4/192.0.2.1/tcp/4001/p2p/12D3KooWExample",
					MessageBindings: []string{MessageBindingXML11},
					ContentBindings: []ContentBinding{{BindingID: BindingSTIX111,
						Subtypes: []string{"urn:example:s"}}}},
			}},
		"collection_information_request": &CollectionInformationRequest{Header: h("urn:uuid:c1",
			"")},
		"collection_information_response": &CollectionInformationResponse{Header: h("urn:uuid:c2",
			"urn:uuid:c1"),
			Collections: []CollectionInformation{{
				Name: "indicators", Type: DataFeed, Available: &yes,
				Description: "Indicators & more.",
				Volume:      &volume,
				ContentBindings: []ContentBinding{{BindingID: BindingSTIX111,
					Subtypes: []string{"urn:example:s"}}},
				PushMethods: []PushMethod{{ProtocolBinding: ProtocolHTTPS,
					MessageBindings: []string{MessageBindingXML11}}},
				PollingServices:      []ServiceContact{contact("poll/")},
				SubscriptionServices: []ServiceContact{contact("cm/")},
				ReceivingInboxServices: []InboxService{{ServiceContact: contact("inbox/"),
					ContentBindings: []ContentBinding{{BindingID: BindingSTIX12}}}},
			}}},
		"subscription_management_request": &SubscriptionManagementRequest{Header: h("urn:uuid:m1",
			""),
			Action: ActionSubscribe, CollectionName: "indicators", Parameters: params,
			PushParameters: push(V11)},
		"subscription_management_response": &SubscriptionManagementResponse{Header: h("urn:uuid:m2",
			"urn:uuid:m1"),
			CollectionName: "indicators", Message: "Subscribed.",
			Subscriptions: []SubscriptionInstance{{
				Status: SubscriptionActive, SubscriptionID: "urn:example:sub:1", Parameters: params,
				PushParameters: push(V11), PollInstances: []ServiceContact{contact("poll/")}}}},
		"poll_request": &PollRequest{Header: h("urn:uuid:p1", ""), CollectionName: "indicators",
			ExclusiveBegin: tBegin, InclusiveEnd: tEnd,
			Parameters: &PollParameters{AllowAsynch: true,
				ResponseType: ResponseFull, ContentBindings: params.ContentBindings,
				Query:              params.Query,
				DeliveryParameters: push(V11)}},
		"poll_request.subscription": &PollRequest{Header: h("urn:uuid:p3", ""),
			CollectionName: "indicators",
			SubscriptionID: "urn:example:sub:1"},
		"poll_response": &PollResponse{Header: h("urn:uuid:p2", "urn:uuid:p1"),
			CollectionName: "indicators",
			More:           true, ResultID: "urn:example:result:1", ResultPartNumber: 2,
			SubscriptionID: "urn:example:sub:1",
			ExclusiveBegin: tBegin, InclusiveEnd: tEnd, RecordCount: &RecordCount{Count: 7,
				Partial: true},
			Message: "Part two.", ContentBlocks: blocks(V11)},
		"poll_fulfillment": &PollFulfillment{Header: h("urn:uuid:f1", ""),
			CollectionName: "indicators",
			ResultID:       "urn:example:result:1", ResultPartNumber: 3},
		"inbox_message": &InboxMessage{Header: h("urn:uuid:i1", ""),
			ResultID:                   "urn:example:result:1",
			DestinationCollectionNames: []string{"indicators", "drop-box"}, Message: "Delivery.",
			SourceSubscription: &SourceSubscription{CollectionName: "indicators",
				SubscriptionID: "urn:example:sub:1",
				ExclusiveBegin: tBegin, InclusiveEnd: tEnd},
			RecordCount: &RecordCount{Count: 3}, ContentBlocks: blocks(V11)},

		"v10.status_message": &StatusMessage{Header: h10("11", "10"),
			StatusType: StatusUnsupportedMessage,
			Details: []Detail{{Name: DetailSupportedBinding, Value: MessageBindingXML10},
				{Name: DetailSupportedBinding, Value: MessageBindingXML11}},
			Message: "Use another binding."},
		"v10.status_message.retry": &StatusMessage{Header: h10("12", "10"), StatusType: StatusRetry,
			Details: []Detail{{Value: "2014-12-19T12:00:00Z"}}},
		"v10.discovery_request": &DiscoveryRequest{Header: h10("1", "")},
		"v10.discovery_response": &DiscoveryResponse{Header: h10("2", "1"),
			ServiceInstances: []ServiceInstance{
				{ServiceType: ServiceCollectionManagement, ServiceVersion: ServicesV10,
					Available:       &yes,
					ProtocolBinding: ProtocolHTTPS, Address: "https://node-b.example.net/taxii/cm/",
					MessageBindings: []string{MessageBindingXML10}, Message: "Feed management."},
				{ServiceType: ServiceInbox, ServiceVersion: ServicesV10,
					ProtocolBinding: ProtocolHTTPS,
					Address:         "https://node-b.example.net/taxii/inbox/",
					MessageBindings: []string{MessageBindingXML10},
					ContentBindings: []ContentBinding{{BindingID: BindingSTIX111}}},
			}},
		"v10.feed_information_request": &CollectionInformationRequest{Header: h10("3", "")},
		"v10.feed_information_response": &CollectionInformationResponse{Header: h10("4", "3"),
			Collections: []CollectionInformation{{Name: "indicators", Available: &yes,
				Description:     "Indicators.",
				ContentBindings: []ContentBinding{{BindingID: BindingSTIX111}},
				PushMethods: []PushMethod{{ProtocolBinding: ProtocolHTTPS,
					MessageBindings: []string{MessageBindingXML10}}},
				PollingServices:      []ServiceContact{contact("poll/")},
				SubscriptionServices: []ServiceContact{contact("cm/")},
			}}},
		"v10.subscription_management_request": &SubscriptionManagementRequest{Header: h10("5", ""),
			Action: ActionSubscribe, CollectionName: "indicators",
			SubscriptionID: "urn:example:sub:1",
			PushParameters: push(V10)},
		"v10.subscription_management_response": &SubscriptionManagementResponse{Header: h10("6",
			"5"),
			CollectionName: "indicators", Message: "Subscribed.",
			Subscriptions: []SubscriptionInstance{{
				SubscriptionID: "urn:example:sub:1", PushParameters: push(V10),
				PollInstances: []ServiceContact{contact("poll/")}}}},
		"v10.poll_request": &PollRequest{Header: h10("7", ""), CollectionName: "indicators",
			SubscriptionID: "urn:example:sub:1", ExclusiveBegin: tBegin, InclusiveEnd: tEnd,
			Parameters: &PollParameters{
				ContentBindings: []ContentBinding{{BindingID: BindingSTIX111}}}},
		"v10.poll_response": &PollResponse{Header: h10("8", "7"), CollectionName: "indicators",
			SubscriptionID: "urn:example:sub:1", Message: "All of it.", ExclusiveBegin: tBegin,
			InclusiveEnd:  tEnd,
			ContentBlocks: blocks(V10)},
		"v10.inbox_message": &InboxMessage{Header: h10("9", ""), Message: "Delivery.",
			SourceSubscription: &SourceSubscription{CollectionName: "indicators",
				SubscriptionID: "urn:example:sub:1",
				ExclusiveBegin: tBegin, InclusiveEnd: tEnd}, ContentBlocks: blocks(V10)},
	}
}
