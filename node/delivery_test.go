package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/taxiinode/taxiinode/peer"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// inboxPeer is a subscriber's inbox on libp2p that records what it is
// pushed. It answers FAILURE to the first refuse pushes, then SUCCESS.
type inboxPeer struct {
	host *peer.Host

	mu       sync.Mutex
	refuse   int
	received []*protocol.InboxMessage
}

func (s *inboxPeer) serve(req protocol.Message) protocol.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &protocol.StatusMessage{StatusType: protocol.StatusSuccess}
	m, ok := req.(*protocol.InboxMessage)
	switch {
	case !ok:
		st.StatusType = protocol.StatusFailure
	case s.refuse > 0:
		s.refuse--
		st.StatusType = protocol.StatusFailure
	default:
		s.received = append(s.received, m)
	}
	return st
}

// titles returns the titles of every block received so far, in order.
func (s *inboxPeer) titles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range s.received {
		out = append(out, titles(&protocol.PollResponse{ContentBlocks: m.ContentBlocks})...)
	}
	return out
}

func newInboxPeer(t *testing.T, producer *harness, refuse int) *inboxPeer {
	t.Helper()
	s := &inboxPeer{refuse: refuse}
	s.host = startRemote(t, producer, s.serve, RightsSettings{})
	return s
}

