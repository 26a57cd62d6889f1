package trust

import (
	"fmt"
	"sort"
	"strings"
)

// Right is a set of permissions on one collection.
type Right uint8

// The rights a caller can hold on a collection.
const (
	Read Right = 1 << iota
	Write

	None Right = 0
	All        = Read | Write
)

// AnyCollection, used as a collection name in Rights, grants its rights on
// every collection of the node.
const AnyCollection = "*"

// Has reports whether r includes every right in want.
func (r Right) Has(want Right) bool { return r&want == want }

// String returns "read", "write", "read,write" or "none".
func (r Right) String() string {
	var parts []string
	if r.Has(Read) {
		parts = append(parts, "read")
	}
	if r.Has(Write) {
		parts = append(parts, "write")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// Rights maps collection names (or AnyCollection) to rights.
type Rights map[string]Right

// NewRights builds Rights from the collections a caller may read and those
// it may write.
func NewRights(read, write []string) Rights {
	r := make(Rights, len(read)+len(write))
	for _, c := range read {
		r[c] |= Read
	}
	for _, c := range write {
		r[c] |= Write
	}
	return r
}

// On returns the rights held on a collection, counting AnyCollection.
func (r Rights) On(collection string) Right {
	return r[collection] | r[AnyCollection]
}

// Collections returns, sorted, the collection names (possibly AnyCollection)
// on which every right in want is held.
func (r Rights) Collections(want Right) []string {
	var cs []string
	for c, got := range r {
		if got.Has(want) {
			cs = append(cs, c)
		}
	}
	sort.Strings(cs)
	return cs
}

// Grant returns a copy of r with right added on a collection.
func (r Rights) Grant(collection string, right Right) Rights {
	c := r.clone()
	c[collection] |= right
	return c
}

// Revoke returns a copy of r with right removed from a collection.
func (r Rights) Revoke(collection string, right Right) Rights {
	c := r.clone()
	c[collection] &^= right
	if c[collection] == None {
		delete(c, collection)
	}
	return c
}

func (r Rights) clone() Rights {
	c := make(Rights, len(r))
	for k, v := range r {
		c[k] = v
	}
	return c
}

func (r Rights) check() error {
	for c, v := range r {
		if c == "" {
			return fmt.Errorf("%w: empty collection name", ErrInvalidName)
		}
		if v&^All != 0 {
			return fmt.Errorf("%w: %d on %q", ErrInvalidRight, v, c)
		}
	}
	return nil
}
