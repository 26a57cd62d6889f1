package query

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/taxiinode/taxiinode/protocol"
)

// Limits on the size of a query. They are far above any real query and keep
// parsing and evaluation cheap whatever a peer sends.
const (
	maxBody          = 1 << 20 // bytes of the Default_Query element
	maxCriteriaDepth = 64      // nesting of Criteria
	maxCriterions    = 1024    // Criterion elements
)

// rawQuery is a Default_Query as written, before its tests are checked.
type rawQuery struct {
	vocabulary string
	root       *rawCriteria
}

// rawCriteria is one Criteria: an operator and its children in order, each
// either a Criteria or a Criterion.
type rawCriteria struct {
	and  bool
	kids []rawChild
}

type rawChild struct {
	criteria  *rawCriteria
	criterion *rawCriterion
}

// rawCriterion is one Criterion as written. ns is the namespace context of
// its Target, for the prefixes the target may use.
type rawCriterion struct {
	negate       bool
	target       string
	ns           []binding
	module       string
	relationship string
	params       []param
}

// binding is one namespace declaration in scope.
type binding struct {
	prefix, uri string
}

// bodyParser reads a Default_Query element with encoding/xml, keeping the
// namespace declarations in scope.
type bodyParser struct {
	d          *xml.Decoder
	ns         []binding
	marks      []int
	criterions int
}

// parseBody parses the XML of a Default_Query (QRY-2). Every structural
// fault is a BAD_MESSAGE status error.
func parseBody(body []byte) (*rawQuery, *protocol.StatusError) {
	if len(body) > maxBody {
		return nil, badQuery("query larger than %d bytes", maxBody)
	}
	p := &bodyParser{d: xml.NewDecoder(bytes.NewReader(body))}
	p.d.Strict = true
	start, err := p.next()
	if err != nil {
		return nil, err
	}
	if start == nil {
		return nil, badQuery("no Default_Query element")
	}
	q, err := p.query(start)
	if err != nil {
		return nil, err
	}
	rest, err := p.next()
	switch {
	case err != nil:
		return nil, err
	case rest != nil:
		return nil, badQuery("element %s after the Default_Query", rest.Name.Local)
	}
	return q, nil
}