func waitTitles(t *testing.T, s *inboxPeer, want []string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := s.titles()
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("subscriber received %v, want %v", got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSubscriptionPushDelivery: content added to a collection is pushed in
// order to the subscriber's inbox with the subscription's information
// (EXC-60); a pause holds deliveries back and a resume sends what was held
// (EXC-61); a refused delivery is retried until acknowledged; a cancelled
// subscription gets nothing more.
func TestSubscriptionPushDelivery(t *testing.T) {
	h := newHarness(t, nil)
	sub := newInboxPeer(t, h, 1)
	resp := wantManaged(t, manage(t, h, subscribeReq(DefaultCollection, nil, &protocol.DeliveryParameters{
		ProtocolBinding: protocol.ProtocolLibp2p, Address: sub.host.ID().String(),
		MessageBinding: protocol.MessageBindingXML11})))
	id := resp.Subscriptions[0].SubscriptionID
	change := func(a protocol.Action) {
		wantManaged(t, manage(t, h, &protocol.SubscriptionManagementRequest{Action: a,
			CollectionName: DefaultCollection, SubscriptionID: id}))
	}

	h.push(DefaultCollection, stix("one"))
	h.push(DefaultCollection, stix("two"), stix("three"))
	waitTitles(t, sub, []string{"one", "two", "three"}) // the first push was refused once, then retried
	var failed dto.Metric
	if err := h.n.metrics.failures.WithLabelValues(DefaultCollection).Write(&failed); err != nil {
		t.Fatal(err)
	}
	if n := failed.GetCounter().GetValue(); n != 1 {
		t.Errorf("%v failed deliveries counted, want 1", n)
	}
	m := sub.received[0]
	if ss := m.SourceSubscription; ss == nil || ss.SubscriptionID != id || ss.CollectionName != DefaultCollection ||
		ss.InclusiveEnd.IsZero() {
		t.Errorf("Source_Subscription %+v", ss)
	}

	change(protocol.ActionPause)
	h.push(DefaultCollection, stix("four"))
	time.Sleep(1500 * time.Millisecond)
	if got := sub.titles(); len(got) != 3 {
		t.Fatalf("delivered while paused: %v", got)
	}
	change(protocol.ActionResume)
	waitTitles(t, sub, []string{"one", "two", "three", "four"})

	change(protocol.ActionUnsubscribe)
	h.push(DefaultCollection, stix("five"))
	time.Sleep(1500 * time.Millisecond)
	if got := sub.titles(); len(got) != 4 {
		t.Fatalf("delivered after cancellation: %v", got)
	}
}

// TestSubscriptionDeliversABacklogInParts: what piled up during a pause
// goes out in Inbox Messages within the part limit, every block once and in
// order, none skipped when a message fills up.
func TestSubscriptionDeliversABacklogInParts(t *testing.T) {
	const partBytes = 4 << 10
	h := newHarness(t, func(s *Settings) { s.Poll.MaxPartBytes = partBytes })
	sub := newInboxPeer(t, h, 0)
	resp := wantManaged(t, manage(t, h, subscribeReq(DefaultCollection, nil, &protocol.DeliveryParameters{
		ProtocolBinding: protocol.ProtocolLibp2p, Address: sub.host.ID().String(),
		MessageBinding: protocol.MessageBindingXML11})))
	id := resp.Subscriptions[0].SubscriptionID
	wantManaged(t, manage(t, h, &protocol.SubscriptionManagementRequest{Action: protocol.ActionPause,
		CollectionName: DefaultCollection, SubscriptionID: id}))
	var want []string
	for i := range 60 {
		want = append(want, fmt.Sprint("backlog ", i))
		h.push(DefaultCollection, stix(want[i]))
	}
	wantManaged(t, manage(t, h, &protocol.SubscriptionManagementRequest{Action: protocol.ActionResume,
		CollectionName: DefaultCollection, SubscriptionID: id}))
	waitTitles(t, sub, want)

	sub.mu.Lock()
	defer sub.mu.Unlock()
	if len(sub.received) < 2 {
		t.Errorf("%d blocks of backlog in %d message, want several", len(want), len(sub.received))
	}
	for i, m := range sub.received {
		encoded, err := protocol.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		if len(encoded) > partBytes {
			t.Errorf("delivery %d is %d bytes, limit %d", i, len(encoded), partBytes)
		}
	}
}

// TestSubscriptionPushQueryOverHTTP: a subscription with a Default Query
// pushes only matching content, to an inbox reached over HTTP.
func TestSubscriptionPushQueryOverHTTP(t *testing.T) {
	subscriber := newHarness(t, nil)
	producer := newHarness(t, func(s *Settings) { s.Subscriptions.PushURLs = []string{subscriber.base + "/"} })
	q := &protocol.Query{FormatID: protocol.QueryFormatDefault, Body: []byte(
		`<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" ` +
			`targeting_expression_id="urn:stix.mitre.org:xml:1.1.1"><tdq:Criteria operator="OR"><tdq:Criterion>` +
			`<tdq:Target>**/Title</tdq:Target><tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" ` +
			`relationship="contains"><tdq:Parameter name="case_sensitive">false</tdq:Parameter>` +
			`<tdq:Parameter name="value">phish</tdq:Parameter></tdq:Test></tdq:Criterion></tdq:Criteria>` +
			`</tdq:Default_Query>`)}
	wantManaged(t, manage(t, producer, subscribeReq(DefaultCollection, &protocol.SubscriptionParameters{Query: q},
		&protocol.DeliveryParameters{ProtocolBinding: protocol.ProtocolHTTP,
			Address: subscriber.base + PathInbox, MessageBinding: protocol.MessageBindingXML11})))
	producer.push(DefaultCollection, stix("Phishing wave"), stix("Ransomware note"), stix("spear-PHISH kit"))
	deadline := time.Now().Add(10 * time.Second)
	for count(t, subscriber, DefaultCollection) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	pr := wantPoll(t, subscriber.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: DefaultCollection,
		Parameters: &protocol.PollParameters{}}))
	if got := titles(pr); fmt.Sprint(got) != "[Phishing wave spear-PHISH kit]" {
		t.Fatalf("subscriber holds %v, want the two matching blocks", got)
	}
}

// TestSubscriptionFollowsRights: a subscriber that loses the read right
// gets nothing more, though its subscription stays (GEN-14); given the
// right back, it gets what was added meanwhile.
func TestSubscriptionFollowsRights(t *testing.T) {
	h := newHarness(t, nil)
	sub := newInboxPeer(t, h, 0)
	wantManaged(t, manage(t, h, subscribeReq(DefaultCollection, nil, &protocol.DeliveryParameters{
		ProtocolBinding: protocol.ProtocolLibp2p, Address: sub.host.ID().String(),
		MessageBinding: protocol.MessageBindingXML11})))
	h.push(DefaultCollection, stix("before"))
	waitTitles(t, sub, []string{"before"})

	h.edit(func(s *Settings) { s.HTTP.Anonymous = RightsSettings{Write: []string{DefaultCollection}} })
	h.push(DefaultCollection, stix("while revoked"))
	time.Sleep(1500 * time.Millisecond)
	if got := sub.titles(); len(got) != 1 {
		t.Fatalf("delivered without the read right: %v", got)
	}
	h.edit(func(s *Settings) { s.HTTP.Anonymous.Read = []string{DefaultCollection} })
	waitTitles(t, sub, []string{"before", "while revoked"})
}

