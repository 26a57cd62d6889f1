package query

import (
	"bytes"
	"strconv"

	"github.com/taxiinode/taxiinode/protocol"
)

// Values of the core module's match_type parameter.
const (
	matchCaseSensitive   = "case_sensitive_string"
	matchCaseInsensitive = "case_insensitive_string"
	matchNumber          = "number"
)

// stringOp is a string relationship of the core module.
type stringOp uint8

const (
	strEquals stringOp = iota
	strNotEquals
	strBeginsWith
	strEndsWith
	strContains
)

var stringOpNames = [...]string{"equals", "not_equals", "begins_with", "ends_with", "contains"}

// stringTest compares the target's text with value, exactly or after full
// Unicode case folding (fold true; value is then stored folded).
type stringTest struct {
	op    stringOp
	fold  bool
	value []byte
}

// numberTest compares the target's text, read as a decimal number, with
// value. A target that is not a number does not match, whatever op is.
type numberTest struct {
	op    order
	value decimal
}

// numericRelationships maps the numeric relationships of the core module,
// in both spellings (AMB-5), to their order.
var numericRelationships = map[string]order{
	"greater_than":           orderGT,
	"greater_than_or_equal":  orderGE,
	"greater_than_or_equals": orderGE,
	"less_than":              orderLT,
	"less_than_or_equal":     orderLE,
	"less_than_or_equals":    orderLE,
}

// parseCoreTest builds a core-1 test (QRY-20). exists and does_not_exist
// give a nil predicate, does_not_exist with negated true.
func parseCoreTest(rel string, params []param) (p predicate, negated bool,
	err *protocol.StatusError) {
	switch rel {
	case "exists", "does_not_exist":
		if len(params) > 0 {
			return nil, false, badQuery("relationship %q takes no parameters", rel)
		}
		return nil, rel == "does_not_exist", nil
	case "equals", "not_equals":
		p, err = parseEquals(rel, params)
	case "begins_with", "ends_with", "contains":
		p, err = parseStringTest(rel, params)
	default:
		op, ok := numericRelationships[rel]
		if !ok {
			return nil, false, unknownRelationship(protocol.CapabilityCore, rel)
		}
		p, err = parseNumberTest(op, rel, params)
	}
	return p, false, err
}

// parseEquals builds equals or not_equals; match_type and value are
// required (AMB-6).
func parseEquals(rel string, params []param) (predicate, *protocol.StatusError) {
	ps, err := takeParams(params, "match_type", "value")
	if err != nil {
		return nil, err
	}
	v, err := requireValue(ps, rel)
	if err != nil {
		return nil, err
	}
	op, numOp := strEquals, orderEQ
	if rel == "not_equals" {
		op, numOp = strNotEquals, orderNE
	}
	switch mt, _ := ps.get("match_type"); mt {
	case matchCaseSensitive:
		return &stringTest{op: op, value: []byte(v)}, nil
	case matchCaseInsensitive:
		return &stringTest{op: op, fold: true, value: foldString(v)}, nil
	case matchNumber:
		return parseNumberTest(numOp, rel, []param{{"value", v}})
	case "":
		return nil, badQuery("relationship %q needs the parameter match_type", rel)
	default:
		return nil, badQuery("match_type %q is not %s, %s or %s",
			mt, matchCaseSensitive, matchCaseInsensitive, matchNumber)
	}
}

// parseStringTest builds begins_with, ends_with or contains: value required,
// case_sensitive true by default. match_type, which the module does not
// define here but clients send, is accepted when it names a string kind and
// agrees with case_sensitive.
func parseStringTest(rel string, params []param) (predicate, *protocol.StatusError) {
	ps, v, cs, err := valueAndCase(rel, params, "match_type")
	if err != nil {
		return nil, err
	}
	if mt, ok := ps.get("match_type"); ok {
		mcs := mt == matchCaseSensitive
		_, given := ps.get("case_sensitive")
		switch {
		case mt != matchCaseSensitive && mt != matchCaseInsensitive:
			return nil, badQuery("relationship %q compares strings; match_type %q is not allowed",
				rel, mt)
		case given && mcs != cs:
			return nil, badQuery("match_type %q contradicts case_sensitive", mt)
		}
		cs = mcs
	}
	op := map[string]stringOp{"begins_with": strBeginsWith, "ends_with": strEndsWith,
		"contains": strContains}[rel]
	if cs {
		return &stringTest{op: op, value: []byte(v)}, nil
	}
	return &stringTest{op: op, fold: true, value: foldString(v)}, nil
}

// parseNumberTest builds a numeric comparison; value must be a number.
// match_type is tolerated when it says number.
func parseNumberTest(op order, rel string, params []param) (predicate, *protocol.StatusError) {
	ps, err := takeParams(params, "value", "match_type")
	if err != nil {
		return nil, err
	}
	if mt, ok := ps.get("match_type"); ok && mt != matchNumber {
		return nil, badQuery("relationship %q compares numbers; match_type %q is not allowed",
			rel, mt)
	}
	v, err := requireValue(ps, rel)
	if err != nil {
		return nil, err
	}
	d, _, ok := parseDecimal([]byte(v), nil)
	if !ok {
		return nil, badQuery("value %q of relationship %q is not a number", v, rel)
	}
	return &numberTest{op: op, value: d}, nil
}

func (t *stringTest) test(v []byte, sc *scratch) bool {
	if t.fold {
		v = sc.fold(v)
	}
	switch t.op {
	case strEquals:
		return bytes.Equal(v, t.value)
	case strNotEquals:
		return !bytes.Equal(v, t.value)
	case strBeginsWith:
		return bytes.HasPrefix(v, t.value)
	case strEndsWith:
		return bytes.HasSuffix(v, t.value)
	}
	return bytes.Contains(v, t.value)
}

func (t *stringTest) canonical() string {
	kind := "cs"
	if t.fold {
		kind = "ci"
	}
	return "core:" + stringOpNames[t.op] + " " + kind + " " + strconv.Quote(string(t.value))
}

func (t *numberTest) test(v []byte, sc *scratch) bool {
	d, ok := sc.decimal(v)
	return ok && t.op.holds(compareDecimal(d, t.value))
}

func (t *numberTest) canonical() string {
	return "core:" + t.op.name() + " number " + t.value.String()
}
