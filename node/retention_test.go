package node

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestRetention keeps at most the configured number of blocks, and none
// older than the configured age.
func TestRetention(t *testing.T) {
	h := newHarness(t, func(s *Settings) {
		s.Collections = append(s.Collections,
			CollectionSettings{Name: "latest", MaxBlocks: 3},
			CollectionSettings{Name: "recent", MaxAge: time.Hour})
	})
	// Labels only grow, so the fixture is written in time order.
	now := time.Now().UTC()
	h.pushAt("recent", now.Add(-3*time.Hour), stix("old"))
	h.pushAt("recent", now.Add(-2*time.Hour), stix("older than an hour"))
	for i := range 5 {
		h.pushAt("latest", now.Add(time.Duration(i-5)*time.Minute), stix(fmt.Sprint("n", i)))
	}
	h.push("recent", stix("new"))

	h.n.pruneAll(context.Background())
	all := &protocol.PollParameters{}
	got := titles(wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "latest",
		Parameters: all})))
	if !slices.Equal(got, []string{"n2", "n3", "n4"}) {
		t.Errorf("latest keeps %v, want the three newest", got)
	}
	got = titles(wantPoll(t, h.send(protocol.ServicePoll, &protocol.PollRequest{CollectionName: "recent",
		Parameters: all})))
	if !slices.Equal(got, []string{"new"}) {
		t.Errorf("recent keeps %v, want only the block younger than an hour", got)
	}
}
