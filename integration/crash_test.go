package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/node"
	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/store"
)

// openStore opens a stopped node's store and returns every block's hash, in
// label order, after checking that labels and storage times agree: a block
// stored later always has the higher label, across every crash.
func openStore(t *testing.T, dir string) []store.Hash {
	t.Helper()
	st, err := store.Open(store.Options{Dir: filepath.Join(dir, node.StoreDir)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var hashes []store.Hash
	var last store.Label
	var lastStored time.Time
	err = st.ScanMeta(context.Background(), node.DefaultCollection, store.Range{}, func(m *store.Meta) error {
		if m.Label <= last {
			return fmt.Errorf("label %v after %v", m.Label, last)
		}
		if m.Stored.Before(lastStored) {
			return fmt.Errorf("block stored at %v has a higher label than one stored at %v", m.Stored, lastStored)
		}
		last, lastStored = m.Label, m.Stored
		hashes = append(hashes, m.Hash)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hashes
}

// checkOnce fails unless hashes hold every wanted block, and none twice.
func checkOnce(t *testing.T, hashes []store.Hash, want map[store.Hash]bool) {
	t.Helper()
	seen := make(map[store.Hash]int)
	for _, h := range hashes {
		seen[h]++
		if seen[h] == 2 {
			t.Errorf("block %s stored twice", h)
		}
	}
	missing := 0
	for h := range want {
		if seen[h] == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged blocks lost", missing, len(want))
	}
}

// TestCrashWhilePushing: writers push concurrently through the HTTP binding
// while the node is killed with SIGKILL and restarted, again and again.
// Every block answered SUCCESS survives, a block retried after a crash is
// not stored twice, and labels keep growing across restarts.
func TestCrashWhilePushing(t *testing.T) {
	p := newProc(t, "n", nil)
	p.start()
	var (
		mu    sync.Mutex
		acked = make(map[store.Hash]bool)
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				blk := stixBlock(t, fmt.Sprintf("w%d-%d", w, i))
				for { // retry the same block until it is acknowledged
					select {
					case <-stop:
						return
					default:
					}
					if pushed(p.dir, blk) {
						mu.Lock()
						acked[store.HashOf(blk.Content)] = true
						mu.Unlock()
						break
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}
	kills := 4
	if testing.Short() {
		kills = 2
	}
	for range kills {
		time.Sleep(time.Duration(300+rand.IntN(500)) * time.Millisecond)
		p.kill()
		p.start()
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	wg.Wait()
	p.stop()
	hashes := openStore(t, p.dir)
	checkOnce(t, hashes, acked)
	if len(acked) < 50 {
		t.Errorf("only %d pushes acknowledged; the test did not exercise much", len(acked))
	}
	t.Logf("%d acknowledged, %d stored, %d kills", len(acked), len(hashes), kills)
}

// pushed sends one block to the node whose data directory is dir and
// reports whether it was answered SUCCESS.
func pushed(dir string, blk protocol.ContentBlock) bool {
	c, err := node.NewClient(dir)
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := c.Send(ctx, protocol.ServiceInbox, "", &protocol.InboxMessage{
		Header:        protocol.Header{MessageID: protocol.NewMessageID(protocol.V11)},
		ContentBlocks: []protocol.ContentBlock{blk},
	})
	return err == nil && success(resp)
}

// procPeer makes an in-process node and a node process trust each other
// with read and write; the process dials the in-process node.
func procPeer(t *testing.T, name string, a *testNode) *proc {
	t.Helper()
	var p *proc
	p = newProc(t, name, func(s *node.Settings) {
		s.Peers = []node.PeerSettings{{Name: a.name, ID: a.id().String(), Addrs: a.addrs(),
			RightsSettings: node.RightsSettings{Read: def, Write: def}}}
	})
	id, err := node.PeerID(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	a.edit(func(s *node.Settings) {
		s.Peers = append(s.Peers, node.PeerSettings{Name: name, ID: id.String(),
			RightsSettings: node.RightsSettings{Read: def, Write: def}})
	})
	return p
}

// TestCrashWhileReceivingGossip: B, a process, is killed again and again
// while A pushes; once B runs again it holds every block of A, once.
func TestCrashWhileReceivingGossip(t *testing.T) {
	a := newNode(t, "a", nil)
	b := procPeer(t, "b", a)
	b.start()
	var want []store.Hash
	for round := range 3 {
		deadline := time.Now().Add(time.Duration(400+rand.IntN(400)) * time.Millisecond)
		for i := 0; time.Now().Before(deadline); i++ {
			want = append(want, pushMany(t, a, fmt.Sprintf("r%d-%d", round, i), 5, 5)...)
		}
		b.kill()
		want = append(want, pushMany(t, a, fmt.Sprintf("down%d", round), 20, 10)...)
		b.start()
	}
	eventually(t, 20*time.Second, func() error {
		if got := b.status().Collections[0].Blocks; got != uint64(len(want)) {
			return fmt.Errorf("b holds %d blocks, want %d", got, len(want))
		}
		return nil
	})
	b.stop()
	checkOnce(t, openStore(t, b.dir), hashSet(want))
}

// TestCrashWhileCatchingUp: B, a process, starts behind A by thousands of
// blocks and is killed in the middle of catching up, several times; in the
// end it holds every block of A, once.
func TestCrashWhileCatchingUp(t *testing.T) {
	a := newNode(t, "a", func(s *node.Settings) { s.Poll.MaxPartBlocks = 20 })
	want := pushMany(t, a, "backlog", 4000, 200)
	b := procPeer(t, "b", a)
	midway := 0
	for range 3 {
		b.start()
		// Kill b as soon as it holds part of the backlog.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if n := b.status().Collections[0].Blocks; n > 0 {
				if n < uint64(len(want)) {
					midway++
				}
				break
			}
			time.Sleep(time.Millisecond)
		}
		b.kill()
	}
	if midway == 0 {
		t.Error("b was never killed in the middle of catching up")
	}
	b.start()
	eventually(t, 30*time.Second, func() error {
		if got := b.status().Collections[0].Blocks; got != uint64(len(want)) {
			return fmt.Errorf("b holds %d blocks, want %d", got, len(want))
		}
		return nil
	})
	b.stop()
	checkOnce(t, openStore(t, b.dir), hashSet(want))
}

func hashSet(hs []store.Hash) map[store.Hash]bool {
	m := make(map[store.Hash]bool, len(hs))
	for _, h := range hs {
		m[h] = true
	}
	return m
}
