package query

import (
	"errors"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
)

// scratch is the reusable working space of one evaluation: buffers that
// grow to the largest value seen and are then reused, so that testing a
// value allocates nothing. It is not safe for concurrent use.
type scratch struct {
	folded []byte
	digits []byte
	caser  cases.Caser
}

func newScratch() *scratch {
	return &scratch{caser: cases.Fold()}
}

// fold returns v after full Unicode case folding (the default caseless
// matching of Unicode, in which "ß" matches "SS" and "ﬁ" matches "FI"). The
// result is valid until the next call.
func (sc *scratch) fold(v []byte) []byte {
	if isASCII(v) {
		sc.folded = append(sc.folded[:0], v...)
		for i, c := range sc.folded {
			if c >= 'A' && c <= 'Z' {
				sc.folded[i] = c + 'a' - 'A'
			}
		}
		return sc.folded
	}
	size := 3*len(v) + 8
	for size <= 12*len(v)+32 {
		if cap(sc.folded) < size {
			sc.folded = make([]byte, size)
		}
		dst := sc.folded[:cap(sc.folded)]
		sc.caser.Reset()
		n, _, err := sc.caser.Transform(dst, v, true)
		switch {
		case err == nil:
			return dst[:n]
		case !errors.Is(err, transform.ErrShortDst):
			return v
		}
		size = 2 * cap(sc.folded)
	}
	return v
}

// decimal reads v as a number (see parseDecimal); the result is valid until
// the next call.
func (sc *scratch) decimal(v []byte) (decimal, bool) {
	d, buf, ok := parseDecimal(v, sc.digits)
	sc.digits = buf
	return d, ok
}

// foldString returns s after full Unicode case folding.
func foldString(s string) []byte {
	return []byte(cases.Fold().String(s))
}

func isASCII(v []byte) bool {
	for _, c := range v {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
