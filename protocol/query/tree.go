package query

import (
	"slices"
	"strconv"
	"strings"
)

// node is a Criteria (leaf < 0) or a Criterion (leaf indexes Query.leaves).
type node struct {
	and  bool
	leaf int
	kids []*node
}

// leaf is a Criterion: its target, its test (nil for exists) and whether
// its result is negated.
type leaf struct {
	target int
	negate bool
	pred   predicate
}

// tri is a truth value that may not be known yet.
type tri uint8

const (
	unknown tri = iota
	no
	yes
)

// eval evaluates the criteria n (QRY-5). A Criterion whose target has not
// yet shown a passing node is unknown until the content ends (final), when
// it is false; then negate applies (AMB-7). Because a Criterion only ever
// turns from unknown to known, a known result is final.
func (m *matcher) eval(n *node, final bool) tri {
	if n.leaf >= 0 {
		hit := m.hit[n.leaf]
		if !hit && !final {
			return unknown
		}
		if hit != m.q.leaves[n.leaf].negate {
			return yes
		}
		return no
	}
	result := no
	if n.and {
		result = yes
	}
	for _, k := range n.kids {
		switch v := m.eval(k, final); {
		case n.and && v == no, !n.and && v == yes:
			return v
		case v == unknown:
			result = unknown
		}
	}
	return result
}

// canonical returns the canonical form of q. Equivalent queries get the
// same form: targets are written with namespace URIs instead of prefixes
// and consecutive "**" merged; tests with their defaults filled in, both
// relationship spellings made one, numbers and timestamps in one notation
// and case-insensitive values folded; does_not_exist is the negation of
// exists; and the criteria tree is flattened (a Criteria inside one with the
// same operator is merged into it, a Criteria of one child is that child),
// its children sorted and duplicates dropped, since AND and OR are
// associative, commutative and idempotent.
func canonical(q *Query) string {
	return strconv.Quote(q.vocabulary) + " " + canonicalTerm(q, q.root).String()
}

// term is a criteria tree in canonical form: a Criterion (op "", its form
// in parts[0]) or an operator over the sorted, distinct forms of its
// children, none of which has the same operator.
type term struct {
	op    string
	parts []string
}

func (t term) String() string {
	if t.op == "" {
		return t.parts[0]
	}
	return t.op + "(" + strings.Join(t.parts, ", ") + ")"
}

func canonicalTerm(q *Query, n *node) term {
	if n.leaf >= 0 {
		return term{parts: []string{canonicalLeaf(q, q.leaves[n.leaf])}}
	}
	t := term{op: "OR"}
	if n.and {
		t.op = "AND"
	}
	kids := map[string]term{}
	for _, k := range n.kids {
		kt := canonicalTerm(q, k)
		if kt.op == t.op {
			t.parts = append(t.parts, kt.parts...)
			continue
		}
		s := kt.String()
		kids[s] = kt
		t.parts = append(t.parts, s)
	}
	slices.Sort(t.parts)
	t.parts = slices.Compact(t.parts)
	if len(t.parts) == 1 {
		// A merged child has two distinct parts at least, so a single
		// part is one of the other children.
		if kt, ok := kids[t.parts[0]]; ok {
			return kt
		}
	}
	return t
}

func canonicalLeaf(q *Query, l leaf) string {
	s := strconv.Quote(q.targets[l.target].key) + " "
	if l.pred == nil {
		s += "core:exists"
	} else {
		s += l.pred.canonical()
	}
	if l.negate {
		s = "NOT " + s
	}
	return s
}
