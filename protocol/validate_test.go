package protocol

import (
	"errors"
	"testing"
	"time"
)

// fixture returns a fresh copy of a full message, to be broken by a test.
func fixture(t *testing.T, name string) Message {
	t.Helper()
	m, ok := fullMessages()[name]
	if !ok {
		t.Fatalf("no fixture %s", name)
	}
	return m
}

func TestValidateAcceptsFixtures(t *testing.T) {
	ms := fullMessages()
	for _, name := range fixtureNames(ms) {
		if err := Validate(ms[name]); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	v10 := &DiscoveryRequest{Header: Header{Version: V10, MessageID: "s09-1"}}
	if err := Validate(v10); err != nil {
		t.Errorf("TAXII 1.0 ID of another form refused (AMB-32): %v", err)
	}
}

// TestValidateRules breaks one rule per case and checks that Validate
// refuses the message with BAD_MESSAGE wrapping ErrInvalid.
func TestValidateRules(t *testing.T) {
	status := func(st StatusType, ds ...Detail) Message {
		return &StatusMessage{Header: Header{MessageID: "s", InResponseTo: "r"}, StatusType: st,
			Details: ds}
	}
	pollResp := func(f func(*PollResponse)) func(*testing.T) Message {
		return func(t *testing.T) Message {
			m := fixture(t,
				"poll_response").(*PollResponse)
			f(m)
			return m
		}
	}
	pollReq := func(f func(*PollRequest)) func(*testing.T) Message {
		return func(t *testing.T) Message {
			m := fixture(t,
				"poll_request").(*PollRequest)
			f(m)
			return m
		}
	}
	subReq := func(f func(*SubscriptionManagementRequest)) func(*testing.T) Message {
		return func(t *testing.T) Message {
			m := fixture(t, "subscription_management_request").(*SubscriptionManagementRequest)
			f(m)
			return m
		}
	}
	inbox := func(f func(*InboxMessage)) func(*testing.T) Message {
		return func(t *testing.T) Message {
			m := fixture(t,
				"inbox_message").(*InboxMessage)
			f(m)
			return m
		}
	}
	fixed := func(m Message) func(*testing.T) Message {
		return func(*testing.T) Message { return m }
	}
	d := func(name, v string) Detail { return Detail{Name: name, Value: v} }
	nested := ContentBinding{BindingID: BindingXMLEnc + "|" + BindingSTIX111}
	tests := []struct {
		name string
		m    func(*testing.T) Message
	}{
		{"MSG-17 record count below blocks",
			pollResp(func(m *PollResponse) { m.RecordCount.Count = 2 })},
		{"MSG-17 in an inbox message", inbox(func(m *InboxMessage) { m.RecordCount.Count = 0 })},
		{"MSG-22 ST-6 MAX_PART_NUMBER missing", fixed(status(StatusInvalidResponsePart))},
		{"AMB-29 MAX_PART_NUMBER not an integer", fixed(status(StatusInvalidResponsePart,
			d(DetailMaxPartNumber, "x")))},
		{"ST-9 PENDING without RESULT_ID", fixed(status(StatusPending, d(DetailEstimatedWait, "5"),
			d(DetailWillPush, "true")))},
		{"ST-9 ESTIMATED_WAIT zero", fixed(status(StatusPending, d(DetailEstimatedWait, "0"),
			d(DetailResultID, "r"), d(DetailWillPush, "false")))},
		{"ST-9 WILL_PUSH not a boolean", fixed(status(StatusPending, d(DetailEstimatedWait, "5"),
			d(DetailResultID, "r"), d(DetailWillPush, "maybe")))},
		{"ST-9 RESULT_ID twice", fixed(status(StatusPending, d(DetailEstimatedWait, "5"),
			d(DetailResultID, "r"),
			d(DetailResultID, "q"), d(DetailWillPush, "1")))},
		{"ST-11 negative wait", fixed(status(StatusRetry, d(DetailEstimatedWait, "-1")))},
		{"ST-19 no scope", fixed(status(StatusUnsupportedTargeting))},
		{"ST-19 preferred after allowed", fixed(status(StatusUnsupportedTargeting,
			d(DetailAllowedScope, "**"),
			d(DetailPreferredScope, "**/@id")))},
		{"ST-15 empty SUPPORTED_CONTENT", fixed(status(StatusUnsupportedContent,
			d(DetailSupportedContent, "")))},
		{"empty status type", fixed(status(""))},
		{"empty detail name", fixed(status(StatusFailure, d("", "x")))},
		{"malformed detail XML", fixed(status(StatusFailure, Detail{Name: "n", Value: "x",
			XML: "<a>x"}))},
		{"MSG-70 both subscription and parameters",
			pollReq(func(m *PollRequest) { m.SubscriptionID = "s" })},
		{"MSG-70 neither", pollReq(func(m *PollRequest) { m.Parameters = nil })},
		{"MSG-71 end before begin",
			pollReq(func(m *PollRequest) { m.InclusiveEnd = m.ExclusiveBegin.Add(-time.Second) })},
		{"AMB-22 end equals begin",
			pollReq(func(m *PollRequest) { m.InclusiveEnd = m.ExclusiveBegin })},
		{"MSG-16 delivery without allow_asynch",
			pollReq(func(m *PollRequest) { m.Parameters.AllowAsynch = false })},
		{"response type unknown",
			pollReq(func(m *PollRequest) { m.Parameters.ResponseType = "SOME" })},
		{"CB-5 nesting in a list", pollReq(func(m *PollRequest) {
			m.Parameters.ContentBindings = []ContentBinding{nested}
		})},
		{"QRY-22 timestamp test value", pollReq(func(m *PollRequest) {
			m.Parameters.Query = &Query{FormatID: QueryFormatDefault, Body: InnerXML(
				`<q:Default_Query xmlns:q="` + NamespaceDefaultQuery +
					`"><q:Criteria operator="AND"><q:Criterion>` +
					`<q:Target>**</q:Target><q:Test capability_id="` + CapabilityTimestamp +
					`" relationship="equals">` +
					`<q:Parameter name="value">yesterday</q:Parameter></q:Test></q:Criterion>` +
					`</q:Criteria>` +
					`</q:Default_Query>`)}
		})},
		{"query with an undeclared prefix", pollReq(func(m *PollRequest) {
			m.Parameters.Query = &Query{FormatID: "urn:q", Body: InnerXML(`<q:a/>`)}
		})},
		{"timestamp beyond year 9999", pollReq(func(m *PollRequest) {
			m.InclusiveEnd = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
		})},
		{"MSG-80 more without result_id", pollResp(func(m *PollResponse) { m.ResultID = "" })},
		{"CB-4 subtype with nesting", pollResp(func(m *PollResponse) {
			m.ContentBlocks[2].Binding.Subtypes = []string{"x"}
		})},
		{"empty layer of a nesting expression", pollResp(func(m *PollResponse) {
			m.ContentBlocks[2].Binding.BindingID = BindingXMLEnc + "|"
		})},
		{"two subtypes in a block", pollResp(func(m *PollResponse) {
			m.ContentBlocks[0].Binding.Subtypes = []string{"a", "b"}
		})},
		{"empty binding of a block",
			pollResp(func(m *PollResponse) { m.ContentBlocks[1].Binding.BindingID = "" })},
		{"malformed block signature",
			pollResp(func(m *PollResponse) { m.ContentBlocks[0].Signature = []byte("<a>") })},
		{"MSG-50 SUBSCRIBE without parameters",
			subReq(func(m *SubscriptionManagementRequest) { m.Parameters = nil })},
		{"MSG-50 parameters with STATUS",
			subReq(func(m *SubscriptionManagementRequest) { m.Action = ActionStatus })},
		{"MSG-50 PAUSE without Subscription_ID", subReq(func(m *SubscriptionManagementRequest) {
			m.Action, m.Parameters = ActionPause, nil
		})},
		{"action unknown", subReq(func(m *SubscriptionManagementRequest) { m.Action = "DELETE" })},
		{"push parameters without address", subReq(func(m *SubscriptionManagementRequest) {
			m.PushParameters.Address = ""
		})},
		{"MSG-61 MSG-62 two subscriptions without parameters", func(t *testing.T) Message {
			m := fixture(t, "subscription_management_response").(*SubscriptionManagementResponse)
			m.Subscriptions = append(m.Subscriptions,
				SubscriptionInstance{SubscriptionID: "urn:example:sub:2"})
			return m
		}},
		{"subscription status unknown", func(t *testing.T) Message {
			m := fixture(t, "subscription_management_response").(*SubscriptionManagementResponse)
			m.Subscriptions[0].Status = "GONE"
			return m
		}},
		{"MSG-32 two supported queries of one format", func(t *testing.T) Message {
			m := fixture(t, "discovery_response").(*DiscoveryResponse)
			si := &m.ServiceInstances[0]
			si.SupportedQueries = append(si.SupportedQueries, si.SupportedQueries[0])
			return m
		}},
		{"service type unknown", func(t *testing.T) Message {
			m := fixture(t, "discovery_response").(*DiscoveryResponse)
			m.ServiceInstances[0].ServiceType = "FEED_MANAGEMENT"
			return m
		}},
		{"no message binding", func(t *testing.T) Message {
			m := fixture(t, "discovery_response").(*DiscoveryResponse)
			m.ServiceInstances[0].MessageBindings = nil
			return m
		}},
		{"collection type unknown", func(t *testing.T) Message {
			m := fixture(t, "collection_information_response").(*CollectionInformationResponse)
			m.Collections[0].Type = "DATA_LAKE"
			return m
		}},
		{"empty destination",
			inbox(func(m *InboxMessage) { m.DestinationCollectionNames = []string{""} })},
		{"source subscription without ID",
			inbox(func(m *InboxMessage) { m.SourceSubscription.SubscriptionID = "" })},
		{"empty message_id", fixed(&DiscoveryRequest{})},
		{"response without in_response_to", fixed(&StatusMessage{Header: Header{MessageID: "s"},
			StatusType: StatusSuccess})},
		{"request with in_response_to", fixed(&DiscoveryRequest{Header: Header{MessageID: "m",
			InResponseTo: "x"}})},
		{"extended header without a name", fixed(&DiscoveryRequest{Header: Header{MessageID: "m",
			ExtendedHeaders: []ExtendedHeader{{Value: InnerXML("v")}}}})},
		{"malformed extended header", fixed(&DiscoveryRequest{Header: Header{MessageID: "m",
			ExtendedHeaders: []ExtendedHeader{{Name: "n", Value: InnerXML("<a>")}}}})},
		{"unknown version", fixed(&DiscoveryRequest{Header: Header{MessageID: "m", Version: 7}})},
		{"V10-6 PAUSE in TAXII 1.0",
			fixed(&SubscriptionManagementRequest{Header: Header{Version: V10,
				MessageID: "1"}, Action: ActionPause, CollectionName: "c", SubscriptionID: "s"})},
		{"V10-8 feed without a content binding", func(t *testing.T) Message {
			m := fixture(t, "v10.feed_information_response").(*CollectionInformationResponse)
			m.Collections[0].ContentBindings = nil
			return m
		}},
		{"V10-8 feed neither pushed nor polled", func(t *testing.T) Message {
			m := fixture(t, "v10.feed_information_response").(*CollectionInformationResponse)
			m.Collections[0].PushMethods, m.Collections[0].PollingServices = nil, nil
			return m
		}},
		{"V10-8 poll response without an end", func(t *testing.T) Message {
			m := fixture(t, "v10.poll_response").(*PollResponse)
			m.InclusiveEnd = time.Time{}
			return m
		}},
		{"V10-5 RETRY detail not a timestamp", fixed(&StatusMessage{Header: Header{Version: V10,
			MessageID:    "1",
			InResponseTo: "0"}, StatusType: StatusRetry, Details: []Detail{{Value: "30"}}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m(t)
			err := Validate(m)
			if err == nil {
				t.Fatal("accepted")
			}
			checkBadMessage(t, err, ErrInvalid, m.Head().MessageID)
		})
	}
}

func TestValidateNil(t *testing.T) {
	if err := Validate(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("Validate(nil) = %v", err)
	}
}
