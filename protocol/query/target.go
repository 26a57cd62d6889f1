package query

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/taxiinode/taxiinode/protocol"
)

// maxSteps is the longest targeting expression accepted, in nodes. It keeps
// an expression's automaton inside one 64-bit state set.
const maxSteps = 63

// namespaceXML is the namespace the prefix xml is bound to by definition.
const namespaceXML = "http://www.w3.org/XML/1998/namespace"

// stepKind is the kind of one node of a targeting expression (AMB-9).
type stepKind uint8

const (
	stepElem stepKind = iota // an element name
	stepAttr                 // @name: an attribute name
	stepAny                  // *: exactly one node of any name
	stepDeep                 // **: any sequence of nodes
)

// step is one node of a targeting expression. A name without a prefix
// matches by local name in any namespace (qualified is false); a name with a
// prefix matches the namespace URI the prefix is bound to (space) and the
// local name.
type step struct {
	kind      stepKind
	qualified bool
	space     string
	local     string
}

// resolver maps a namespace prefix to its URI.
type resolver func(prefix string) (uri string, ok bool)

// parseTarget parses a targeting expression of the STIX vocabulary (QRY-10,
// QRY-11, AMB-9): nodes separated by "/", each a name, "@" and a name, "*" or
// "**". Names may carry a prefix, resolved with ns (nil refuses prefixes).
// Consecutive "**" nodes are merged: they select the same nodes as one.
func parseTarget(text string, ns resolver) ([]step, *protocol.StatusError) {
	if text == "" {
		return nil, badQuery("empty target")
	}
	parts := strings.Split(text, "/")
	if len(parts) > maxSteps {
		return nil, badQuery("target %q has more than %d nodes", text, maxSteps)
	}
	steps := make([]step, 0, len(parts))
	for i, p := range parts {
		s, reason := parseStep(p, ns)
		if reason != "" {
			return nil, badQuery("target %q: %s", text, reason)
		}
		if s.kind == stepAttr && i != len(parts)-1 {
			return nil, badQuery("target %q: an attribute node must be the last node", text)
		}
		if s.kind == stepDeep && len(steps) > 0 && steps[len(steps)-1].kind == stepDeep {
			continue
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// parseStep parses one node of a targeting expression. A non-empty reason
// says why the node is refused.
func parseStep(p string, ns resolver) (s step, reason string) {
	switch {
	case p == "":
		return step{}, "empty node (leading, trailing or doubled \"/\")"
	case p == "*":
		return step{kind: stepAny}, ""
	case p == "**":
		return step{kind: stepDeep}, ""
	case strings.HasPrefix(p, "@"):
		s, reason = parseName(p[1:], ns)
		s.kind = stepAttr
		return s, reason
	}
	return parseName(p, ns)
}

// parseName parses a qualified name (QName): NCName or prefix:NCName.
func parseName(p string, ns resolver) (s step, reason string) {
	prefix, local, found := strings.Cut(p, ":")
	if !found {
		if !isNCName(p) {
			return step{}, fmt.Sprintf("node %q is not a name, \"*\" or \"**\"", p)
		}
		return step{local: p}, ""
	}
	if !isNCName(prefix) || !isNCName(local) {
		return step{}, fmt.Sprintf("node %q is not a qualified name", p)
	}
	uri, ok := lookupPrefix(prefix, ns)
	if !ok {
		return step{}, fmt.Sprintf("prefix %q is not declared", prefix)
	}
	return step{qualified: true, space: uri, local: local}, ""
}

// lookupPrefix resolves prefix, knowing the prefix xml by definition.
func lookupPrefix(prefix string, ns resolver) (string, bool) {
	switch {
	case prefix == "xml":
		return namespaceXML, true
	case prefix == "xmlns" || ns == nil:
		return "", false
	}
	uri, ok := ns(prefix)
	return uri, ok && uri != ""
}

// isNCName reports whether s is an XML name without a colon (XML
// Namespaces 1.0, NCName).
func isNCName(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i, r := range s {
		if !isNameStart(r) && (i == 0 || !isNameRest(r)) {
			return false
		}
	}
	return true
}

// isNameStart reports whether r may start an XML name (XML 1.0 fifth
// edition, production 4), the colon excepted.
func isNameStart(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
		return true
	case r < 0xC0:
		return false
	}
	for _, rg := range nameStartRanges {
		if r >= rg[0] && r <= rg[1] {
			return r != 0xD7 && r != 0xF7
		}
	}
	return false
}

// isNameRest reports whether r may follow the first character of an XML
// name (production 4a).
func isNameRest(r rune) bool {
	switch {
	case r >= '0' && r <= '9', r == '-', r == '.', r == 0xB7:
		return true
	case r >= 0x0300 && r <= 0x036F, r >= 0x203F && r <= 0x2040:
		return true
	}
	return false
}

var nameStartRanges = [...][2]rune{
	{0xC0, 0x2FF}, {0x370, 0x37D}, {0x37F, 0x1FFF}, {0x200C, 0x200D},
	{0x2070, 0x218F}, {0x2C00, 0x2FEF}, {0x3001, 0xD7FF}, {0xF900, 0xFDCF},
	{0xFDF0, 0xFFFD}, {0x10000, 0xEFFFF},
}

// formatTarget writes steps back as a targeting expression, with qualified
// names as {namespace}local so that the form does not depend on prefixes.
func formatTarget(steps []step) string {
	var b strings.Builder
	for i, s := range steps {
		if i > 0 {
			b.WriteByte('/')
		}
		switch s.kind {
		case stepAny:
			b.WriteString("*")
		case stepDeep:
			b.WriteString("**")
		case stepAttr:
			b.WriteByte('@')
			writeName(&b, s)
		default:
			writeName(&b, s)
		}
	}
	return b.String()
}

func writeName(b *strings.Builder, s step) {
	if s.qualified {
		b.WriteString("{" + s.space + "}")
	}
	b.WriteString(s.local)
}
