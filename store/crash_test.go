package store

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// crashDirEnv, when set, makes TestCrashChild act as the child of
// TestCrashRecovery: it writes into the store in that directory until it is
// killed.
const crashDirEnv = "STORE_CRASH_CHILD_DIR"

// ack is an acknowledged block as the child reported it.
type ack struct {
	coll  string
	label Label
	hash  string
	dup   bool
	round int
}

// TestCrashRecovery kills a writing child process at random moments, then
// checks that every acknowledged block survived, that nothing is stored
// twice and that labels only grow, also across the restarts.
func TestCrashRecovery(t *testing.T) {
	if os.Getenv(crashDirEnv) != "" {
		t.Skip("running as the crash child")
	}
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	dir := t.TempDir()
	var acks []ack
	for round := range rounds {
		acks = append(acks, runCrashChild(t, dir, round)...)
	}
	if len(acks) == 0 {
		t.Fatal("the child acknowledged nothing")
	}
	s := openStore(t, Options{Dir: dir})
	checkAcks(t, s, acks)
	checkCollections(t, s)
	checkRoundsIncrease(t, acks)
}

// runCrashChild starts the child on dir, kills it after a random time and
// returns what it acknowledged.
func runCrashChild(t *testing.T, dir string, round int) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	lines := make(chan string, 1024)
	var reader sync.WaitGroup
	reader.Go(func() {
		// A line without its end was cut by the kill and is dropped.
		r := bufio.NewReader(out)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				break
			}
			lines <- strings.TrimSuffix(line, "\n")
		}
		close(lines)
	})
	// Even rounds die at a random moment; odd ones shortly after the child
	// commits a part of a put larger than one transaction, to interrupt it.
	var acks []ack
	var other []string
	var killAt <-chan time.Time
	if round%2 == 0 {
		killAt = time.After(time.Duration(150+rand.IntN(250)) * time.Millisecond)
	}
	for line := range lines {
		switch {
		case line == "chunk" && round%2 == 1 && killAt == nil:
			killAt = time.After(time.Duration(rand.IntN(2000)) * time.Microsecond)
		case strings.HasPrefix(line, "ack "):
			acks = append(acks, parseAck(t, line, round))
		case line != "chunk":
			other = append(other, line)
		}
		select {
		case <-killAt:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killAt = make(chan time.Time) // never again
		default:
		}
	}
	reader.Wait()
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("round %d: child ended with %v, not by SIGKILL:\n%s", round, err,
			strings.Join(other, "\n"))
	}
	return acks
}

// parseAck reads "ack <collection> <label> <hash> <dup>".
func parseAck(t *testing.T, line string, round int) ack {
	t.Helper()
	f := strings.Fields(line)
	if len(f) != 5 {
		t.Fatalf("bad ack line %q", line)
	}
	l, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		t.Fatalf("bad ack line %q", line)
	}
	return ack{coll: f[1], label: Label(l), hash: f[3], dup: f[4] == "dup", round: round}
}

func checkAcks(t *testing.T, s *Store, acks []ack) {
	t.Helper()
	ctx := context.Background()
	for _, a := range acks {
		b, err := s.Get(ctx, a.coll, a.label)
		if err != nil {
			t.Fatalf("acknowledged block %s/%d (round %d): %v", a.coll, a.label, a.round, err)
		}
		if b.Hash.String() != a.hash || HashOf(b.Content) != b.Hash {
			t.Fatalf("block %s/%d holds other content", a.coll, a.label)
		}
	}
}

// checkCollections checks every collection: labels strictly increasing and
// unique across the node, each hash once, counters and index consistent.
func checkCollections(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	names, err := s.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	labels := make(map[Label]bool)
	for _, c := range names {
		hashes := make(map[Hash]bool)
		var prev Label
		var n uint64
		err := s.Scan(ctx, c, Range{}, func(b *Block) error {
			switch {
			case b.Label <= prev || labels[b.Label]:
				return fmt.Errorf("label %d repeated or out of order", b.Label)
			case hashes[b.Hash]:
				return fmt.Errorf("content %s stored twice", b.Hash)
			case HashOf(b.Content) != b.Hash:
				return fmt.Errorf("block %d: content does not match its hash", b.Label)
			}
			if l, err := s.Lookup(ctx, c, b.Hash); err != nil || l != b.Label {
				return fmt.Errorf("index of block %d: %d, %v", b.Label, l, err)
			}
			prev, labels[b.Label], hashes[b.Hash] = b.Label, true, true
			n++
			return nil
		})
		if err != nil {
			t.Fatalf("collection %s: %v", c, err)
		}
		if count, err := s.Count(ctx, c, Range{}); err != nil || count != n {
			t.Errorf("collection %s: Count %d, %v; scan saw %d", c, count, err, n)
		}
	}
}

// checkRoundsIncrease checks that each run of the child labelled its new
// blocks above everything the runs before it labelled.
func checkRoundsIncrease(t *testing.T, acks []ack) {
	t.Helper()
	var top Label
	round := -1
	var roundTop Label
	for _, a := range acks {
		if a.dup {
			continue
		}
		if a.round != round {
			round, top = a.round, max(top, roundTop)
		}
		if a.label <= top {
			t.Errorf("round %d labelled %d, not above %d of an earlier round",
				a.round, a.label, top)
		}
		roundTop = max(roundTop, a.label)
	}
}

// crashWriters is the number of goroutines putting in the crash child.
const crashWriters = 16

// TestCrashChild is the child of TestCrashRecovery; it does nothing unless
// crashDirEnv is set.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only run by TestCrashRecovery")
	}
	s, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var out sync.Mutex
	chunkCommitted = func() {
		out.Lock()
		_, _ = os.Stdout.WriteString("chunk\n")
		out.Unlock()
	}
	// Many writers keep a batch in flight and the next one open when the
	// kill comes.
	var wg sync.WaitGroup
	for w := range crashWriters {
		wg.Go(func() {
			for i := 0; ; i++ {
				blocks := crashBlocks(w, i)
				res, err := s.Put(context.Background(), blocks)
				if err != nil {
					t.Error(err)
					return
				}
				var sb strings.Builder
				for j, r := range res {
					dup := "new"
					if r.Duplicate {
						dup = "dup"
					}
					fmt.Fprintf(&sb, "ack %s %d %s %s\n",
						blocks[j].Collection, r.Label, r.Hash, dup)
				}
				out.Lock()
				_, _ = os.Stdout.WriteString(sb.String())
				out.Unlock()
			}
		})
	}
	wg.Wait()
}

// crashBlocks returns the i-th put of writer w. Writer 0 makes puts larger
// than one transaction (their contents stay below the value threshold, so
// they count in full); the others make small puts of fresh content, some
// spanning collections, some from a small pool of contents that recur
// across writers and runs, so that copies meet in consecutive batches.
func crashBlocks(w, i int) []NewBlock {
	tag := fmt.Sprintf("%d-%d-%d", os.Getpid(), w, i)
	switch {
	case w == 0:
		return numbered("c2", 4000, DefaultValueThreshold-100, tag)
	case i%5 == 0:
		return append(numbered("c0", 1, 200, tag), numbered("c1", 2, 200, tag)...)
	case i%3 == 0:
		return []NewBlock{newBlock("c1", fmt.Sprintf("pool-%d", rand.IntN(30)))}
	default:
		return numbered(fmt.Sprintf("c%d", i%3), 1+i%2, 1000, tag)
	}
}
