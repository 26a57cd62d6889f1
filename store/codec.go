package store

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// metaVersion is the first byte of every metadata record.
const metaVersion = 1

// Layout of a metadata record: version (1 byte), stored time in Unix
// nanoseconds (8 bytes, big-endian), content hash (32 bytes), then content
// size (uvarint), flags (1 byte: bit 0 IsXML), binding ID, subtype count and
// subtypes, message, origin via, from and author (strings as uvarint length
// and bytes), then, when flag bit 1 is set, the size of text content
// escaped into XML (uvarint). Collection and label live in the key.
const (
	metaStoredAt = 1
	metaHashAt   = metaStoredAt + 8
	metaFixedLen = metaHashAt + 32
	flagXML      = 1 << 0
	flagEscaped  = 1 << 1
)

// encodeMeta appends the record of b with the stored time left at zero;
// setStored fills it in when the writer knows the time.
func encodeMeta(b *NewBlock, h Hash) []byte {
	n := metaFixedLen + 3*binary.MaxVarintLen64 + 1 + len(b.Binding.BindingID) +
		len(b.Message) + len(b.Origin.Via) + len(b.Origin.From) + len(b.Origin.Author) +
		6*binary.MaxVarintLen64
	for _, st := range b.Binding.Subtypes {
		n += binary.MaxVarintLen64 + len(st)
	}
	rec := make([]byte, metaFixedLen, n)
	rec[0] = metaVersion
	copy(rec[metaHashAt:], h[:])
	rec = binary.AppendUvarint(rec, uint64(len(b.Content)))
	var flags byte
	if b.IsXML {
		flags |= flagXML
	} else {
		flags |= flagEscaped
	}
	rec = append(rec, flags)
	rec = appendString(rec, b.Binding.BindingID)
	rec = binary.AppendUvarint(rec, uint64(len(b.Binding.Subtypes)))
	for _, st := range b.Binding.Subtypes {
		rec = appendString(rec, st)
	}
	rec = appendString(rec, b.Message)
	rec = appendString(rec, b.Origin.Via)
	rec = appendString(rec, b.Origin.From)
	rec = appendString(rec, b.Origin.Author)
	if !b.IsXML {
		rec = binary.AppendUvarint(rec, uint64(protocol.EscapedSize(b.Content)))
	}
	return rec
}

// setStored writes the stored time into a record made by encodeMeta.
func setStored(rec []byte, t time.Time) {
	binary.BigEndian.PutUint64(rec[metaStoredAt:], uint64(t.UnixNano()))
}

// hashOfMeta returns the content hash of a metadata record without
// decoding the rest.
func hashOfMeta(rec []byte) (Hash, error) {
	var h Hash
	if len(rec) < metaFixedLen || rec[0] != metaVersion {
		return h, ErrCorrupt
	}
	copy(h[:], rec[metaHashAt:metaFixedLen])
	return h, nil
}

// decodeMeta fills m from rec; the caller sets Collection and Label.
func decodeMeta(rec []byte, m *Meta) error {
	h, err := hashOfMeta(rec)
	if err != nil {
		return err
	}
	d := decoder{buf: rec[metaFixedLen:]}
	m.Hash = h
	m.Stored = time.Unix(0, int64(binary.BigEndian.Uint64(rec[metaStoredAt:]))).UTC()
	m.Size = int(d.uvarint())
	flags := d.byte()
	m.IsXML = flags&flagXML != 0
	m.Binding = protocol.ContentBinding{BindingID: d.string()}
	if n := d.uvarint(); n > 0 && n <= uint64(len(d.buf)) {
		m.Binding.Subtypes = make([]string, n)
		for i := range m.Binding.Subtypes {
			m.Binding.Subtypes[i] = d.string()
		}
	} else if n > 0 {
		d.bad = true
	}
	m.Message = d.string()
	m.Origin = Origin{Via: d.string(), From: d.string(), Author: d.string()}
	switch {
	case m.IsXML:
		m.EscapedSize = m.Size
	case flags&flagEscaped != 0:
		m.EscapedSize = int(d.uvarint())
	default:
		m.EscapedSize = -1
	}
	if d.bad || len(d.buf) != 0 {
		return ErrCorrupt
	}
	return nil
}

// appendString appends s with its length as a uvarint.
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads the fields appendString and AppendUvarint wrote. After the
// first malformed field it returns zero values and sets bad.
type decoder struct {
	buf []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) byte() byte {
	if d.bad || len(d.buf) == 0 {
		d.bad = true
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.buf)) {
		d.bad = true
		return ""
	}
	s := string(d.buf[:n])
	d.buf = d.buf[n:]
	return s
}

// encodeNames encodes the collection list of a pending put.
func encodeNames(names []string) []byte {
	b := binary.AppendUvarint(nil, uint64(len(names)))
	for _, n := range names {
		b = appendString(b, n)
	}
	return b
}

// decodeNames decodes what encodeNames wrote.
func decodeNames(b []byte) ([]string, error) {
	d := decoder{buf: b}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, fmt.Errorf("pending put record: %w", ErrCorrupt)
	}
	names := make([]string, 0, n)
	for range n {
		names = append(names, d.string())
	}
	if d.bad || len(d.buf) != 0 {
		return nil, fmt.Errorf("pending put record: %w", ErrCorrupt)
	}
	return names, nil
}
