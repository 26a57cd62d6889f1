package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// The journal is the store's commit log. Badger commits batches of puts
// without syncing; the batch's writes are appended to the journal and
// synced with one fdatasync, in parallel with Badger's commit, and the
// puts are acknowledged once both are done. Open replays the journal into
// Badger, so a put acknowledged before a crash is there after it. A batch
// Badger committed but whose record was not complete is not acknowledged:
// replay puts back the watermark of the last record, and Open removes the
// blocks above it (discardUnlogged).
//
// A checkpoint makes everything Badger holds durable in its own files
// (syncAll) and then empties the journal by starting a new epoch. Writes
// outside the batches of the pipeline are made durable by syncAll, after a
// checkpoint when they touch the keys batches write, so that replaying the
// journal never puts back an older value over a newer one.
//
// The file is preallocated with zeros: overwriting allocated blocks needs
// no metadata change, so fdatasync writes the data alone.
//
// Layout: two header slots of journalSlot bytes, then records from
// journalStart. A slot holds journalMagic, the epoch and a CRC-32C of both;
// the valid slot with the highest epoch is current, and a new epoch is
// written to the other slot, so a torn header write leaves the old one. A
// record is its payload length and the CRC-32C of the epoch and the
// payload, both uint32, then the payload: the record's key and value pairs,
// each length-prefixed with a uvarint. Replay stops at the first record
// whose CRC does not match, which is where the last append ended: records
// of earlier epochs further on fail the check.
const (
	journalName  = "store.journal"
	journalMagic = "TXIJRNL1"
	journalSlot  = 512
	journalStart = 4096
	recordHeader = 8
	// DefaultJournalSize is the size of the journal file; a checkpoint
	// empties it when full.
	DefaultJournalSize = 32 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// journal is the open journal file. The writer goroutine alone appends and
// checkpoints; Open and Close use it before and after the writer runs.
type journal struct {
	f     *os.File
	size  int64  // the file's size, its capacity
	epoch uint64 // current epoch
	off   int64  // where the next record goes
	buf   []byte
}

// openJournal opens the journal in dir, creating it with size bytes if it
// does not exist, and returns it with the payloads of its records.
func openJournal(dir string, size int64) (*journal, [][]byte, error) {
	path := filepath.Join(dir, journalName)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		j, err := createJournal(dir, path, size)
		return j, nil, err
	}
	if err != nil {
		return nil, nil, err
	}
	j, records, err := readJournal(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return j, records, nil
}

// createJournal writes a new journal file of size bytes, zero-filled,
// syncs it and its directory, and returns it at epoch 1.
func createJournal(dir, path string, size int64) (*journal, error) {
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	j := &journal{f: f, size: size, off: journalStart}
	zeros := make([]byte, 1<<20)
	for off := int64(0); off < size; off += int64(len(zeros)) {
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := j.newEpoch(1); err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// readJournal finds the current epoch of f and reads its records.
func readJournal(f *os.File) (*journal, [][]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	j := &journal{f: f, size: info.Size(), off: journalStart}
	if j.size < journalStart {
		return nil, nil, errors.New("journal shorter than its header")
	}
	head := make([]byte, 2*journalSlot)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, nil, err
	}
	for slot := range 2 {
		if e, ok := decodeSlot(head[slot*journalSlot : (slot+1)*journalSlot]); ok && e > j.epoch {
			j.epoch = e
		}
	}
	if j.epoch == 0 {
		return nil, nil, errors.New("no valid journal header")
	}
	var records [][]byte
	hdr := make([]byte, recordHeader)
	for {
		if _, err := f.ReadAt(hdr, j.off); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, nil, err
		}
		n := int64(binary.LittleEndian.Uint32(hdr))
		sum := binary.LittleEndian.Uint32(hdr[4:])
		if n == 0 || j.off+recordHeader+n > j.size {
			break
		}
		payload := make([]byte, n)
		if _, err := f.ReadAt(payload, j.off+recordHeader); err != nil {
			return nil, nil, err
		}
		if recordSum(j.epoch, payload) != sum {
			break
		}
		records = append(records, payload)
		j.off += recordHeader + n
	}
	return j, records, nil
}

func decodeSlot(b []byte) (uint64, bool) {
	if string(b[:8]) != journalMagic {
		return 0, false
	}
	if crc32.Checksum(b[:16], castagnoli) != binary.LittleEndian.Uint32(b[16:]) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[8:]), true
}

// recordSum is the checksum of a record of the given epoch.
func recordSum(epoch uint64, payload []byte) uint32 {
	var e [8]byte
	binary.LittleEndian.PutUint64(e[:], epoch)
	return crc32.Update(crc32.Checksum(e[:], castagnoli), castagnoli, payload)
}

// fits reports whether a record of n payload bytes fits in what is left.
func (j *journal) fits(n int) bool {
	return j.off+recordHeader+int64(n) <= j.size
}

// empty reports whether the current epoch has no record.
func (j *journal) empty() bool { return j.off == journalStart }

// append writes one record and syncs it. The caller checked that it fits.
// An empty payload is refused: its zero length would read as the end of
// the journal, hiding every record after it.
func (j *journal) append(payload []byte) error {
	if len(payload) == 0 {
		return errors.New("empty journal record")
	}
	n := recordHeader + len(payload)
	if cap(j.buf) < n {
		j.buf = make([]byte, 0, n)
	}
	b := j.buf[:n]
	binary.LittleEndian.PutUint32(b, uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[4:], recordSum(j.epoch, payload))
	copy(b[recordHeader:], payload)
	if _, err := j.f.WriteAt(b, j.off); err != nil {
		return err
	}
	if err := unix.Fdatasync(int(j.f.Fd())); err != nil {
		return err
	}
	j.off += int64(n)
	return nil
}

// reset empties the journal: the records written so far belong to an
// epoch that is no longer current. The caller has made them durable
// elsewhere.
func (j *journal) reset() error {
	if err := j.newEpoch(j.epoch + 1); err != nil {
		return err
	}
	return unix.Fdatasync(int(j.f.Fd()))
}

// newEpoch writes the header slot of epoch e, without syncing.
func (j *journal) newEpoch(e uint64) error {
	slot := make([]byte, journalSlot)
	copy(slot, journalMagic)
	binary.LittleEndian.PutUint64(slot[8:], e)
	binary.LittleEndian.PutUint32(slot[16:], crc32.Checksum(slot[:16], castagnoli))
	if _, err := j.f.WriteAt(slot, int64(e%2)*journalSlot); err != nil {
		return err
	}
	j.epoch, j.off = e, journalStart
	return nil
}

func (j *journal) close() error { return j.f.Close() }

// appendEntry adds one key and value pair to a record payload.
func appendEntry(rec, key, value []byte) []byte {
	rec = binary.AppendUvarint(rec, uint64(len(key)))
	rec = append(rec, key...)
	rec = binary.AppendUvarint(rec, uint64(len(value)))
	return append(rec, value...)
}

// eachEntry calls fn with every key and value pair of a record payload.
func eachEntry(rec []byte, fn func(key, value []byte) error) error {
	for len(rec) > 0 {
		var parts [2][]byte
		for i := range parts {
			n, w := binary.Uvarint(rec)
			if w <= 0 || uint64(len(rec)-w) < n {
				return errors.New("journal record cut short")
			}
			parts[i] = rec[w : w+int(n)]
			rec = rec[w+int(n):]
		}
		if err := fn(parts[0], parts[1]); err != nil {
			return err
		}
	}
	return nil
}

// syncDir syncs a directory, so that the files created or removed in it
// stay so.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
