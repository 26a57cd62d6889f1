package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/taxiinode/taxiinode/protocol"
)

// Subscription is a TAXII subscription this node manages as a producer.
type Subscription struct {
	ID         string
	Collection string
	// Owner is the opaque identity key of the subscriber.
	Owner string
	// Status is ACTIVE or PAUSED; cancelled subscriptions are deleted. The
	// empty status is stored as ACTIVE.
	Status     protocol.SubscriptionStatus
	Parameters protocol.SubscriptionParameters
	// Push is where to deliver; nil when the subscriber polls.
	Push    *protocol.DeliveryParameters
	Created time.Time
	// Delivered is the push cursor: every matching block with a label at
	// or below it has been acknowledged by the subscriber.
	Delivered Label
}

// PutSubscription creates or replaces the subscription (sub.Collection,
// sub.ID). It returns an error wrapping ErrInvalid for an empty or
// malformed ID or collection, or a status other than ACTIVE and PAUSED.
func (s *Store) PutSubscription(ctx context.Context, sub *Subscription) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkSubscription(sub); err != nil {
		return fmt.Errorf("put subscription: %w", err)
	}
	rec := *sub
	if rec.Status == "" {
		rec.Status = protocol.SubscriptionActive
	}
	data, err := json.Marshal(&rec)
	if err != nil {
		return fmt.Errorf("put subscription %q: %w", sub.ID, invalidf("%v", err))
	}
	err = s.update(func(txn *badger.Txn) error {
		return txn.Set(subscriptionKey(sub.Collection, sub.ID), data)
	})
	if err != nil {
		return fmt.Errorf("put subscription %q: %w", sub.ID, err)
	}
	return nil
}

// checkSubscription validates what PutSubscription stores.
func checkSubscription(sub *Subscription) error {
	if sub == nil {
		return invalidf("nil subscription")
	}
	if err := checkName("subscription ID", sub.ID); err != nil {
		return err
	}
	if err := checkName("collection name", sub.Collection); err != nil {
		return err
	}
	switch sub.Status {
	case "", protocol.SubscriptionActive, protocol.SubscriptionPaused:
		return nil
	}
	return invalidf("subscription status %q", sub.Status)
}

// GetSubscription returns the subscription id of collection, or
// ErrNotFound.
func (s *Store) GetSubscription(ctx context.Context, collection, id string) (*Subscription,
	error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var sub *Subscription
	err := s.view(func(txn *badger.Txn, _ Label) error {
		item, err := txn.Get(subscriptionKey(collection, id))
		if err != nil {
			return err
		}
		return item.Value(func(v []byte) error {
			sub, err = decodeSubscription(v)
			return err
		})
	})
	if err != nil {
		return nil, fmt.Errorf("get subscription %q of %q: %w", id, collection, dbErr(err))
	}
	return sub, nil
}

// Subscriptions returns the subscriptions of collection ordered by ID, or
// those of every collection when collection is "" (grouped by collection).
func (s *Store) Subscriptions(ctx context.Context, collection string) ([]*Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	prefix := []byte{spaceSubscription}
	if collection != "" {
		prefix = scoped(spaceSubscription, collection, 0)
	}
	var subs []*Subscription
	err := s.view(func(txn *badger.Txn, _ Label) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.ValidForPrefix(prefix); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				sub, err := decodeSubscription(v)
				subs = append(subs, sub)
				return err
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("subscriptions of %q: %w", collection, dbErr(err))
	}
	return subs, nil
}

// DeleteSubscription removes the subscription id of collection. It returns
// ErrNotFound when there is none.
func (s *Store) DeleteSubscription(ctx context.Context, collection, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	key := subscriptionKey(collection, id)
	err := s.update(func(txn *badger.Txn) error {
		if _, err := txn.Get(key); err != nil {
			return err
		}
		return txn.Delete(key)
	})
	if err != nil {
		return fmt.Errorf("delete subscription %q of %q: %w", id, collection, err)
	}
	return nil
}

// decodeSubscription decodes a stored subscription.
func decodeSubscription(v []byte) (*Subscription, error) {
	sub := new(Subscription)
	if err := json.Unmarshal(v, sub); err != nil {
		return nil, fmt.Errorf("%w: subscription record: %v", ErrCorrupt, err)
	}
	return sub, nil
}
