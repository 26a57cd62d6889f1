package protocol

import (
	"fmt"
	"strconv"
	"time"
)

// Timestamp limits: every label must be representable with a four-digit
// year in UTC, and the zero time.Time is reserved for "absent".
var (
	minTimestamp = time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)
	maxTimestamp = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)
)

// ParseTimestamp parses a TAXII timestamp (XML-7): an RFC 3339 date-time
// with seconds and a time zone, "Z" or ±hh:mm. Leading and trailing XML
// white space is ignored (XML-9). More than six fractional digits are
// accepted and cut to microseconds (AMB-36). Date-only values, values
// without seconds and values without a zone are refused with an error
// wrapping ErrTimestamp, and so are instants outside the years 0001-9999
// in UTC. The result is in UTC with whole microseconds.
func ParseTimestamp(s string) (time.Time, error) {
	t, err := parseTimestamp(trimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q: %s", ErrTimestamp, clip(s, 64), err.Error())
	}
	return t, nil
}

// FormatTimestamp formats t as a TAXII timestamp in UTC with a "Z" zone,
// seconds and always six fractional digits (XML-7), so that timestamps the
// node writes sort as text in time order. Nanoseconds are dropped.
func FormatTimestamp(t time.Time) string {
	return string(appendTimestamp(nil, t))
}

// appendTimestamp appends the FormatTimestamp form of t to b.
func appendTimestamp(b []byte, t time.Time) []byte {
	// Always six fractional digits: every timestamp the node writes then
	// has the same length, and text order is time order.
	return t.UTC().Truncate(time.Microsecond).AppendFormat(b, "2006-01-02T15:04:05.000000Z")
}

// timestampErr is the reason a timestamp was refused, without the value.
type timestampErr string

// Error returns the reason.
func (e timestampErr) Error() string { return string(e) }

func parseTimestamp(s string) (time.Time, error) {
	const layout = "YYYY-MM-DDThh:mm:ss"
	if len(s) < len(layout) {
		if len(s) == len("YYYY-MM-DD") {
			return time.Time{}, timestampErr("time of day missing")
		}
		if len(s) > len("YYYY-MM-DD") && s[len(s)-1] == 'Z' {
			return time.Time{}, timestampErr("seconds missing")
		}
		return time.Time{}, timestampErr("not a date-time")
	}
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		if s[10] == 'T' && s[13] == ':' && (s[16] == 'Z' || s[16] == '+' || s[16] == '-') {
			return time.Time{}, timestampErr("seconds missing")
		}
		return time.Time{}, timestampErr("not a date-time")
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	hour, ok4 := digits(s[11:13])
	minute, ok5 := digits(s[14:16])
	sec, ok6 := digits(s[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) {
		return time.Time{}, timestampErr("not a date-time")
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) ||
		hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, timestampErr("field out of range")
	}
	rest := s[19:]
	nanos, rest, err := parseFraction(rest)
	if err != nil {
		return time.Time{}, err
	}
	offset, err := parseZone(rest)
	if err != nil {
		return time.Time{}, err
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nanos, time.UTC)
	t = t.Add(-time.Duration(offset) * time.Second)
	if t.Before(minTimestamp) || t.After(maxTimestamp) {
		return time.Time{}, timestampErr("outside the years 0001 to 9999")
	}
	return t, nil
}

// parseFraction reads an optional fraction of a second, keeping whole
// microseconds, and returns the nanoseconds and what follows.
func parseFraction(s string) (int, string, error) {
	if s == "" || s[0] != '.' {
		return 0, s, nil
	}
	i := 1
	nanos, scale := 0, 100000000
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if scale >= 1000 {
			nanos += int(s[i]-'0') * scale
		}
		scale /= 10
		i++
	}
	if i == 1 {
		return 0, s, timestampErr("empty fraction of a second")
	}
	return nanos, s[i:], nil
}

// parseZone reads the zone, "Z" or ±hh:mm, and returns its offset from UTC
// in seconds.
func parseZone(s string) (int, error) {
	switch {
	case s == "":
		return 0, timestampErr("time zone missing")
	case s == "Z":
		return 0, nil
	case len(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':':
		return 0, timestampErr("bad time zone")
	}
	h, ok1 := digits(s[1:3])
	m, ok2 := digits(s[4:6])
	if !ok1 || !ok2 || m > 59 || h*60+m > 14*60 {
		return 0, timestampErr("bad time zone")
	}
	offset := (h*60 + m) * 60
	if s[0] == '-' {
		offset = -offset
	}
	return offset, nil
}

// digits parses a string of ASCII digits only.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, s != ""
}

func daysIn(year, month int) int {
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

// trimSpace removes leading and trailing XML white space: space, tab,
// carriage return and line feed.
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// clip shortens s to at most n bytes for an error message, keeping valid
// UTF-8 and quoting nothing.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "..."
}

// parseUint parses a non-negative decimal integer after trimming XML white
// space; a leading "+" is allowed as in XML Schema.
func parseUint(s string) (uint64, bool) {
	s = trimSpace(s)
	if s != "" && s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}
