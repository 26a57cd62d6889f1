package node

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
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

// TestPurge deletes a collection's stored blocks, through the running node
// and in the store of a node that is not running.
func TestPurge(t *testing.T) {
	h := newHarness(t, withCollections("tmp"))
	h.push("tmp", stix("mistake"))
	h.edit(func(s *Settings) { s.Collections = s.Collections[:1] })
	if err := Purge(t.Context(), h.dir, "tmp"); err != nil {
		t.Fatal(err)
	}
	h.edit(withCollections("tmp"))
	if n := count(t, h, "tmp"); n != 0 {
		t.Errorf("running node: %d blocks after the purge", n)
	}

	dir := initDir(t)
	st, err := store.Open(store.Options{Dir: filepath.Join(dir, StoreDir)})
	if err != nil {
		t.Fatal(err)
	}
	b := stix("offline")
	if _, err := st.Put(t.Context(), []store.NewBlock{{Collection: "x", Binding: b.Binding, Content: b.Content,
		IsXML: true, Origin: store.Origin{Via: store.ViaInbox}}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := Purge(t.Context(), dir, "x"); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(store.Options{Dir: filepath.Join(dir, StoreDir)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n, _ := st.Count(t.Context(), "x", store.Range{}); n != 0 {
		t.Errorf("stopped node: %d blocks after the purge", n)
	}
}
