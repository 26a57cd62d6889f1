package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// stixBinding is the binding used by test blocks.
var stixBinding = protocol.ContentBinding{BindingID: "urn:stix.mitre.org:xml:1.1.1"}

// openStore opens a store in a fresh temporary directory (or in memory)
// and closes it when the test ends.
func openStore(t testing.TB, opts Options) *Store {
	t.Helper()
	if !opts.InMemory && opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	s, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil && err != ErrClosed {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// memStore opens an in-memory store.
func memStore(t testing.TB) *Store {
	t.Helper()
	return openStore(t, Options{InMemory: true})
}

// newBlock returns a block of coll with the given content.
func newBlock(coll, content string) NewBlock {
	return NewBlock{
		Collection: coll,
		Binding:    stixBinding,
		Content:    []byte(content),
		IsXML:      true,
		Origin:     Origin{Via: ViaInbox},
	}
}

// mustPut stores blocks and fails the test on error.
func mustPut(t testing.TB, s *Store, blocks ...NewBlock) []PutResult {
	t.Helper()
	res, err := s.Put(context.Background(), blocks)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if len(res) != len(blocks) {
		t.Fatalf("Put returned %d results for %d blocks", len(res), len(blocks))
	}
	return res
}

// scanLabels returns the labels of coll in r, in scan order.
func scanLabels(t testing.TB, s *Store, coll string, r Range) []Label {
	t.Helper()
	var got []Label
	err := s.ScanMeta(context.Background(), coll, r, func(m *Meta) error {
		got = append(got, m.Label)
		return nil
	})
	if err != nil {
		t.Fatalf("ScanMeta: %v", err)
	}
	return got
}

// fakeClock is a settable clock for Options.Now.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// numbered returns n blocks of coll with distinct contents of size bytes.
func numbered(coll string, n, size int, tag string) []NewBlock {
	blocks := make([]NewBlock, n)
	for i := range blocks {
		head := fmt.Sprintf("<b tag=%q n=\"%d\">", tag, i)
		body := make([]byte, max(size, len(head)))
		copy(body, head)
		for j := len(head); j < len(body); j++ {
			body[j] = 'a' + byte((i+j)%26)
		}
		blocks[i] = newBlock(coll, string(body))
	}
	return blocks
}
