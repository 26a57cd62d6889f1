package query

// automaton selects the nodes of one targeting expression while a document
// is read once from start to end. Its state is a set of positions in the
// expression, one bit each: bit i means "the nodes read so far on the path
// from the root match the expression's first i nodes". Bit n (n nodes in
// the expression) means the current node is selected.
//
// "**" matches any sequence of nodes, the empty one included, except as the
// last node of an expression, where it matches at least one node: so
// "**/Title" selects a root Title too, and "Indicators/**" selects what is
// below Indicators but not Indicators itself.
type automaton struct {
	key     string // the target in canonical form
	n       int
	start   uint64 // the state before the root element
	any     uint64 // positions whose node is "*"
	deep    uint64 // positions whose node is "**"
	deepMid uint64 // "**" positions other than the last
	elems   []literal
	attrs   []literal
	last    step   // the expression's last node
	lastBit uint64 // bit n-1
	accept  uint64 // bit n
}

// literal is a name node of an expression, with its position bit.
type literal struct {
	bit uint64
	step
}

// compile builds the automaton of a parsed targeting expression.
func compile(steps []step, key string) *automaton {
	a := &automaton{key: key, n: len(steps), last: steps[len(steps)-1]}
	a.lastBit = 1 << (a.n - 1)
	a.accept = 1 << a.n
	for i, s := range steps {
		bit := uint64(1) << i
		switch s.kind {
		case stepAny:
			a.any |= bit
		case stepDeep:
			a.deep |= bit
			if i < a.n-1 {
				a.deepMid |= bit
			}
		case stepElem:
			a.elems = append(a.elems, literal{bit, s})
		case stepAttr:
			a.attrs = append(a.attrs, literal{bit, s})
		}
	}
	a.start = a.closure(1)
	return a
}

// closure adds the positions reached by letting each "**" before the last
// node match no node at all.
func (a *automaton) closure(s uint64) uint64 {
	for {
		add := (s & a.deepMid) << 1
		if add&^s == 0 {
			return s
		}
		s |= add
	}
}

// element returns the state after reading a child element of local name
// local in namespace space, from the state s of its parent. space is only
// read by namespace-qualified names.
func (a *automaton) element(s uint64, local, space []byte) uint64 {
	if s == 0 {
		return 0
	}
	m := s & a.any
	for _, l := range a.elems {
		if s&l.bit != 0 && l.matches(local, space) {
			m |= l.bit
		}
	}
	next := m<<1 | s&a.deep | (s&a.deep&a.lastBit)<<1
	return a.closure(next)
}

// attribute reports whether an attribute of an element in state s is
// selected: attributes have no children, so only the last node can select
// them.
func (a *automaton) attribute(s uint64, local, space []byte) bool {
	if s&a.lastBit == 0 {
		return false
	}
	switch a.last.kind {
	case stepAny, stepDeep:
		return true
	case stepAttr:
		return (literal{a.lastBit, a.last}).matches(local, space)
	}
	return false
}

// attributes reports whether any attribute of an element in state s can be
// selected.
func (a *automaton) attributes(s uint64) bool {
	return s&a.lastBit != 0 && a.last.kind != stepElem
}

func (l literal) matches(local, space []byte) bool {
	return string(local) == l.local && (!l.qualified || string(space) == l.space)
}
