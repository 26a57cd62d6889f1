package query

import (
	"slices"
	"strings"

	"github.com/taxiinode/taxiinode/protocol"
)

// predicate is the Test of a Criterion applied to the value of one selected
// node. A nil predicate is the test exists: it needs no value.
type predicate interface {
	// test reports whether the node value v passes. v is trimmed of XML
	// white space; sc is scratch space of the evaluation in progress.
	test(v []byte, sc *scratch) bool
	// canonical returns a form of the test equal for equivalent tests.
	canonical() string
}

// param is one Parameter of a Test, its value trimmed of XML white space.
type param struct {
	name, value string
}

// paramSet holds the parameters of one test after takeParams checked them.
type paramSet []param

// get returns the value of the parameter called name.
func (ps paramSet) get(name string) (string, bool) {
	for _, p := range ps {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// takeParams checks that every parameter is one of allowed and none is
// given twice: the modules define each parameter once and no other.
func takeParams(params []param, allowed ...string) (paramSet, *protocol.StatusError) {
	for i, p := range params {
		if !slices.Contains(allowed, p.name) {
			return nil, badQuery("parameter %q is not defined for this relationship (allowed: %s)",
				p.name, strings.Join(allowed, ", "))
		}
		for _, q := range params[:i] {
			if q.name == p.name {
				return nil, badQuery("parameter %q is given twice", p.name)
			}
		}
	}
	return paramSet(params), nil
}

// parseBool reads an xs:boolean: true, false, 1 or 0.
func parseBool(s string) (bool, bool) {
	switch s {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// caseSensitive reads the case_sensitive parameter, true when absent
// (AMB-6).
func caseSensitive(ps paramSet) (bool, *protocol.StatusError) {
	v, ok := ps.get("case_sensitive")
	if !ok {
		return true, nil
	}
	b, ok := parseBool(v)
	if !ok {
		return false, badQuery("case_sensitive %q is not true or false", v)
	}
	return b, nil
}

// valueAndCase checks the parameters of a relationship taking value and
// case_sensitive (plus the other allowed names) and returns both.
func valueAndCase(rel string, params []param, allowed ...string) (ps paramSet, v string,
	cs bool, err *protocol.StatusError) {
	ps, err = takeParams(params, append([]string{"case_sensitive", "value"}, allowed...)...)
	if err == nil {
		v, err = requireValue(ps, rel)
	}
	if err == nil {
		cs, err = caseSensitive(ps)
	}
	return ps, v, cs, err
}

// requireValue returns the value parameter, which every relationship with
// a value needs (AMB-6).
func requireValue(ps paramSet, rel string) (string, *protocol.StatusError) {
	v, ok := ps.get("value")
	if !ok {
		return "", badQuery("relationship %q needs the parameter value", rel)
	}
	return v, nil
}

func unknownRelationship(module, rel string) *protocol.StatusError {
	return badQuery("relationship %q is not defined by capability module %s", rel, module)
}

// parseTest builds the predicate of a Test (§9.4). A nil predicate with
// exists true is the core test exists; does_not_exist is returned as exists
// with negated true, since the two are the same test negated (AMB-7).
func parseTest(module, rel string, params []param) (p predicate, negated bool,
	err *protocol.StatusError) {
	switch module {
	case protocol.CapabilityCore:
		return parseCoreTest(rel, params)
	case protocol.CapabilityRegex:
		p, err = parseRegexTest(rel, params)
	case protocol.CapabilityTimestamp:
		p, err = parseTimestampTest(rel, params)
	default:
		err = unsupportedModule(module)
	}
	return p, false, err
}