// TestSubscriptionPushWithCredentials: a subscriber's HTTPS inbox that
// admits no anonymous client, behind a private CA, receives deliveries from
// a node given credentials for it: a password, then, once the node's
// settings change, a client certificate; and still when the inbox's
// certificate and the CA file are renewed in place.
func TestSubscriptionPushWithCredentials(t *testing.T) {
	ca := newPKI(t)
	_, srvCert, srvKey := ca.issue("subscriber", true)
	_, cliCert, cliKey := ca.issue("producer.example.org", false)
	files := t.TempDir()
	file := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(files, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caFile := file("ca.crt", ca.caPEM())
	hash, err := HashPassword("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	write := RightsSettings{Write: []string{DefaultCollection}}
	subscriber := newHarness(t, func(s *Settings) {
		s.HTTP.TLSCert, s.HTTP.TLSKey = file("sub.crt", srvCert), file("sub.pem", srvKey)
		s.HTTP.ClientCA = caFile
		s.HTTP.Anonymous = RightsSettings{}
		s.Accounts = []AccountSettings{
			{Name: "by-password", PasswordHash: hash, RightsSettings: write},
			{Name: "by-certificate", CertSubjects: []string{"producer.example.org"}, RightsSettings: write},
		}
	})
	inbox := "https://" + subscriber.n.HTTPAddr() + PathInbox
	producer := newHarness(t, func(s *Settings) {
		s.Subscriptions.PushURLs = []string{inbox}
		s.Subscriptions.PushCredentials = []PushCredentials{{URL: inbox, User: "by-password",
			PasswordFile: file("password", []byte("s3cret\n")), CA: caFile}}
	})
	wantManaged(t, manage(t, producer, subscribeReq(DefaultCollection, nil, &protocol.DeliveryParameters{
		ProtocolBinding: protocol.ProtocolHTTPS, Address: inbox, MessageBinding: protocol.MessageBindingXML11})))
	stored := func(want uint64) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, err := subscriber.n.store.Count(context.Background(), DefaultCollection,
				store.Range{Until: subscriber.n.store.LastLabel()})
			if err != nil {
				t.Fatal(err)
			}
			if n == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("subscriber holds %d blocks, want %d", n, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	producer.push(DefaultCollection, stix("pushed with a password"))
	stored(1)

	err = EditSettings(producer.dir, func(s *Settings) error {
		s.Subscriptions.PushCredentials = []PushCredentials{{URL: inbox,
			TLSCert: file("producer.crt", cliCert), TLSKey: file("producer.pem", cliKey), CA: caFile}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	producer.n.Reload()
	producer.push(DefaultCollection, stix("pushed with a certificate"))
	stored(2)

	// The subscriber moves to a certificate of another CA, which the
	// producer's CA file, rewritten in place, adds: no restart is needed.
	ca2 := newPKI(t)
	_, srvCert, srvKey = ca2.issue("subscriber", true)
	file("ca.crt", append(ca.caPEM(), ca2.caPEM()...))
	file("sub.pem", srvKey)
	file("sub.crt", srvCert)
	time.Sleep(recheck + 100*time.Millisecond)
	// Connections made before do not last for ever.
	producer.n.pushClients.mu.Lock()
	for _, c := range producer.n.pushClients.clients {
		c.http.CloseIdleConnections()
	}
	producer.n.pushClients.mu.Unlock()
	producer.push(DefaultCollection, stix("pushed to a renewed inbox"))
	stored(3)
}
