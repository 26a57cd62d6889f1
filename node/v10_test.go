package node

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

var taxii10Headers = map[string]string{
	"X-TAXII-Content-Type": protocol.MessageBindingXML10,
	"X-TAXII-Accept":       protocol.MessageBindingXML10,
	"X-TAXII-Services":     protocol.ServicesV10,
}

// TestTAXII10 sends TAXII 1.0 messages to the same endpoints and expects
// answers in TAXII 1.0 that validate against the 1.0 schema (V10-1).
func TestTAXII10(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.Subscriptions.PushURLs = []string{"https://node-a.example.com/taxii/"}
		s.Collections = append(s.Collections, CollectionSettings{Name: "set", Type: string(protocol.DataSet)})
	})
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("../protocol/testdata/spec/messages/taxii-1.0", name))
		if err != nil {
			t.Fatal(err)
		}
		return bytes.ReplaceAll(b, []byte("indicators-feed"), []byte(DefaultCollection))
	}
	tests := []struct {
		name, file, path string
		want             protocol.MessageType
	}{
		{"inbox", "inbox_message.subscription-delivery.xml", PathInbox, protocol.TypeStatusMessage},
		{"discovery", "discovery_request.xml", PathDiscovery, protocol.TypeDiscoveryResponse},
		{"feed information", "feed_information_request.xml", PathCollectionManagement,
			protocol.TypeCollectionInformationResponse},
		{"subscribe", "subscription_management_request.subscribe.xml", PathCollectionManagement,
			protocol.TypeSubscriptionManagementResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := h.post(tt.path, read(tt.file), taxii10Headers)
			if m.Head().Version != protocol.V10 {
				t.Errorf("answered in TAXII 1.1, want 1.0")
			}
			if m.Type() != tt.want {
				if st, ok := m.(*protocol.StatusMessage); ok {
					t.Fatalf("answer %s %s: %s", m.Type(), st.StatusType, st.Message)
				}
				t.Fatalf("answer %s, want %s", m.Type(), tt.want)
			}
			if d, ok := m.(*protocol.DiscoveryResponse); ok {
				for _, si := range d.ServiceInstances {
					if si.ServiceVersion != protocol.ServicesV10 {
						t.Errorf("a 1.0 client is offered %s at %s", si.ServiceVersion, si.Address)
					}
				}
			}
		})
	}
	// A 1.0 poll of the block pushed above, without subscription.
	poll := []byte(`<Poll_Request xmlns="http://taxii.mitre.org/messages/taxii_xml_binding-1" message_id="17" ` +
		`feed_name="default"/>`)
	pr := wantPoll(t, h.post(PathPoll, poll, taxii10Headers))
	if pr.Version != protocol.V10 || len(pr.ContentBlocks) != 1 {
		t.Errorf("1.0 poll: version %d, %d blocks, want 1.0 and one block", pr.Version, len(pr.ContentBlocks))
	}
	// A data set has no time window in 1.1, but a 1.0 answer needs its
	// Inclusive_End_Timestamp (V10-8).
	h.push("set", stix("in a data set"))
	pr = wantPoll(t, h.post(PathPoll, bytes.ReplaceAll(poll, []byte(`"default"`), []byte(`"set"`)), taxii10Headers))
	if len(pr.ContentBlocks) != 1 || pr.InclusiveEnd.IsZero() {
		t.Errorf("1.0 poll of a data set: %d blocks, end %v; want one block and an end", len(pr.ContentBlocks),
			pr.InclusiveEnd)
	}
}

// TestDiscoveryAndCollectionInformation checks the 1.1 answers that
// describe the node against the schemas, with the query support they
// advertise (QRY-30).
func TestDiscoveryAndCollectionInformation(t *testing.T) {
	h := newHarness(t, nil)
	d, ok := h.send(protocol.ServiceDiscovery, &protocol.DiscoveryRequest{}).(*protocol.DiscoveryResponse)
	if !ok {
		t.Fatal("no Discovery_Response")
	}
	queries := 0
	for _, si := range d.ServiceInstances {
		if len(si.SupportedQueries) > 0 {
			queries++
			if si.ServiceType != protocol.ServicePoll && si.ServiceType != protocol.ServiceCollectionManagement {
				t.Errorf("%s advertises a query (MSG-32)", si.ServiceType)
			}
		}
	}
	if queries == 0 {
		t.Error("no service advertises the Default Query")
	}
	if _, ok := h.send(protocol.ServiceCollectionManagement,
		&protocol.CollectionInformationRequest{}).(*protocol.CollectionInformationResponse); !ok {
		t.Fatal("no Collection_Information_Response")
	}
}
