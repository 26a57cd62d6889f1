package store

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

func TestMetaRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		block NewBlock
	}{
		{"minimal", newBlock("c", "")},
		{"everything", NewBlock{
			Collection: "c",
			Binding: protocol.ContentBinding{
				BindingID: "urn:stix.mitre.org:xml:1.1.1",
				Subtypes:  []string{"urn:x:sub"},
			},
			Content: []byte("<x/>"),
			IsXML:   true,
			Message: "message with ünïcode",
			Origin:  Origin{Via: ViaGossip, From: "12D3KooWA", Author: "12D3KooWB"},
		}},
		{"text content", NewBlock{
			Collection: "c",
			Binding:    protocol.ContentBinding{BindingID: "urn:text"},
			Content:    []byte("plain"),
			Origin:     Origin{Via: ViaPoll, From: "peer"},
		}},
		{"text content with escapes", NewBlock{
			Collection: "c",
			Binding:    protocol.ContentBinding{BindingID: "urn:text"},
			Content:    []byte(`{"a": "x < y && z"}`),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := HashOf(tt.block.Content)
			rec := encodeMeta(&tt.block, h)
			stored := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC)
			setStored(rec, stored)

			var m Meta
			if err := decodeMeta(rec, &m); err != nil {
				t.Fatalf("decodeMeta: %v", err)
			}
			want := Meta{
				Hash: h, Binding: tt.block.Binding, IsXML: tt.block.IsXML,
				Size: len(tt.block.Content), Message: tt.block.Message,
				Origin: tt.block.Origin, Stored: stored, EscapedSize: len(tt.block.Content),
			}
			if !tt.block.IsXML {
				want.EscapedSize = protocol.EscapedSize(tt.block.Content)
			}
			if !reflect.DeepEqual(m, want) {
				t.Errorf("got %+v, want %+v", m, want)
			}
		})
	}
}

// TestMetaOfEarlierText: text stored before the escaped size was recorded
// decodes with the size unknown.
func TestMetaOfEarlierText(t *testing.T) {
	b := NewBlock{Binding: protocol.ContentBinding{BindingID: "urn:text"}, Content: []byte("a < b")}
	rec := encodeMeta(&b, HashOf(b.Content))
	// An earlier record: no flag, no trailing size (one byte here).
	flagsAt := metaFixedLen + 1
	rec[flagsAt] &^= flagEscaped
	rec = rec[:len(rec)-1]
	var m Meta
	if err := decodeMeta(rec, &m); err != nil {
		t.Fatal(err)
	}
	if m.EscapedSize != -1 || m.Size != len(b.Content) {
		t.Errorf("EscapedSize %d, Size %d; want -1 and %d", m.EscapedSize, m.Size, len(b.Content))
	}
}

func TestDecodeMetaRejectsDamage(t *testing.T) {
	b := NewBlock{
		Binding: protocol.ContentBinding{BindingID: "urn:b", Subtypes: []string{"s"}},
		Message: "m", Origin: Origin{Via: ViaInbox, From: "f", Author: "a"},
	}
	rec := encodeMeta(&b, Hash{1})
	for n := range len(rec) {
		var m Meta
		if err := decodeMeta(rec[:n], &m); !errors.Is(err, ErrCorrupt) {
			t.Errorf("record cut to %d bytes: error %v, want ErrCorrupt", n, err)
		}
	}
	var m Meta
	if err := decodeMeta(append(rec, 0), &m); !errors.Is(err, ErrCorrupt) {
		t.Errorf("trailing byte: error %v, want ErrCorrupt", err)
	}
	bad := append([]byte(nil), rec...)
	bad[0] = 99
	if err := decodeMeta(bad, &m); !errors.Is(err, ErrCorrupt) {
		t.Errorf("unknown version: error %v, want ErrCorrupt", err)
	}
}

func TestNamesRoundTrip(t *testing.T) {
	names := []string{"a", "", "urn:x\x00y"}
	got, err := decodeNames(encodeNames(names))
	if err != nil || !reflect.DeepEqual(got, names) {
		t.Errorf("decodeNames = %q, %v; want %q", got, err, names)
	}
	if _, err := decodeNames([]byte{5, 1}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("damaged record: error %v, want ErrCorrupt", err)
	}
}

// FuzzDecodeMeta checks that no stored record, however damaged, makes the
// decoder panic.
func FuzzDecodeMeta(f *testing.F) {
	b := newBlock("c", "<x/>")
	b.Binding.Subtypes = []string{"s"}
	f.Add(encodeMeta(&b, HashOf(b.Content)))
	f.Add([]byte{metaVersion})
	f.Fuzz(func(t *testing.T, rec []byte) {
		var m Meta
		_ = decodeMeta(rec, &m)
		_, _ = decodeNames(rec)
	})
}
