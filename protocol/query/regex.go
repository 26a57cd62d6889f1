package query

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/taxiinode/taxiinode/protocol"
)

// maxPattern is the longest regular expression accepted, in bytes.
const maxPattern = 4096

// regexTest is the regex-1 test matches (QRY-21): the target's text contains
// a match of the expression (it is not anchored; "^" and "$" anchor it).
type regexTest struct {
	re     *regexp.Regexp
	source string
	fold   bool
}

// parseRegexTest builds the regex-1 test. value is required and
// case_sensitive is true by default (AMB-6).
//
// The module names the CybOX common subset of regular expressions: literals,
// ".", bracket classes with ranges and negation, \d \w \s and their
// negations, the anchors ^ and $, the quantifiers ?, *, +, {n}, {n,} and
// {n,m} (lazy forms too), alternation and groups. Go's RE2 syntax reads that
// subset with the same meaning, so a pattern is compiled as it is; what RE2
// cannot compile (back-references, look-around, possessive quantifiers ...)
// and XML Schema class subtraction ("[a-z-[aeiou]]", which RE2 would read as
// something else) are refused with BAD_MESSAGE. Case-insensitive matching
// uses RE2's simple case folding.
func parseRegexTest(rel string, params []param) (predicate, *protocol.StatusError) {
	if rel != "matches" {
		return nil, unknownRelationship(protocol.CapabilityRegex, rel)
	}
	_, v, cs, err := valueAndCase(rel, params)
	if err != nil {
		return nil, err
	}
	if len(v) > maxPattern {
		return nil, badQuery("regular expression longer than %d bytes", maxPattern)
	}
	if classSubtraction(v) {
		return nil, badQuery("regular expression %q uses class subtraction, which is not supported",
			v)
	}
	src := v
	if !cs {
		src = "(?i)" + v
	}
	re, cerr := regexp.Compile(src)
	if cerr != nil {
		return nil, badQuery("regular expression %q does not compile: %v", v, cerr)
	}
	return &regexTest{re: re, source: v, fold: !cs}, nil
}

// classSubtraction reports whether a bracket class of pattern contains
// "-[", the class subtraction of XML Schema regular expressions.
func classSubtraction(pattern string) bool {
	if !strings.Contains(pattern, "-[") {
		return false
	}
	inClass := false
	for i := 0; i < len(pattern); i++ {
		switch c := pattern[i]; {
		case c == '\\':
			i++
		case !inClass && c == '[':
			inClass = true
			i += classStart(pattern[i+1:])
		case inClass && c == ']':
			inClass = false
		case inClass && strings.HasPrefix(pattern[i:], "[:"):
			if end := strings.Index(pattern[i+2:], ":]"); end >= 0 {
				i += end + 3
			}
		case inClass && strings.HasPrefix(pattern[i:], "-["):
			return true
		}
	}
	return false
}

// classStart returns how many bytes after "[" belong to the class opening:
// a "^" and a leading "]", which is a literal.
func classStart(s string) int {
	n := 0
	if strings.HasPrefix(s, "^") {
		n++
	}
	if strings.HasPrefix(s[n:], "]") {
		n++
	}
	return n
}

func (t *regexTest) test(v []byte, _ *scratch) bool {
	return t.re.Match(v)
}

func (t *regexTest) canonical() string {
	kind := "cs"
	if t.fold {
		kind = "ci"
	}
	return "regex:matches " + kind + " " + strconv.Quote(t.source)
}
