package node

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/taxiinode/taxiinode/protocol"
	"github.com/taxiinode/taxiinode/protocol/query"
)

// state is the node's configuration prepared for use. A state is never
// modified: a configuration change builds a new one and swaps it in.
type state struct {
	settings    *Settings
	collections map[string]*collection
	names       []string // sorted
}

// collection is one collection's settings, parsed.
type collection struct {
	name         string
	description  string
	typ          protocol.CollectionType
	accept       []protocol.ContentBinding // empty: every binding
	reshare      bool
	reshareQuery *query.Query // nil: re-share everything
	maxAge       int64        // microseconds; 0: keep forever
	maxBlocks    uint64
}

func newState(dir string, s *Settings) (*state, error) {
	st := &state{settings: s, collections: make(map[string]*collection, len(s.Collections))}
	for _, cs := range s.Collections {
		c := &collection{
			name:        cs.Name,
			description: cs.Description,
			typ:         protocol.CollectionType(cs.Type),
			reshare:     cs.Reshare,
			maxAge:      cs.MaxAge.Microseconds(),
			maxBlocks:   cs.MaxBlocks,
		}
		if c.typ == "" {
			c.typ = protocol.DataFeed
		}
		for _, b := range cs.Accept {
			c.accept = append(c.accept, protocol.ContentBinding{BindingID: b.Binding, Subtypes: b.Subtypes})
		}
		if cs.ReshareQuery != "" {
			q, err := loadQuery(dir, cs.ReshareQuery)
			if err != nil {
				return nil, fmt.Errorf("collection %s: reshare_query: %w", cs.Name, err)
			}
			c.reshareQuery = q
		}
		st.collections[c.name] = c
		st.names = append(st.names, c.name)
	}
	sort.Strings(st.names)
	return st, nil
}

// loadQuery reads a file holding a TAXII Default Query: a tdq:Default_Query
// element.
func loadQuery(dir, path string) (*query.Query, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return query.Parse(protocol.Query{FormatID: protocol.QueryFormatDefault, Body: stripXMLDecl(body)})
}

func (st *state) collection(name string) (*collection, bool) {
	c, ok := st.collections[name]
	return c, ok
}

// accepts reports whether the collection takes content of binding b.
func (c *collection) accepts(b protocol.ContentBinding) bool {
	return protocol.BindingAccepted(c.accept, b)
}

// supportedContent returns the SUPPORTED_CONTENT details of the collection's
// bindings (AMB-31: plain binding IDs).
func (c *collection) supportedContent() []string {
	ids := make([]string, 0, len(c.accept))
	for _, b := range c.accept {
		ids = append(ids, b.BindingID)
	}
	return ids
}
