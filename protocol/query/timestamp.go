package query

import (
	"time"

	"github.com/taxiinode/taxiinode/protocol"
)

// unzonedSlack is how far a timestamp without a time zone may lie from the
// same clock reading in UTC: the widest zone offset of xs:dateTime.
const unzonedSlack = 14 * time.Hour

// order is the relationship of a comparison: shared by the numeric tests of
// the core module and the timestamp module.
type order uint8

const (
	orderEQ order = iota
	orderNE
	orderGT
	orderGE
	orderLT
	orderLE
)

// name returns the relationship's short name, used in canonical forms.
func (o order) name() string {
	return [...]string{"eq", "ne", "gt", "ge", "lt", "le"}[o]
}

// holds reports whether a comparison result c (-1, 0, 1 for target less,
// equal, greater than the value) satisfies o.
func (o order) holds(c int) bool {
	switch o {
	case orderEQ:
		return c == 0
	case orderNE:
		return c != 0
	case orderGT:
		return c > 0
	case orderGE:
		return c >= 0
	case orderLT:
		return c < 0
	}
	return c <= 0
}

// timestampRelationships maps the relationships of the timestamp module, in
// both spellings (AMB-5), to their order.
var timestampRelationships = map[string]order{
	"equals":                 orderEQ,
	"greater_than":           orderGT,
	"greater_than_or_equals": orderGE,
	"greater_than_or_equal":  orderGE,
	"less_than":              orderLT,
	"less_than_or_equals":    orderLE,
	"less_than_or_equal":     orderLE,
}

// timeTest is a test of the timestamp module (QRY-22): the target, read as
// an xs:dateTime, compared as an instant with value.
type timeTest struct {
	op    order
	value time.Time
}

// parseTimestampTest builds a timestamp-1 test. Its only parameter, value,
// is required and must be an RFC 3339 timestamp with a zone (AMB-6).
func parseTimestampTest(rel string, params []param) (predicate, *protocol.StatusError) {
	op, ok := timestampRelationships[rel]
	if !ok {
		return nil, unknownRelationship(protocol.CapabilityTimestamp, rel)
	}
	ps, err := takeParams(params, "value")
	if err != nil {
		return nil, err
	}
	v, ok := ps.get("value")
	if !ok {
		return nil, badQuery("relationship %q needs the parameter value", rel)
	}
	t, zoned, ok := parseDateTime([]byte(v), false)
	if !ok || !zoned {
		return nil, badQuery("timestamp %q is not an RFC 3339 timestamp with a time zone", v)
	}
	return &timeTest{op: op, value: t}, nil
}

// test reports whether the target value v is a timestamp in relationship op
// with the test's value. A value that is not an xs:dateTime does not match.
// One without a time zone stands for the span of instants it can be (±14
// hours around its reading in UTC): it matches when every instant of the
// span does, and never equals an instant.
func (t *timeTest) test(v []byte, _ *scratch) bool {
	at, zoned, ok := parseDateTime(v, true)
	if !ok {
		return false
	}
	if zoned {
		return t.op.holds(at.Compare(t.value))
	}
	lo, hi := at.Add(-unzonedSlack), at.Add(unzonedSlack)
	switch t.op {
	case orderGT, orderGE:
		return t.op.holds(lo.Compare(t.value))
	case orderLT, orderLE:
		return t.op.holds(hi.Compare(t.value))
	}
	return false
}

func (t *timeTest) canonical() string {
	return "timestamp:" + t.op.name() + " " + t.value.UTC().Format(time.RFC3339Nano)
}

// parseDateTime reads YYYY-MM-DDThh:mm:ss[.fraction][zone], zone being "Z"
// or ±hh:mm, with "t" and "z" accepted for "T" and "Z" (RFC 3339 §5.6).
// Fractions beyond nanoseconds are cut. When lexical is true it reads the
// xs:dateTime form instead: the zone is optional and 24:00:00 means the next
// midnight. It returns the instant (read as UTC when there is no zone).
func parseDateTime(s []byte, lexical bool) (t time.Time, zoned, ok bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
		s[13] != ':' || s[16] != ':' {
		return time.Time{}, false, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || year == 0 || month < 1 || month > 12 ||
		day < 1 || day > daysIn(month, year) || minute > 59 || sec > 59 {
		return time.Time{}, false, false
	}
	nsec, rest := fraction(s[19:])
	if hour > 23 && !(lexical && hour == 24 && minute == 0 && sec == 0 && nsec == 0) {
		return time.Time{}, false, false
	}
	offset, zoned, ok := zone(rest)
	if !ok || (!zoned && !lexical) {
		return time.Time{}, false, false
	}
	t = time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-offset), zoned, true
}

// fraction reads an optional ".digits" and returns nanoseconds and the rest.
func fraction(s []byte) (int, []byte) {
	if len(s) < 2 || s[0] != '.' || s[1] < '0' || s[1] > '9' {
		return 0, s
	}
	nsec, scale, i := 0, 100_000_000, 1
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		nsec += int(s[i]-'0') * scale
		scale /= 10
	}
	return nsec, s[i:]
}

// zone reads the zone designator: nothing, "Z" or ±hh:mm.
func zone(s []byte) (offset time.Duration, zoned, ok bool) {
	switch {
	case len(s) == 0:
		return 0, false, true
	case len(s) == 1 && (s[0] == 'Z' || s[0] == 'z'):
		return 0, true, true
	case len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':':
		return 0, false, false
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[4:6])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return 0, false, false
	}
	offset = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		offset = -offset
	}
	return offset, true, true
}

// digits reads a run of ASCII digits as a number.
func digits(s []byte) (int, bool) {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// daysIn returns the number of days of a month of the proleptic Gregorian
// calendar.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
