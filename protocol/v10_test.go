package protocol

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

const ns10 = `xmlns="` + NamespaceXML10 + `"`

// TestV10Mapping checks how TAXII 1.0 fields land on the 1.1 types (V10-4).
func TestV10Mapping(t *testing.T) {
	dir := specDir + "/taxii-1.0/"
	decode := func(file string) Message {
		t.Helper()
		m, err := Decode(readFile(t, dir+file))
		if err != nil {
			t.Fatal(err)
		}
		if m.Head().Version != V10 {
			t.Fatalf("%s: version %d", file, m.Head().Version)
		}
		return m
	}
	pr := decode("poll_response.xml").(*PollResponse)
	if want := time.Date(2014, 12, 1, 0, 0, 0, 0, time.UTC); !pr.ExclusiveBegin.Equal(want) {
		t.Errorf("inclusive begin .000001Z became exclusive %v, want %v (V10-7)", pr.ExclusiveBegin,
			want)
	}
	if pr.CollectionName != "indicators-feed" || pr.SubscriptionID != "urn:example.net:sub:0100" {
		t.Errorf("feed_name, subscription_id: %q, %q", pr.CollectionName, pr.SubscriptionID)
	}
	dr := decode("discovery_response.xml").(*DiscoveryResponse)
	if dr.ServiceInstances[0].ServiceType != ServiceCollectionManagement {
		t.Errorf("FEED_MANAGEMENT became %q", dr.ServiceInstances[0].ServiceType)
	}
	got := dr.ServiceInstances[1].ContentBindings
	if len(got) != 2 || got[0].BindingID != BindingSTIX101 {
		t.Errorf("text Content_Binding became %v", got)
	}
	fr := decode("feed_information_response.xml").(*CollectionInformationResponse)
	if fr.Collections[0].Name != "indicators-feed" {
		t.Errorf("Feed became %#v", fr.Collections)
	}
	um := decode("status_message.unsupported_message.java-taxii.xml").(*StatusMessage)
	if got := um.DetailValues(DetailSupportedBinding); !reflect.DeepEqual(got,
		[]string{MessageBindingXML10, MessageBindingXML11}) {
		t.Errorf("UNSUPPORTED_MESSAGE detail became %v", got)
	}
	rt := decode("status_message.retry.java-taxii.xml").(*StatusMessage)
	if got := rt.DetailValues(""); len(got) != 1 || got[0] != "2014-09-05T17:01:32.808-04:00" {
		t.Errorf("RETRY detail became %v", got)
	}
	ss := decode("inbox_message.subscription-delivery.xml").(*InboxMessage).SourceSubscription
	if want := time.Date(2014, 12, 19, 12, 0, 0, 0, time.UTC); !ss.ExclusiveBegin.Equal(want) ||
		ss.SubscriptionID != "urn:example.net:sub:0100" {
		t.Errorf("Source_Subscription became %+v", ss)
	}
}

// TestV10PollParameters checks where the content bindings of a 1.0
// Poll_Request go: Parameters is set unless only a subscription is named.
func TestV10PollParameters(t *testing.T) {
	tests := []struct {
		name     string
		attrs    string
		children string
		params   bool
		sub      string
	}{
		{"subscription only", ` subscription_id="s"`, ``, false, "s"},
		{"bindings only", ``, `<Content_Binding>urn:b</Content_Binding>`, true, ""},
		{"neither", ``, ``, true, ""},
		{"both", ` subscription_id="s"`, `<Content_Binding>urn:b</Content_Binding>`, true, "s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `<Poll_Request ` + ns10 + ` message_id="1" feed_name="f"` + tt.attrs + `>` +
				tt.children +
				`</Poll_Request>`
			m, _ := roundTrip(t, []byte(doc))
			pr := m.(*PollRequest)
			if (pr.Parameters != nil) != tt.params || pr.SubscriptionID != tt.sub {
				t.Errorf("Parameters %v, SubscriptionID %q", pr.Parameters, pr.SubscriptionID)
			}
		})
	}
}

// TestV10DropsWhat10CannotSay checks that 1.1-only fields are left out
// when a message goes out in TAXII 1.0 (V10-6), and that what remains is a
// valid 1.0 message.
func TestV10DropsWhat10CannotSay(t *testing.T) {
	m := fixture(t, "poll_response").(*PollResponse)
	m.Header = Header{Version: V10, MessageID: "8", InResponseTo: "7"}
	out, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"more=", "result_id", "Record_Count", "Subtype", "first block"} {
		if bytes.Contains(out, []byte(s)) {
			t.Errorf("TAXII 1.0 output holds %q", s)
		}
	}
	back, err := Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	got := back.(*PollResponse)
	if !got.ExclusiveBegin.Equal(m.ExclusiveBegin) || len(got.ContentBlocks) != 3 {
		t.Errorf("decoded back to %+v", got)
	}
}

func TestV10Refuses(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want error
	}{
		{"COLLECTION_MANAGEMENT in 1.0", `<Discovery_Response ` + ns10 +
			` message_id="2" in_response_to="1">` +
			`<Service_Instance service_type="COLLECTION_MANAGEMENT" service_version="v">` +
			`<Protocol_Binding>p` +
			`</Protocol_Binding><Address>a</Address><Message_Binding>m</Message_Binding>` +
			`</Service_Instance>` +
			`</Discovery_Response>`, ErrSchema},
		{"PAUSE in 1.0", `<Subscription_Management_Request ` + ns10 +
			` message_id="1" feed_name="f" ` +
			`action="PAUSE" subscription_id="s"/>`, ErrSchema},
		{"Poll_Response without end", `<Poll_Response ` + ns10 +
			` message_id="2" in_response_to="1" ` +
			`feed_name="f"/>`, ErrSchema},
		{"1.1 Content_Binding form in 1.0", `<Poll_Request ` + ns10 +
			` message_id="1" feed_name="f">` +
			`<Content_Binding binding_id="urn:b"/></Poll_Request>`, ErrSchema},
		{"inclusive begin at the first microsecond", `<Poll_Response ` + ns10 + ` message_id="2" ` +
			`in_response_to="1" feed_name="f">` +
			`<Inclusive_Begin_Timestamp>0001-01-01T00:00:00.000001Z` +
			`</Inclusive_Begin_Timestamp>` +
			`<Inclusive_End_Timestamp>2014-01-01T00:00:00Z</Inclusive_End_Timestamp>` +
			`</Poll_Response>`, ErrTimestamp},
		{"message_id on Source_Subscription", `<Inbox_Message ` + ns10 +
			` message_id="1"><Source_Subscription ` +
			`feed_name="f" message_id="2"><Inclusive_End_Timestamp>2014-01-01T00:00:00Z` +
			`</Inclusive_End_Timestamp></Source_Subscription></Inbox_Message>`, ErrSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.doc))
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}
