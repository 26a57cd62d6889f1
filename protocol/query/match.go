package query

import "bytes"

// maxDepth is the deepest element level the evaluator examines. Elements
// nested deeper are read past but never selected, so a query cannot match
// through them; no real STIX document comes near.
const maxDepth = 1024

// Match reports whether a content block matches the query (QRY-4, QRY-5).
// Content that is not XML (isXML false: STIX 2 JSON, opaque text) never
// matches, whatever the query, and never makes it fail. XML content is
// well-formed XML content, possibly with several top-level elements, each a
// root of the vocabulary; text around them is ignored. Match reads the
// content once, allocates nothing once warm, stops as soon as the result is
// known, and is safe for concurrent use.
func (q *Query) Match(content []byte, isXML bool) bool {
	if !isXML {
		return false
	}
	m, _ := q.matchers.Get().(*matcher)
	if m == nil {
		m = newMatcher(q)
	}
	ok := m.run(content)
	q.matchers.Put(m)
	return ok
}

// matcher holds the state of one evaluation. Levels are counted from the
// document (level 0) down: the root element is at level 1.
type matcher struct {
	q        *Query
	sc       *scratch
	byTarget [][]int // leaf indexes per target
	nt       int

	hit     []bool   // per leaf: some selected node passed its test
	sets    []uint64 // automaton states, nt per level
	alive   []bool   // per level: some state is not empty
	capture []uint64 // per level: targets whose value is being read
	values  [][]byte // per level: the element's direct text so far
	wanted  uint64   // targets with a test still waiting for a value
	pending uint64   // targets with an exists test still unmet
	done    bool
	result  bool

	ns     []nsBinding // namespace declarations in scope (qualified queries)
	nsMark []int       // per level: len(ns) before the level's declarations
	attr   []byte      // decoded attribute value
}

var (
	namespaceXMLBytes = []byte(namespaceXML)
	xmlnsBytes        = []byte("xmlns")
)

// nsBinding is a namespace declaration of the content.
type nsBinding struct {
	prefix, uri []byte
}

func newMatcher(q *Query) *matcher {
	m := &matcher{q: q, sc: newScratch(), nt: len(q.targets)}
	m.byTarget = make([][]int, m.nt)
	for i, l := range q.leaves {
		m.byTarget[l.target] = append(m.byTarget[l.target], i)
	}
	m.hit = make([]bool, len(q.leaves))
	return m
}

// reset prepares the matcher for a new block.
func (m *matcher) reset() {
	clear(m.hit)
	m.wanted, m.pending = 0, 0
	for _, l := range m.q.leaves {
		if l.pred == nil {
			m.pending |= 1 << l.target
		} else {
			m.wanted |= 1 << l.target
		}
	}
	m.done, m.result = false, false
	m.ns = m.ns[:0]
	m.grow(0)
	for t, a := range m.q.targets {
		m.sets[t] = a.start
	}
	m.alive[0], m.capture[0] = m.nt > 0, 0
	m.nsMark[0] = 0
	m.decide()
}

// grow makes room for the state of level.
func (m *matcher) grow(level int) {
	for len(m.alive) <= level {
		m.alive = append(m.alive, false)
		m.capture = append(m.capture, 0)
		m.values = append(m.values, nil)
		m.nsMark = append(m.nsMark, 0)
		m.sets = append(m.sets, make([]uint64, m.nt)...)
	}
}

// run evaluates the query over content.
func (m *matcher) run(content []byte) bool {
	m.reset()
	s := scanner{b: content}
	level, overflow := 0, 0
	for !m.done {
		switch s.next() {
		case tokEOF:
			return m.finish()
		case tokText:
			if m.capture[level] != 0 {
				m.values[level] = appendText(m.values[level], s.text, false)
			}
		case tokCDATA:
			if m.capture[level] != 0 {
				m.values[level] = appendCDATA(m.values[level], s.text)
			}
		case tokStart:
			switch {
			case level == maxDepth && !s.empty:
				overflow++
			case level < maxDepth:
				m.start(&s, level+1)
				if s.empty {
					m.end(level + 1)
				} else {
					level++
				}
			}
		case tokEnd:
			switch {
			case overflow > 0:
				overflow--
			case level > 0:
				m.end(level)
				level--
			}
		}
	}
	return m.result
}

// start handles the start tag of an element at level.
func (m *matcher) start(s *scanner, level int) {
	m.grow(level)
	m.capture[level] = 0
	m.nsMark[level] = len(m.ns)
	if !m.alive[level-1] {
		m.alive[level] = false
		return
	}
	prefix, local := splitName(s.name)
	var space []byte
	if m.q.qualified {
		if bytes.Contains(s.attrs, xmlnsBytes) {
			m.declare(s.attrs)
		}
		space = m.lookup(prefix, true)
	}
	parent, sets := m.level(level-1), m.level(level)
	alive, attrs := false, uint64(0)
	for t, a := range m.q.targets {
		st := a.element(parent[t], local, space)
		sets[t] = st
		alive = alive || st != 0
		if st&a.accept != 0 {
			m.selectElement(t, level)
		}
		if a.attributes(st) {
			attrs |= 1 << t
		}
	}
	m.alive[level] = alive
	if attrs &= m.pending | m.wanted; attrs != 0 {
		m.attributes(s.attrs, sets, attrs)
	}
}

