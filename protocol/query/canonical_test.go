package query

import (
	"strings"
	"testing"
)

// TestCanonical checks that equivalent queries share a canonical form and
// that different ones do not (AMB-18).
func TestCanonical(t *testing.T) {
	a := criterionXML(false, "**/A", core, "exists")
	b := criterionXML(false, "**/B", core, "exists")
	c := criterionXML(false, "**/C", core, "exists")
	and := func(kids ...string) string { return sub("AND", kids...) }
	or := func(kids ...string) string { return sub("OR", kids...) }
	tests := []struct {
		name string
		x, y string
		same bool
	}{
		{"prefixes bound to one URI",
			withNS(criterion("x:R/x:Title", core, "exists"), `xmlns:x="urn:stix"`),
			withNS(criterion("y:R/y:Title", core, "exists"), `xmlns:y="urn:stix"`), true},
		{"prefixes bound to two URIs",
			withNS(criterion("x:Title", core, "exists"), `xmlns:x="urn:stix"`),
			withNS(criterion("x:Title", core, "exists"), `xmlns:x="urn:other"`), false},
		{"timestamp spellings",
			criterion("**/T", stamp, "greater_than_or_equals", "value", "2014-06-01T00:00:00Z"),
			criterion("**/T", stamp, "greater_than_or_equal", "value", "2014-06-01T00:00:00Z"), true},
		{"core spellings",
			criterion("**/T", core, "less_than_or_equal", "value", "5"),
			criterion("**/T", core, "less_than_or_equals", "value", "5"), true},
		{"case_sensitive default",
			criterion("**/T", core, "contains", "value", "x"),
			criterion("**/T", core, "contains", "case_sensitive", "1", "value", "x"), true},
		{"case-insensitive values folded",
			criterion("**/T", core, "contains", "case_sensitive", "false", "value", "MALWARE"),
			criterion("**/T", core, "contains", "case_sensitive", "false", "value", "malware"), true},
		{"match_type alias",
			criterion("**/T", core, "contains", "match_type", "case_insensitive_string", "value", "x"),
			criterion("**/T", core, "contains", "case_sensitive", "false", "value", "x"), true},
		{"case-sensitive values kept",
			criterion("**/T", core, "contains", "value", "MALWARE"),
			criterion("**/T", core, "contains", "value", "malware"), false},
		{"numbers",
			criterion("**/T", core, "equals", "match_type", "number", "value", "10"),
			criterion("**/T", core, "equals", "match_type", "number", "value", "+1.0e1"), true},
		{"number is not string",
			criterion("**/T", core, "equals", "match_type", "number", "value", "10"),
			criterion("**/T", core, "equals", "match_type", "case_sensitive_string", "value", "10"),
			false},
		{"timestamps in other zones",
			criterion("**/T", stamp, "equals", "value", "2014-06-01T02:00:00+02:00"),
			criterion("**/T", stamp, "equals", "value", "2014-06-01T00:00:00.000Z"), true},
		{"parameter order",
			criterion("**/T", core, "equals", "match_type", "number", "value", "1"),
			criterion("**/T", core, "equals", "value", "1", "match_type", "number"), true},
		{"white space around values",
			criterion(" **/T\n", core, "equals", "match_type", " number ", "value", " 1 "),
			criterion("**/T", core, "equals", "match_type", "number", "value", "1"), true},
		{"doubled **", criterion("**/**/T", core, "exists"), criterion("**/T", core, "exists"),
			true},
		{"does_not_exist is negated exists", criterion("**/T", core, "does_not_exist"),
			criteria("AND", criterionXML(true, "**/T", core, "exists")), true},
		{"negate false is no negation", criterion("**/T", core, "exists"),
			strings.Replace(criterion("**/T", core, "exists"), `negate="false"`, `negate="0"`, 1),
			true},
		{"not_equals is not negated equals",
			criterion("**/T", core, "not_equals", "match_type", "number", "value", "1"),
			criteria("AND", criterionXML(true, "**/T", core, "equals", "match_type", "number",
				"value", "1")), false},
		{"order of children", criteria("AND", a, b), criteria("AND", b, a), true},
		{"associativity", criteria("AND", a, and(b, c)), criteria("AND", and(a, b), c), true},
		{"single child", criteria("AND", a), criteria("OR", a), true},
		{"single child inside", criteria("AND", a, or(and(b, c))), criteria("AND", a, b, c),
			true},
		{"duplicates", criteria("OR", a, a, b), criteria("OR", b, a), true},
		{"AND is not OR", criteria("AND", a, b), criteria("OR", a, b), false},
		{"distribution is not applied", criteria("AND", a, or(b, c)),
			criteria("OR", and(a, b), and(a, c)), false},
		{"negation matters", criteria("AND", a), criteria("AND",
			criterionXML(true, "**/A", core, "exists")), false},
		{"vocabulary matters", criterion("**/T", core, "exists"),
			strings.Replace(criterion("**/T", core, "exists"), "xml:1.1.1", "xml:1.2", 1), false},
		{"target matters", criterion("**/T", core, "exists"), criterion("**/@T", core, "exists"),
			false},
		{"regex source kept", criterion("**/T", regex, "matches", "value", "a+"),
			criterion("**/T", regex, "matches", "value", "aa*"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := mustParse(t, tt.x).Canonical(), mustParse(t, tt.y).Canonical()
			if (x == y) != tt.same {
				t.Errorf("same %t, want %t:\n%s\n%s", x == y, tt.same, x, y)
			}
		})
	}
}

// TestCanonicalForm pins the form itself for one query.
func TestCanonicalForm(t *testing.T) {
	q := mustParse(t, benchQuery)
	want := `"urn:stix.mitre.org:xml:1.1.1" OR(` +
		`"**/Information_Source/Time/Produced_Time" timestamp:gt 2014-06-01T00:00:00Z, ` +
		`AND("**/Description" core:contains ci "malware", ` +
		`"STIX_Package/Indicators/Indicator/@id" core:begins_with cs "example:"))`
	if got := q.Canonical(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func sub(op string, kids ...string) string {
	return `<tdq:Criteria operator="` + op + `">` + strings.Join(kids, "") + `</tdq:Criteria>`
}
