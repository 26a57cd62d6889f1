package store

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// awkwardNames are collection names that would collide under a naive
// "prefix + name + label" layout.
var awkwardNames = []string{
	"a", "ab", "a\x00", "a\x00b", "\x00", "a/b", "urn:x", "urn:x:y",
	"\x01\x02", "é", strings.Repeat("z", 300), strings.Repeat("z", 301),
}

func TestScopedKeysNeverPrefixEachOther(t *testing.T) {
	for _, a := range awkwardNames {
		for _, b := range awkwardNames {
			if a == b {
				continue
			}
			ka := blockKey(spaceMeta, a, 7)
			pb := scoped(spaceMeta, b, 0)
			if bytes.HasPrefix(ka, pb) {
				t.Errorf("key of %q starts with the prefix of %q", a, b)
			}
		}
	}
}

func TestSplitScoped(t *testing.T) {
	for _, name := range awkwardNames {
		key := subscriptionKey(name, "sub-1")
		got, tail, ok := splitScoped(key)
		if !ok || got != name || string(tail) != "sub-1" {
			t.Errorf("splitScoped(%q) = %q, %q, %v", key, got, tail, ok)
		}
	}
	for _, bad := range [][]byte{nil, {spaceCursor}, {spaceCursor, 9, 'a'}, {spaceCursor, 0x80}} {
		if _, _, ok := splitScoped(bad); ok {
			t.Errorf("splitScoped(%q) accepted a malformed key", bad)
		}
	}
}

func TestBlockKeysSortByLabel(t *testing.T) {
	labels := []Label{1, 255, 256, 1 << 40, 1<<62 + 3}
	for i := 1; i < len(labels); i++ {
		a := blockKey(spaceContent, "c", labels[i-1])
		b := blockKey(spaceContent, "c", labels[i])
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("key of %d does not sort before key of %d", labels[i-1], labels[i])
		}
		if labelOfKey(b) != labels[i] {
			t.Errorf("labelOfKey = %d, want %d", labelOfKey(b), labels[i])
		}
	}
}

func TestAwkwardCollectionNamesStayApart(t *testing.T) {
	s := memStore(t)
	ctx := context.Background()
	for i, name := range awkwardNames {
		blocks := numbered(name, i+1, 10, name)
		mustPut(t, s, blocks...)
	}
	for i, name := range awkwardNames {
		n, err := s.Count(ctx, name, Range{})
		if err != nil || n != uint64(i+1) {
			t.Errorf("Count(%q) = %d, %v; want %d", name, n, err, i+1)
		}
		if got := len(scanLabels(t, s, name, Range{})); got != i+1 {
			t.Errorf("ScanMeta(%q) saw %d blocks, want %d", name, got, i+1)
		}
	}
	names, err := s.Collections(ctx)
	if err != nil || len(names) != len(awkwardNames) {
		t.Errorf("Collections = %q, %v; want %d names", names, err, len(awkwardNames))
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name  string
		value string
		ok    bool
	}{
		{"plain", "collection", true},
		{"uri", "https://example.org/taxii/coll?x=1", true},
		{"nul byte", "a\x00b", true},
		{"empty", "", false},
		{"invalid utf-8", "a\xffb", false},
		{"longest", strings.Repeat("n", MaxNameLen), true},
		{"too long", strings.Repeat("n", MaxNameLen+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkName("collection name", tt.value)
			if tt.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
				t.Errorf("checkName(%q) = %v, want ok %v", tt.value, err, tt.ok)
			}
		})
	}
}