// next returns the next start element at the current level, nil at the end
// of the enclosing element (or of the input). Text other than white space
// is refused, as are DTDs; comments and processing instructions are skipped.
func (p *bodyParser) next() (*xml.StartElement, *protocol.StatusError) {
	for {
		tok, err := p.d.Token()
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		if err != nil {
			return nil, badQuery("not well-formed: %v", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			p.push(t)
			return &t, nil
		case xml.EndElement:
			p.pop()
			return nil, nil
		case xml.CharData:
			if len(bytes.Trim(t, xmlSpace)) > 0 {
				return nil, badQuery("unexpected text %q", truncate(string(t)))
			}
		case xml.Directive:
			return nil, badQuery("a DTD or declaration is not allowed in a query")
		}
	}
}

// text returns the character content of the element just started, trimmed
// of XML white space; child elements are refused.
func (p *bodyParser) text(name string) (string, *protocol.StatusError) {
	var b strings.Builder
	for {
		tok, err := p.d.Token()
		if err != nil {
			return "", badQuery("not well-formed: %v", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			b.Write(t)
		case xml.StartElement:
			return "", badQuery("element %s inside %s", t.Name.Local, name)
		case xml.EndElement:
			p.pop()
			return strings.Trim(b.String(), xmlSpace), nil
		}
	}
}

func (p *bodyParser) push(t xml.StartElement) {
	p.marks = append(p.marks, len(p.ns))
	for _, a := range t.Attr {
		switch {
		case a.Name.Space == "xmlns":
			p.ns = append(p.ns, binding{a.Name.Local, a.Value})
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			p.ns = append(p.ns, binding{"", a.Value})
		}
	}
}

func (p *bodyParser) pop() {
	if n := len(p.marks); n > 0 {
		p.ns = p.ns[:p.marks[n-1]]
		p.marks = p.marks[:n-1]
	}
}

// query reads the Default_Query element and its one Criteria.
func (p *bodyParser) query(start *xml.StartElement) (*rawQuery, *protocol.StatusError) {
	if err := expect(start, "Default_Query"); err != nil {
		return nil, err
	}
	q := &rawQuery{vocabulary: attr(start, "targeting_expression_id")}
	if q.vocabulary == "" {
		return nil, badQuery("Default_Query has no targeting_expression_id")
	}
	err := p.eachChild(func(child *xml.StartElement) (err *protocol.StatusError) {
		if q.root != nil {
			return badQuery("Default_Query holds more than one Criteria")
		}
		if err := expect(child, "Criteria"); err != nil {
			return err
		}
		q.root, err = p.criteria(child, 1)
		return err
	})
	if err != nil {
		return nil, err
	}
	if q.root == nil {
		return nil, badQuery("Default_Query has no Criteria")
	}
	return q, nil
}

// criteria reads a Criteria and its children, Criteria and Criterion in any
// order (AMB-4).
func (p *bodyParser) criteria(start *xml.StartElement, depth int) (*rawCriteria,
	*protocol.StatusError) {
	if depth > maxCriteriaDepth {
		return nil, badQuery("Criteria nested deeper than %d levels", maxCriteriaDepth)
	}
	c := &rawCriteria{}
	switch op := attr(start, "operator"); op {
	case "AND":
		c.and = true
	case "OR":
	default:
		return nil, badQuery("operator %q is not AND or OR", op)
	}
	err := p.eachChild(func(child *xml.StartElement) (err *protocol.StatusError) {
		var kid rawChild
		switch {
		case isTDQ(child, "Criteria"):
			kid.criteria, err = p.criteria(child, depth+1)
		case isTDQ(child, "Criterion"):
			kid.criterion, err = p.criterion(child)
		default:
			err = badQuery("element %s inside Criteria", child.Name.Local)
		}
		c.kids = append(c.kids, kid)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(c.kids) == 0 {
		return nil, badQuery("Criteria without Criteria or Criterion")
	}
	return c, nil
}

// criterion reads a Criterion: one Target and one Test.
func (p *bodyParser) criterion(start *xml.StartElement) (*rawCriterion, *protocol.StatusError) {
	p.criterions++
	if p.criterions > maxCriterions {
		return nil, badQuery("more than %d Criterion elements", maxCriterions)
	}
	c := &rawCriterion{}
	neg, ok := parseBool(attr(start, "negate"))
	if _, given := attrLookup(start, "negate"); given && !ok {
		return nil, badQuery("negate %q is not a boolean", attr(start, "negate"))
	}
	c.negate = neg
	var target, test bool
	err := p.eachChild(func(child *xml.StartElement) (err *protocol.StatusError) {
		switch {
		case isTDQ(child, "Target") && !target:
			target = true
			c.ns = append([]binding(nil), p.ns...)
			c.target, err = p.text("Target")
		case isTDQ(child, "Test") && !test:
			test = true
			err = p.test(child, c)
		default:
			err = badQuery("unexpected element %s inside Criterion", child.Name.Local)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if !target || !test {
		return nil, badQuery("Criterion needs one Target and one Test")
	}
	return c, nil
}

// test reads a Test: capability_id, relationship and Parameter elements.
func (p *bodyParser) test(start *xml.StartElement, c *rawCriterion) *protocol.StatusError {
	c.module = attr(start, "capability_id")
	c.relationship = attr(start, "relationship")
	if c.module == "" || c.relationship == "" {
		return badQuery("Test needs a capability_id and a relationship")
	}
	return p.eachChild(func(child *xml.StartElement) *protocol.StatusError {
		if !isTDQ(child, "Parameter") {
			return badQuery("unexpected element %s inside Test", child.Name.Local)
		}
		name, ok := attrLookup(child, "name")
		if !ok || name == "" {
			return badQuery("Parameter without a name")
		}
		v, err := p.text("Parameter")
		c.params = append(c.params, param{name: name, value: v})
		return err
	})
}

// eachChild calls f on each child element of the element just started, up
// to its end or to the first error.
func (p *bodyParser) eachChild(f func(*xml.StartElement) *protocol.StatusError,
) *protocol.StatusError {
	for {
		child, err := p.next()
		if err != nil || child == nil {
			return err
		}
		if err := f(child); err != nil {
			return err
		}
	}
}

// resolver returns a resolver over the namespace declarations of the
// criterion's Target, the innermost declaration of a prefix winning.
func (c *rawCriterion) resolver() resolver {
	return func(prefix string) (string, bool) {
		for i := len(c.ns) - 1; i >= 0; i-- {
			if c.ns[i].prefix == prefix {
				return c.ns[i].uri, true
			}
		}
		return "", false
	}
}

// xmlSpace is the white space of XML.
const xmlSpace = " \t\r\n"

func isTDQ(e *xml.StartElement, local string) bool {
	return e.Name.Space == protocol.NamespaceDefaultQuery && e.Name.Local == local
}

func expect(e *xml.StartElement, local string) *protocol.StatusError {
	if !isTDQ(e, local) {
		return badQuery("found element {%s}%s where tdq:%s was expected",
			e.Name.Space, e.Name.Local, local)
	}
	return nil
}

// attr returns an unqualified attribute's value trimmed of XML white space
// (AMB-28), or "".
func attr(e *xml.StartElement, name string) string {
	v, _ := attrLookup(e, name)
	return v
}

func attrLookup(e *xml.StartElement, name string) (string, bool) {
	for _, a := range e.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return strings.Trim(a.Value, xmlSpace), true
		}
	}
	return "", false
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