// level returns the automaton states of a level.
func (m *matcher) level(l int) []uint64 {
	return m.sets[l*m.nt : (l+1)*m.nt]
}

// selectElement records that an element selected by target t started.
func (m *matcher) selectElement(t, level int) {
	bit := uint64(1) << t
	if m.pending&bit != 0 {
		m.exists(t)
	}
	if m.wanted&bit != 0 {
		if m.capture[level] == 0 {
			m.values[level] = m.values[level][:0]
		}
		m.capture[level] |= bit
	}
}

// end handles the end of the element at level: its value is complete.
func (m *matcher) end(level int) {
	if c := m.capture[level]; c != 0 {
		v := trimSpace(m.values[level])
		for t := range m.nt {
			if c&(1<<t) != 0 {
				m.value(t, v)
			}
		}
		m.capture[level] = 0
	}
	m.ns = m.ns[:m.nsMark[level]]
}

// attributes examines the attributes of an element whose states are sets,
// for the targets in mask.
func (m *matcher) attributes(r []byte, sets []uint64, mask uint64) {
	for ar := (attrReader{r}); ; {
		prefix, local, raw, ok := ar.next()
		if !ok {
			return
		}
		if isXMLNS(prefix, local) {
			continue
		}
		var space []byte
		if m.q.qualified && prefix != nil {
			space = m.lookup(prefix, false)
		}
		decoded := false
		for t, a := range m.q.targets {
			bit := uint64(1) << t
			if mask&bit == 0 || !a.attribute(sets[t], local, space) {
				continue
			}
			if m.pending&bit != 0 {
				m.exists(t)
			}
			if m.wanted&bit != 0 {
				if !decoded {
					m.attr, decoded = appendText(m.attr[:0], raw, true), true
				}
				m.value(t, trimSpace(m.attr))
			}
			if m.done {
				return
			}
		}
	}
}

// exists records that a node selected by target t exists.
func (m *matcher) exists(t int) {
	for _, i := range m.byTarget[t] {
		if m.q.leaves[i].pred == nil {
			m.hit[i] = true
		}
	}
	m.pending &^= 1 << t
	m.decide()
}

// value tests the value of a node selected by target t.
func (m *matcher) value(t int, v []byte) {
	waiting := false
	for _, i := range m.byTarget[t] {
		l := &m.q.leaves[i]
		if l.pred == nil || m.hit[i] {
			continue
		}
		if l.pred.test(v, m.sc) {
			m.hit[i] = true
			m.decide()
		} else {
			waiting = true
		}
	}
	if !waiting {
		m.wanted &^= 1 << t
	}
}

// decide ends the evaluation when the result is known whatever the rest of
// the content holds.
func (m *matcher) decide() {
	if v := m.eval(m.q.root, false); v != unknown {
		m.done, m.result = true, v == yes
	}
}

// finish returns the result at the end of the content.
func (m *matcher) finish() bool {
	return m.eval(m.q.root, true) == yes
}

// declare adds the namespace declarations among the attributes r.
func (m *matcher) declare(r []byte) {
	for ar := (attrReader{r}); ; {
		prefix, local, raw, ok := ar.next()
		if !ok {
			return
		}
		if !isXMLNS(prefix, local) {
			continue
		}
		uri := raw
		if bytes.IndexByte(raw, '&') >= 0 {
			uri = appendText(nil, raw, true)
		}
		if prefix == nil {
			local = nil
		}
		m.ns = append(m.ns, nsBinding{prefix: local, uri: uri})
	}
}

// lookup returns the namespace URI of a prefix, nil when it is unbound. An
// element without a prefix is in the default namespace; an attribute
// without one is in no namespace.
func (m *matcher) lookup(prefix []byte, element bool) []byte {
	switch {
	case prefix == nil && !element:
		return nil
	case string(prefix) == "xml":
		return namespaceXMLBytes
	}
	for i := len(m.ns) - 1; i >= 0; i-- {
		if bytes.Equal(m.ns[i].prefix, prefix) {
			return m.ns[i].uri
		}
	}
	return nil
}

func isXMLNS(prefix, local []byte) bool {
	return string(prefix) == "xmlns" || (prefix == nil && string(local) == "xmlns")
}

// appendCDATA appends the content of a CDATA section with its line ends
// turned into LF.
func appendCDATA(dst, raw []byte) []byte {
	for {
		i := bytes.IndexByte(raw, '\r')
		if i < 0 {
			return append(dst, raw...)
		}
		dst = append(append(dst, raw[:i]...), '\n')
		raw = raw[i+1:]
		if len(raw) > 0 && raw[0] == '\n' {
			raw = raw[1:]
		}
	}
}
