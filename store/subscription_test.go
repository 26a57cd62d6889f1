package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

func TestSubscriptionRoundTrip(t *testing.T) {
	s := openStore(t, Options{})
	ctx := context.Background()
	sub := &Subscription{
		ID:         "urn:uuid:1",
		Collection: "feed",
		Owner:      "org:acme",
		Status:     protocol.SubscriptionPaused,
		Parameters: protocol.SubscriptionParameters{
			ResponseType:    protocol.ResponseCountOnly,
			ContentBindings: []protocol.ContentBinding{stixBinding},
			Query: &protocol.Query{
				FormatID: "urn:taxii.mitre.org:query:default:1.0",
				Body:     protocol.InnerXML(`<Criteria operator="AND"/>`),
			},
		},
		Push: &protocol.DeliveryParameters{
			ProtocolBinding: "urn:taxii.mitre.org:protocol:https:1.0",
			Address:         "https://example.org/inbox",
			MessageBinding:  "urn:taxii.mitre.org:message:xml:1.1",
		},
		Created:   time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
		Delivered: 12345,
	}
	if err := s.PutSubscription(ctx, sub); err != nil {
		t.Fatalf("PutSubscription: %v", err)
	}
	got, err := s.GetSubscription(ctx, "feed", "urn:uuid:1")
	if err != nil || !reflect.DeepEqual(got, sub) {
		t.Fatalf("GetSubscription = %+v, %v; want %+v", got, err, sub)
	}

	sub.Status = ""
	sub.Delivered = 99999
	if err := s.PutSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetSubscription(ctx, "feed", "urn:uuid:1")
	if got.Status != protocol.SubscriptionActive || got.Delivered != 99999 {
		t.Errorf("after replacing: status %q, delivered %d", got.Status, got.Delivered)
	}
}

func TestSubscriptionsList(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	for _, k := range [][2]string{{"b", "2"}, {"a", "9"}, {"b", "1"}, {"bb", "1"}} {
		if err := s.PutSubscription(ctx, &Subscription{Collection: k[0], ID: k[1]}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		collection string
		want       []string // collection/id
	}{
		{"one collection", "b", []string{"b/1", "b/2"}},
		{"no prefix confusion", "bb", []string{"bb/1"}},
		{"unknown", "zz", nil},
		{"all", "", []string{"a/9", "b/1", "b/2", "bb/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subs, err := s.Subscriptions(ctx, tt.collection)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, sub := range subs {
				got = append(got, sub.Collection+"/"+sub.ID)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSubscriptionErrors(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	tests := []struct {
		name string
		sub  *Subscription
	}{
		{"nil", nil},
		{"no ID", &Subscription{Collection: "c"}},
		{"no collection", &Subscription{ID: "x"}},
		{"cancelled status", &Subscription{ID: "x", Collection: "c",
			Status: protocol.SubscriptionUnsubscribed}},
		{"unknown status", &Subscription{ID: "x", Collection: "c", Status: "SLEEPING"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.PutSubscription(ctx, tt.sub); !errors.Is(err, ErrInvalid) {
				t.Errorf("PutSubscription error %v, want ErrInvalid", err)
			}
		})
	}
	if _, err := s.GetSubscription(ctx, "c", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("GetSubscription of nothing: %v", err)
	}
	if err := s.DeleteSubscription(ctx, "c", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("DeleteSubscription of nothing: %v", err)
	}
	if err := s.PutSubscription(ctx, &Subscription{ID: "x", Collection: "c"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscription(ctx, "c", "x"); err != nil {
		t.Errorf("DeleteSubscription: %v", err)
	}
	if _, err := s.GetSubscription(ctx, "c", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted subscription still there: %v", err)
	}
}

func TestCursors(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	ctx := context.Background()
	if l, err := s.Cursor(ctx, "peerA", "c"); err != nil || l != 0 {
		t.Errorf("unknown cursor = %d, %v; want 0, nil", l, err)
	}
	sets := []struct {
		peer, coll string
		l          Label
	}{{"peerA", "c", 10}, {"peerA", "c2", 20}, {"peerB", "c", 30}, {"peerA", "c", 11}}
	for _, c := range sets {
		if err := s.SetCursor(ctx, c.peer, c.coll, c.l); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, Options{Dir: dir})
	want := map[[2]string]Label{{"peerA", "c"}: 11, {"peerA", "c2"}: 20, {"peerB", "c"}: 30}
	for k, w := range want {
		if l, err := s.Cursor(ctx, k[0], k[1]); err != nil || l != w {
			t.Errorf("Cursor%v = %d, %v; want %d", k, l, err, w)
		}
	}
	for _, bad := range [][2]string{{"", "c"}, {"p", ""}, {"p", "\xff"}} {
		if err := s.SetCursor(ctx, bad[0], bad[1], 1); !errors.Is(err, ErrInvalid) {
			t.Errorf("SetCursor%q: %v, want ErrInvalid", bad, err)
		}
	}
	if err := s.SetCursor(ctx, "p", "c", -1); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative label: %v", err)
	}
}
