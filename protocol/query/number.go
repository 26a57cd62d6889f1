package query

import (
	"bytes"
	"strconv"
)

// maxExponent bounds the exponent of a number: larger written exponents are
// clamped, which keeps the arithmetic in range without changing any order
// between numbers a content block can hold.
const maxExponent = 1 << 30

// decimal is an exact decimal number 0.d1d2d3... × 10^exp. digits holds the
// significant digits without leading or trailing zeros; it is empty for zero,
// which is never negative. Comparing two decimals is exact whatever their
// length, unlike comparing float64 values.
type decimal struct {
	neg    bool
	digits []byte
	exp    int
}

// parseDecimal reads a number written as an optional sign, digits with an
// optional decimal point, and an optional exponent ("-1.5", "+2", ".5",
// "3.", "6.02e23", "1E-3"): the lexical forms of xs:decimal, xs:integer and
// the finite xs:double values. Hexadecimal, INF, NaN and digit separators
// are not numbers. The digits are written into buf, which is returned for
// reuse.
func parseDecimal(s, buf []byte) (decimal, []byte, bool) {
	var d decimal
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		d.neg = s[i] == '-'
		i++
	}
	buf = buf[:0]
	point, seen, leading := -1, 0, true
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			seen++
			if leading && c == '0' {
				if point >= 0 {
					d.exp--
				}
				continue
			}
			leading = false
			buf = append(buf, c)
			if point < 0 {
				d.exp++
			}
		case c == '.' && point < 0:
			point = i
		default:
			goto exponent
		}
	}
exponent:
	if seen == 0 {
		return decimal{}, buf, false
	}
	if i < len(s) {
		e, ok := parseExponent(s[i:])
		if !ok {
			return decimal{}, buf, false
		}
		d.exp += e
	}
	d.digits = bytes.TrimRight(buf, "0")
	if len(d.digits) == 0 {
		return decimal{}, buf, true
	}
	return d, buf, true
}

// parseExponent reads "e" or "E", an optional sign and at least one digit,
// clamping the value to ±maxExponent.
func parseExponent(s []byte) (int, bool) {
	if len(s) < 2 || (s[0] != 'e' && s[0] != 'E') {
		return 0, false
	}
	i, neg := 1, false
	if s[i] == '+' || s[i] == '-' {
		neg = s[i] == '-'
		i++
	}
	if i == len(s) {
		return 0, false
	}
	e := 0
	for ; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		e = min(e*10+int(s[i]-'0'), maxExponent)
	}
	if neg {
		e = -e
	}
	return e, true
}

// sign returns -1, 0 or 1.
func (d decimal) sign() int {
	switch {
	case len(d.digits) == 0:
		return 0
	case d.neg:
		return -1
	}
	return 1
}

// compareDecimal returns -1, 0 or 1 as a is less than, equal to or greater
// than b.
func compareDecimal(a, b decimal) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb || sa == 0 {
		return cmpInt(sa, sb)
	}
	c := cmpInt(a.exp, b.exp)
	if c == 0 {
		c = bytes.Compare(a.digits, b.digits)
	}
	return c * sa
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String returns the number in a canonical scientific form, equal for
// equal numbers: "0", or [-]0.DIGITSeEXP.
func (d decimal) String() string {
	if len(d.digits) == 0 {
		return "0"
	}
	s := "0." + string(d.digits) + "e" + strconv.Itoa(d.exp)
	if d.neg {
		return "-" + s
	}
	return s
}
