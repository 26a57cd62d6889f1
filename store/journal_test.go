package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// journalRecords reopens the journal in dir and returns its records.
func journalRecords(t *testing.T, dir string) [][]byte {
	t.Helper()
	j, records, err := openJournal(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	j.close()
	return records
}

func TestJournalRecords(t *testing.T) {
	dir := t.TempDir()
	j, records, err := openJournal(dir, 64<<10)
	if err != nil || len(records) != 0 {
		t.Fatalf("new journal: %v, %d records", err, len(records))
	}
	want := [][]byte{
		appendEntry(nil, []byte("k1"), []byte("v1")),
		appendEntry(appendEntry(nil, []byte("k2"), nil), []byte{}, []byte(strings.Repeat("x", 5000))),
		appendEntry(nil, []byte("k3"), []byte("v3")),
	}
	for _, r := range want {
		if err := j.append(r); err != nil {
			t.Fatal(err)
		}
	}
	j.close()
	if got := journalRecords(t, dir); !reflect.DeepEqual(got, want) {
		t.Fatalf("reopened: %q, want %q", got, want)
	}
	info, err := os.Stat(filepath.Join(dir, journalName))
	if err != nil || info.Size() != 64<<10 {
		t.Fatalf("journal file: %v, %v; want 64 KiB, kept at the size it was made", info, err)
	}
}

// TestJournalTornRecord: a record whose write did not complete, and
// everything after it, is not replayed.
func TestJournalTornRecord(t *testing.T) {
	dir := t.TempDir()
	j, _, err := openJournal(dir, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	first := appendEntry(nil, []byte("k1"), []byte("v1"))
	if err := j.append(first); err != nil {
		t.Fatal(err)
	}
	torn := j.off
	for range 2 {
		if err := j.append(appendEntry(nil, []byte("k"), []byte(strings.Repeat("y", 900)))); err != nil {
			t.Fatal(err)
		}
	}
	// The second record's last bytes never reached the disk.
	if _, err := j.f.WriteAt(make([]byte, 100), torn+recordHeader+800); err != nil {
		t.Fatal(err)
	}
	j.close()
	if got := journalRecords(t, dir); len(got) != 1 || string(got[0]) != string(first) {
		t.Fatalf("records after a torn one: %q", got)
	}
}

// TestJournalReset: records of an earlier epoch are never replayed, also
// where the new epoch's records end before theirs did.
func TestJournalReset(t *testing.T) {
	dir := t.TempDir()
	j, _, err := openJournal(dir, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := j.append(appendEntry(nil, fmt.Appendf(nil, "old%d", i), []byte("v"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.reset(); err != nil {
		t.Fatal(err)
	}
	if !j.empty() {
		t.Fatal("journal not empty after reset")
	}
	// The same length as the first old record: the old records that
	// follow it are well-formed, but of the old epoch.
	fresh := appendEntry(nil, []byte("new0"), []byte("v"))
	if err := j.append(fresh); err != nil {
		t.Fatal(err)
	}
	j.close()
	if got := journalRecords(t, dir); len(got) != 1 || string(got[0]) != string(fresh) {
		t.Fatalf("after reset: %q, want only the new record", got)
	}
}

// TestJournalTornHeader: a reset whose header write did not complete
// leaves the previous epoch current, whose records are then replayed
// again (their effects are in Badger already, so this changes nothing).
func TestJournalTornHeader(t *testing.T) {
	dir := t.TempDir()
	j, _, err := openJournal(dir, 64<<10)
	if err != nil {
		t.Fatal(err)
	}
	rec := appendEntry(nil, []byte("k"), []byte("v"))
	if err := j.append(rec); err != nil {
		t.Fatal(err)
	}
	next := j.epoch + 1
	if err := j.reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := j.f.WriteAt([]byte("torn"), int64(next%2)*journalSlot+10); err != nil {
		t.Fatal(err)
	}
	j.close()
	if got := journalRecords(t, dir); len(got) != 1 || string(got[0]) != string(rec) {
		t.Fatalf("after a torn reset: %q, want the previous epoch's record", got)
	}
	// Both slots torn: the journal cannot be read, and Open says so
	// rather than start afresh and forget acknowledged puts.
	f, err := os.OpenFile(filepath.Join(dir, journalName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("torn"), int64((next+1)%2)*journalSlot+10)
	f.Close()
	if _, _, err := openJournal(dir, 64<<10); err == nil {
		t.Fatal("a journal without a valid header opened")
	}
}

func TestJournalEntries(t *testing.T) {
	rec := appendEntry(appendEntry(nil, []byte("a"), []byte("1")), []byte("bb"), nil)
	var got []string
	err := eachEntry(rec, func(k, v []byte) error {
		got = append(got, string(k)+"="+string(v))
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []string{"a=1", "bb="}) {
		t.Fatalf("entries %q, %v", got, err)
	}
	for cut := 1; cut < len(rec); cut++ {
		if cut == 4 { // the end of the first entry
			continue
		}
		if err := eachEntry(rec[:cut], func(k, v []byte) error { return nil }); err == nil {
			t.Errorf("a record cut at %d of %d bytes read without error", cut, len(rec))
		}
	}
}

// copyDir copies the regular files of src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != "LOCK" {
			copyFile(t, filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()))
		}
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestJournalRestoresUnsyncedPuts: Badger's files as they were synced at
// Open, and the journal as it is after acknowledged puts, make a store
// that holds every one of those puts: what Badger had not synced is
// rebuilt from the journal, labels, counters and watermark included.
func TestJournalRestoresUnsyncedPuts(t *testing.T) {
	opts := Options{MemTableSize: 4 << 20, ValueLogFileSize: 1 << 20}
	live := t.TempDir()
	opts.Dir = live
	s := openStore(t, opts)
	// Open checkpointed: Badger's files hold all there is.
	synced := t.TempDir()
	copyDir(t, live, synced)

	const writers, each = 8, 25
	var wg sync.WaitGroup
	results := make([][]PutResult, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				res, err := s.Put(context.Background(), []NewBlock{
					newBlock("coll", fmt.Sprintf("<b w='%d' i='%d'>%s</b>", w, i, strings.Repeat("z", 2000))),
				})
				if err != nil {
					t.Error(err)
					return
				}
				results[w] = append(results[w], res...)
			}
		}()
	}
	wg.Wait()
	if s.journal.empty() {
		t.Fatal("the puts were not journaled")
	}
	// Every put above is acknowledged, so its record is on disk.
	copyFile(t, filepath.Join(live, journalName), filepath.Join(synced, journalName))

	opts.Dir = synced
	r := openStore(t, opts)
	if r.LastLabel() != s.LastLabel() {
		t.Errorf("watermark %v, want %v", r.LastLabel(), s.LastLabel())
	}
	n, err := r.Count(context.Background(), "coll", Range{})
	if err != nil || n != writers*each {
		t.Fatalf("count %d, %v; want %d", n, err, writers*each)
	}
	for _, rs := range results {
		for _, res := range rs {
			got, err := r.Get(context.Background(), "coll", res.Label)
			if err != nil {
				t.Fatalf("block %v: %v", res.Label, err)
			}
			if HashOf(got.Content) != res.Hash {
				t.Fatalf("block %v holds other content", res.Label)
			}
		}
	}
	if !r.journal.empty() {
		t.Error("the journal was not emptied once replayed")
	}
	// New labels go on from the restored watermark.
	if res := mustPut(t, r, newBlock("coll", "<after/>")); res[0].Label <= s.LastLabel() {
		t.Errorf("label %v after restore, not above %v", res[0].Label, s.LastLabel())
	}
}

// vlogFiles returns the value log files in dir.
func vlogFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.vlog"))
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestGarbageCollectionKeepsFilesUntilSynced: value log collection moves
// live values into the current value log, which the journal does not
// cover; the files it empties may only go once the move is synced.
func TestGarbageCollectionKeepsFilesUntilSynced(t *testing.T) {
	opts := Options{Dir: t.TempDir(), MemTableSize: 4 << 20, ValueLogFileSize: 1 << 20}
	s := openStore(t, opts)
	// Closing writes the memtable to a level 0 table: three of them, two
	// with blocks and one with their removal, make Badger compact, which
	// drops the pruned values and so tells it how much of each value log
	// file is garbage.
	reopen := func() {
		t.Helper()
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s = openStore(t, opts)
	}
	const total, kept = 1500, 20
	var blocks []NewBlock
	for i := range total {
		blocks = append(blocks, newBlock("c", fmt.Sprintf("<b i='%d'>%s</b>", i, strings.Repeat("g", 2000))))
		if len(blocks) == 100 {
			mustPut(t, s, blocks...)
			blocks = nil
		}
		if i == total/2 {
			reopen()
		}
	}
	reopen()
	if _, err := s.Prune(context.Background(), "c", 0, kept); err != nil {
		t.Fatal(err)
	}
	reopen()
	if err := s.db.Flatten(1); err != nil {
		t.Fatal(err)
	}
	before := vlogFiles(t, opts.Dir)
	var during []string
	gcRewriting = func() { during = vlogFiles(t, opts.Dir) }
	t.Cleanup(func() { gcRewriting = nil })
	s.collectGarbage()

	after := vlogFiles(t, opts.Dir)
	if len(after) >= len(before) {
		t.Fatalf("%d value log files before collection, %d after: nothing collected", len(before), len(after))
	}
	for _, f := range before {
		if !slices.Contains(during, f) {
			t.Errorf("%s was removed before the values moved out of it were synced", filepath.Base(f))
		}
	}
	n, err := s.Count(context.Background(), "c", Range{})
	if err != nil || n != kept {
		t.Fatalf("count %d, %v after collection; want %d", n, err, kept)
	}
	err = s.ScanMeta(context.Background(), "c", Range{}, func(m *Meta) error {
		_, err := s.Get(context.Background(), "c", m.Label)
		return err
	})
	if err != nil {
		t.Fatalf("a kept block is unreadable after collection: %v", err)
	}
}

// TestReplayDropsTheBatchTheJournalMissed: a process killed while a batch
// is in flight can leave that batch committed in Badger's files (written,
// not synced, so kept by the page cache) while its journal record was never
// written. The batch was not acknowledged. Replaying the journal puts back
// the watermark and counters of the last batch it holds; the batch beyond
// must go whole, or its blocks would stay in the hash index, uncounted,
// and every later copy of them would be refused as a duplicate.
func TestReplayDropsTheBatchTheJournalMissed(t *testing.T) {
	opts := Options{MemTableSize: 4 << 20, ValueLogFileSize: 1 << 20}
	live := t.TempDir()
	opts.Dir = live
	s := openStore(t, opts)
	kept := mustPut(t, s, newBlock("coll", "<kept/>"), newBlock("other", "<kept/>"))
	journalBefore := filepath.Join(t.TempDir(), journalName)
	copyFile(t, filepath.Join(live, journalName), journalBefore)
	// "fresh" has no block before the missed batch: no replayed record
	// puts its counter back.
	lost := []NewBlock{newBlock("coll", "<missed/>"), newBlock("other", "<missed/>"),
		newBlock("fresh", "<missed/>")}
	mustPut(t, s, lost...)

	// The crash: Badger's files hold both batches, the journal the first.
	crashed := t.TempDir()
	copyDir(t, live, crashed)
	copyFile(t, journalBefore, filepath.Join(crashed, journalName))
	opts.Dir = crashed
	r := openStore(t, opts)

	ctx := context.Background()
	if r.LastLabel() != kept[1].Label {
		t.Errorf("watermark %v, want %v", r.LastLabel(), kept[1].Label)
	}
	for _, coll := range []string{"coll", "other"} {
		if n, err := r.Count(ctx, coll, Range{}); err != nil || n != 1 {
			t.Errorf("%s: count %d, %v; want 1", coll, n, err)
		}
		if got := scanLabels(t, r, coll, Range{}); len(got) != 1 {
			t.Errorf("%s: scan finds %d blocks, want 1", coll, len(got))
		}
	}
	if n, err := r.Count(ctx, "fresh", Range{}); err != nil || n != 0 {
		t.Errorf("fresh: count %d, %v; want 0", n, err)
	}
	// The missed batch can be stored again, as new.
	res := mustPut(t, r, lost...)
	for i, pr := range res {
		if pr.Duplicate {
			t.Errorf("block %d of the missed batch refused as a duplicate", i)
		}
	}
	for coll, want := range map[string]uint64{"coll": 2, "other": 2, "fresh": 1} {
		if n, err := r.Count(ctx, coll, Range{}); err != nil || n != want {
			t.Errorf("%s: count %d, %v after storing again; want %d", coll, n, err, want)
		}
	}
}

// TestJournalSkipsBatchesWithoutWrites: a batch of duplicates writes
// nothing. Its journal record would be empty, and a zero length is where
// replay stops: the batches after it would be lost to a crash although
// acknowledged.
func TestJournalSkipsBatchesWithoutWrites(t *testing.T) {
	opts := Options{MemTableSize: 4 << 20, ValueLogFileSize: 1 << 20}
	live := t.TempDir()
	opts.Dir = live
	s := openStore(t, opts)
	first := mustPut(t, s, newBlock("coll", "<first/>"))
	if res := mustPut(t, s, newBlock("coll", "<first/>")); !res[0].Duplicate {
		t.Fatal("the second put of the same content was not a duplicate")
	}
	after := mustPut(t, s, newBlock("coll", "<after/>"))

	// What a SIGKILL leaves: Badger's pages and the journal as written.
	crashed := t.TempDir()
	copyDir(t, live, crashed)
	if n := len(journalRecords(t, crashed)); n != 2 {
		t.Errorf("the journal holds %d records, want 2: one per batch that wrote", n)
	}
	opts.Dir = crashed
	r := openStore(t, opts)
	if r.LastLabel() != after[0].Label {
		t.Errorf("watermark %v, want %v", r.LastLabel(), after[0].Label)
	}
	if got := scanLabels(t, r, "coll", Range{}); len(got) != 2 || got[0] != first[0].Label || got[1] != after[0].Label {
		t.Errorf("labels %v after the crash, want %v and %v", got, first[0].Label, after[0].Label)
	}
	if n, err := r.Count(context.Background(), "coll", Range{}); err != nil || n != 2 {
		t.Errorf("count %d, %v; want 2", n, err)
	}
}
