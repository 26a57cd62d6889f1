package query

import (
	"slices"
	"strings"
	"sync"

	"github.com/taxiinode/taxiinode/protocol"
)

// maxTargets is the number of distinct targets a query may use: each has a
// bit in the masks of the evaluator.
const maxTargets = 64

// Query is a parsed and checked Default Query, ready to be evaluated. It is
// immutable and safe for concurrent use.
type Query struct {
	vocabulary string
	root       *node
	leaves     []leaf
	targets    []*automaton
	qualified  bool
	canonical  string
	matchers   sync.Pool
}

// Parse parses and checks a query with DefaultConfig (QRY-3). Its errors are
// *protocol.StatusError values, see Config.Parse.
func Parse(q protocol.Query) (*Query, error) {
	return DefaultConfig().Parse(q)
}

// Parse parses and checks a query (QRY-3). Its errors are
// *protocol.StatusError values: UNSUPPORTED_QUERY for a format other than
// the Default Query (detail SUPPORTED_QUERY), BAD_MESSAGE for a malformed
// query (structure, unknown relationship, missing, unknown or bad parameter,
// regular expression that does not compile, timestamp that is not RFC 3339,
// target that is not an expression), UNSUPPORTED_TARGETING_EXPRESSION_ID for
// a vocabulary not in c.Vocabularies, UNSUPPORTED_CAPABILITY_MODULE for a
// module other than core-1, regex-1 and timestamp-1 (detail
// CAPABILITY_MODULE, the supported ones), UNSUPPORTED_TARGETING_EXPRESSION
// for a target outside the scopes (details PREFERRED_SCOPE, then
// ALLOWED_SCOPE). When a query has several faults the first kind in that
// list is reported (AMB-24).
func (c Config) Parse(q protocol.Query) (*Query, error) {
	if id := strings.Trim(q.FormatID, xmlSpace); id != protocol.QueryFormatDefault {
		return nil, unsupportedFormat(id)
	}
	raw, serr := parseBody(q.Body)
	if serr != nil {
		return nil, serr
	}
	b := &builder{
		cfg:    c,
		scopes: c.scopes(),
		query:  &Query{vocabulary: raw.vocabulary},
		known:  slices.Contains(c.Vocabularies, raw.vocabulary),
		index:  map[string]int{},
	}
	if !b.known {
		b.vocabErr = c.unsupportedVocabulary(raw.vocabulary)
	}
	b.query.root = b.criteria(raw.root)
	if err := b.err(); err != nil {
		return nil, err
	}
	b.query.canonical = canonical(b.query)
	return b.query, nil
}

// TargetingExpressionID returns the vocabulary the query's targets use.
func (q *Query) TargetingExpressionID() string {
	return q.vocabulary
}

// Canonical returns a canonical form of the query, equal for equivalent
// queries (AMB-18): prefixes are replaced by namespace URIs, parameter
// defaults filled in, spellings, numbers and timestamps normalised, and the
// criteria tree flattened and sorted. Queries that differ only in such ways
// get the same form; the form of other queries differs.
func (q *Query) Canonical() string {
	return q.canonical
}

// builder turns a rawQuery into a Query, collecting the first fault of
// each kind so that the most important one can be reported.
type builder struct {
	cfg      Config
	scopes   [][]step
	query    *Query
	known    bool
	index    map[string]int
	bad      *protocol.StatusError
	vocabErr *protocol.StatusError
	module   *protocol.StatusError
	scope    *protocol.StatusError
}

// err returns the fault to report, in the order of AMB-24.
func (b *builder) err() error {
	for _, e := range []*protocol.StatusError{b.bad, b.vocabErr, b.module, b.scope} {
		if e != nil {
			return e
		}
	}
	return nil
}

func (b *builder) note(err *protocol.StatusError) {
	var slot **protocol.StatusError
	switch err.Type {
	case protocol.StatusUnsupportedCapability:
		slot = &b.module
	case protocol.StatusUnsupportedTargeting:
		slot = &b.scope
	default:
		slot = &b.bad
	}
	if *slot == nil {
		*slot = err
	}
}

func (b *builder) criteria(rc *rawCriteria) *node {
	n := &node{and: rc.and, leaf: -1}
	for _, k := range rc.kids {
		if k.criteria != nil {
			n.kids = append(n.kids, b.criteria(k.criteria))
		} else {
			n.kids = append(n.kids, b.criterion(k.criterion))
		}
	}
	return n
}

// criterion checks one Criterion and adds it as a leaf.
func (b *builder) criterion(rc *rawCriterion) *node {
	l := leaf{negate: rc.negate}
	pred, negated, err := parseTest(rc.module, rc.relationship, rc.params)
	if err != nil {
		b.note(err)
	}
	l.pred, l.negate = pred, l.negate != negated
	if b.known {
		l.target = b.target(rc)
	}
	b.query.leaves = append(b.query.leaves, l)
	return &node{leaf: len(b.query.leaves) - 1}
}

// target parses a criterion's target, checks it against the scopes and
// returns the index of its automaton, shared by equal targets.
func (b *builder) target(rc *rawCriterion) int {
	steps, err := parseTarget(rc.target, rc.resolver())
	if err != nil {
		b.note(err)
		return 0
	}
	if !slices.ContainsFunc(b.scopes, func(s []step) bool { return covers(s, steps) }) {
		b.note(b.cfg.outOfScope(rc.target))
	}
	key := formatTarget(steps)
	if i, ok := b.index[key]; ok {
		return i
	}
	if len(b.query.targets) == maxTargets {
		b.note(badQuery("more than %d distinct targets", maxTargets))
		return 0
	}
	for _, s := range steps {
		b.query.qualified = b.query.qualified || s.qualified
	}
	b.index[key] = len(b.query.targets)
	b.query.targets = append(b.query.targets, compile(steps, key))
	return len(b.query.targets) - 1
}
