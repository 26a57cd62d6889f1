package query

import (
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// june is the instant most timestamp tests compare with.
const june = "2014-06-01T00:00:00Z"

// TestTestParameters checks every relationship with good and bad parameters
// (QRY-20 to QRY-22, AMB-5, AMB-6): refusals are BAD_MESSAGE, an unknown
// module UNSUPPORTED_CAPABILITY_MODULE.
func TestTestParameters(t *testing.T) {
	bad, unsupported := protocol.StatusBadMessage, protocol.StatusUnsupportedCapability
	tests := []struct {
		name   string
		module string
		rel    string
		params []string
		want   protocol.StatusType
	}{
		{"equals cs", core, "equals", mt(cs, "x"), ""},
		{"equals ci", core, "equals", mt(ci, "x"), ""},
		{"equals number", core, "equals", mt(num, "-1.5e3"), ""},
		{"equals empty value", core, "equals", mt(cs, ""), ""},
		{"equals without match_type", core, "equals", val("x"), bad},
		{"equals without value", core, "equals", []string{"match_type", "number"}, bad},
		{"equals bad match_type", core, "equals", []string{"match_type", "date", "value", "x"}, bad},
		{"equals number not a number", core, "equals", mt(num, "ten"), bad},
		{"equals case_sensitive not defined", core, "equals",
			[]string{"match_type", "number", "value", "1", "case_sensitive", "true"}, bad},
		{"not_equals", core, "not_equals", mt(cs, "x"), ""},
		{"greater_than", core, "greater_than", val("10"), ""},
		{"greater_than_or_equal", core, "greater_than_or_equal", val("10"), ""},
		{"greater_than_or_equals spelling", core, "greater_than_or_equals", val("1"), ""},
		{"less_than", core, "less_than", val(".5"), ""},
		{"less_than_or_equal", core, "less_than_or_equal", val("+5."), ""},
		{"less_than_or_equals spelling", core, "less_than_or_equals", val("5"), ""},
		{"numeric with match_type number", core, "less_than", []string{"value", "5", "match_type", "number"}, ""},
		{"numeric with string match_type", core, "less_than",
			[]string{"value", "5", "match_type", "case_sensitive_string"}, bad},
		{"numeric not a number", core, "greater_than", val("0x10"), bad},
		{"numeric infinity", core, "greater_than", val("INF"), bad},
		{"numeric without value", core, "greater_than", nil, bad},
		{"exists", core, "exists", nil, ""},
		{"does_not_exist", core, "does_not_exist", nil, ""},
		{"exists with parameter", core, "exists", val("x"), bad},
		{"begins_with", core, "begins_with", val("x"), ""},
		{"ends_with ci", core, "ends_with", []string{"case_sensitive", "false", "value", "x"}, ""},
		{"contains 0", core, "contains", []string{"case_sensitive", "0", "value", "x"}, ""},
		{"contains bad boolean", core, "contains", []string{"case_sensitive", "no", "value", "x"}, bad},
		{"contains match_type alias", core, "contains",
			mt(ci, "x"), ""},
		{"contains match_type agreeing", core, "contains",
			[]string{"match_type", "case_insensitive_string", "case_sensitive", "false", "value", "x"}, ""},
		{"contains match_type contradicting", core, "contains",
			[]string{"match_type", "case_insensitive_string", "case_sensitive", "true", "value", "x"}, bad},
		{"contains match_type number", core, "contains", mt(num, "1"), bad},
		{"contains without value", core, "contains", []string{"case_sensitive", "true"}, bad},
		{"contains twice", core, "contains", []string{"value", "x", "value", "y"}, bad},
		{"contains unknown parameter", core, "contains", []string{"value", "x", "fuzzy", "1"}, bad},
		{"core unknown relationship", core, "matches", val("x"), bad},
		{"core relationship in other case", core, "Equals",
			mt(num, "1"), bad},
		{"regex", regex, "matches", val("^a+$"), ""},
		{"regex ci", regex, "matches", []string{"case_sensitive", "false", "value", "a"}, ""},
		{"regex does not compile", regex, "matches", val("(a"), bad},
		{"regex back-reference", regex, "matches", val(`(a)\1`), bad},
		{"regex look-ahead", regex, "matches", val(`a(?=b)`), bad},
		{"regex class subtraction", regex, "matches", val(`[a-z-[aeiou]]`), bad},
		{"regex hyphen before class", regex, "matches", val(`a-[0-9]`), ""},
		{"regex posix class", regex, "matches", val(`[[:alpha:]-]`), ""},
		{"regex too long", regex, "matches", []string{"value", strings.Repeat("a", maxPattern+1)}, bad},
		{"regex without value", regex, "matches", nil, bad},
		{"regex other relationship", regex, "contains", val("a"), bad},
		{"timestamp equals", stamp, "equals", val(june), ""},
		{"timestamp greater_than", stamp, "greater_than", val("2014-06-01T00:00:00+02:00"), ""},
		{"timestamp greater_than_or_equals", stamp, "greater_than_or_equals",
			val("2014-06-01T00:00:00.123456789Z"), ""},
		{"timestamp greater_than_or_equal spelling", stamp, "greater_than_or_equal",
			val("2014-06-01t00:00:00z"), ""},
		{"timestamp less_than", stamp, "less_than", val(june), ""},
		{"timestamp less_than_or_equals", stamp, "less_than_or_equals", val(june), ""},
		{"timestamp less_than_or_equal spelling", stamp, "less_than_or_equal", val(june), ""},
		{"timestamp without zone", stamp, "equals", val("2014-06-01T00:00:00"), bad},
		{"timestamp date only", stamp, "equals", val("2014-06-01"), bad},
		{"timestamp libtaxii date", stamp, "greater_than", val("Tue Oct 21 15:34:33 EDT 2014"), bad},
		{"timestamp February 30", stamp, "equals", val("2014-02-30T00:00:00Z"), bad},
		{"timestamp hour 24", stamp, "equals", val("2014-02-03T24:00:00Z"), bad},
		{"timestamp not_equals", stamp, "not_equals", val(june), bad},
		{"timestamp without value", stamp, "equals", nil, bad},
		{"timestamp extra parameter", stamp, "equals",
			[]string{"value", june, "match_type", "number"}, bad},
		{"unknown module", "urn:example:capability:x", "equals", nil, unsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(defaultQuery(criterion("**/X", tt.module, tt.rel, tt.params...)))
			if got := statusOf(t, err); got != tt.want {
				t.Errorf("got status %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// TestPredicates applies each kind of test to node values, edge cases
// included: white space is trimmed before the test (see the package doc),
// case folding is full Unicode folding, numbers are compared exactly.
func TestPredicates(t *testing.T) {
	tests := []struct {
		name   string
		module string
		rel    string
		params []string
		value  string
		want   bool
	}{
		{"equals cs", core, "equals", mt(cs, "Evil"), "Evil", true},
		{"equals cs other case", core, "equals", mt(cs, "Evil"), "evil", false},
		{"equals is not containment", core, "equals", mt(cs, "vil"), "Evil", false},
		{"equals empty", core, "equals", mt(cs, ""), "", true},
		{"equals ci", core, "equals", mt(ci, "EVIL"), "eViL", true},
		{"equals ci sharp s", core, "equals", mt(ci, "STRASSE"), "straße", true},
		{"equals ci Greek sigma", core, "equals", mt(ci, "ΟΔΟΣ"), "οδος", true},
		{"equals ci final sigma", core, "equals", mt(ci, "ΟΔΟΣ"), "οδο\u03c2", true},
		{"equals ci Kelvin sign", core, "equals", mt(ci, "k"), "\u212a", true},
		{"equals ci Cyrillic", core, "equals", mt(ci, "ВИРУС"), "вирус", true},
		{"equals ci dotless i is not i", core, "equals", mt(ci, "I"), "ı", false},
		{"equals number", core, "equals", mt(num, "10"), "1.0e1", true},
		{"equals number signs", core, "equals", mt(num, "-0"), "+0.000", true},
		{"equals number long", core, "equals", mt(num, "12345678901234567890"),
			"12345678901234567891", false},
		{"equals number text", core, "equals", mt(num, "10"), "ten", false},
		{"not_equals cs", core, "not_equals", mt(cs, "a"), "b", true},
		{"not_equals cs same", core, "not_equals", mt(cs, "a"), "a", false},
		{"not_equals ci", core, "not_equals", mt(ci, "A"), "a", false},
		{"not_equals number", core, "not_equals", mt(num, "1"), "2", true},
		{"not_equals number text", core, "not_equals", mt(num, "1"), "one", false},
		{"greater_than", core, "greater_than", val("10"), "10.5", true},
		{"greater_than equal", core, "greater_than", val("10"), "10", false},
		{"greater_than exponent", core, "greater_than", val("999"), "1e3", true},
		{"greater_than negative exponent", core, "greater_than", val("0.001"), "1E-2", true},
		{"greater_than negative", core, "greater_than", val("-5"), "-4.99", true},
		{"greater_than text", core, "greater_than", val("0"), "many", false},
		{"greater_than hex", core, "greater_than", val("0"), "0x10", false},
		{"greater_than_or_equal", core, "greater_than_or_equal", val("10"), "10.0", true},
		{"less_than", core, "less_than", val("443"), "80", true},
		{"less_than huge", core, "less_than", val("1e400"), "1e399", true},
		{"less_than tiny", core, "less_than", val("-1e-400"), "0", false},
		{"less_than_or_equal", core, "less_than_or_equal", val("+80"), "80", true},
		{"less_than_or_equal more", core, "less_than_or_equal", val("80"), "81", false},
		{"begins_with", core, "begins_with", val("example:Ind"), "example:Indicator-1", true},
		{"begins_with cs", core, "begins_with", val("Example"), "example:x", false},
		{"begins_with ci", core, "begins_with", nocase("EXAMPLE"), "example:x", true},
		{"ends_with", core, "ends_with", val(".exe"), "evil.exe", true},
		{"ends_with ci", core, "ends_with", nocase(".EXE"), "evil.exe", true},
		{"ends_with longer value", core, "ends_with", val("xevil.exe"), "evil.exe", false},
		{"contains", core, "contains", val("MAL"), "BIG MALWARE", true},
		{"contains cs", core, "contains", val("mal"), "BIG MALWARE", false},
		{"contains ci", core, "contains", nocase("mal"), "BIG MALWARE", true},
		{"contains ci invalid UTF-8", core, "contains", nocase("mal"), "\xff\xfeÉ MALWARE", true},
		{"contains ci non-ASCII", core, "contains", nocase("ÜBER"), "das überwachte", true},
		{"contains empty value", core, "contains", val(""), "", true},
		{"contains match_type alias", core, "contains",
			mt(ci, "malware"), "MALWARE", true},
		{"regex search", regex, "matches", val("mal.are"), "a malware b", true},
		{"regex anchored", regex, "matches", val("^mal"), "a malware", false},
		{"regex cs", regex, "matches", val("MAL"), "malware", false},
		{"regex ci", regex, "matches", nocase("^(PHISH|malware).*"), "Phishing wave", true},
		{"regex classes", regex, "matches", val(`^\d{1,3}(\.\d{1,3}){3}$`), "10.0.0.1", true},
		{"regex non-ASCII", regex, "matches", val(`^ü+$`), "üü", true},
		{"timestamp equals", stamp, "equals", val(june), "2014-06-01T02:00:00+02:00", true},
		{"timestamp equals fraction", stamp, "equals", val("2014-06-01T00:00:00.5Z"), "2014-06-01T00:00:00.500000Z", true},
		{"timestamp greater_than", stamp, "greater_than", val(june), "2014-06-01T00:00:00.000001Z", true},
		{"timestamp greater_than equal", stamp, "greater_than", val(june), june, false},
		{"timestamp greater_than_or_equals", stamp, "greater_than_or_equals", val(june), june, true},
		{"timestamp less_than", stamp, "less_than", val(june), "2014-05-31T23:59:59Z", true},
		{"timestamp less_than_or_equals", stamp, "less_than_or_equals", val(june), june, true},
		{"timestamp not a timestamp", stamp, "less_than", val(june), "yesterday", false},
		{"timestamp date only", stamp, "less_than", val(june), "2014-05-01", false},
		{"timestamp zone-less far before", stamp, "less_than", val(june), "2014-05-01T00:00:00", true},
		{"timestamp zone-less near", stamp, "less_than", val(june), "2014-05-31T20:00:00", false},
		{"timestamp zone-less never equal", stamp, "equals", val(june), "2014-06-01T00:00:00", false},
		{"timestamp zone-less far after", stamp, "greater_than", val(june), "2014-06-02T00:00:00", true},
		{"timestamp hour 24", stamp, "equals", val("2014-06-02T00:00:00Z"), "2014-06-01T24:00:00Z", true},
		{"timestamp leap day", stamp, "less_than", val("2017-01-01T00:00:00Z"), "2016-02-29T12:00:00Z", true},
		{"timestamp bad leap day", stamp, "less_than", val("2017-01-01T00:00:00Z"), "2015-02-29T12:00:00Z", false},
		{"timestamp offset", stamp, "less_than", val(june), "2014-06-01T01:00:00+01:30", true},
	}
	sc := newScratch()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var params []param
			for i := 0; i+1 < len(tt.params); i += 2 {
				params = append(params, param{tt.params[i], tt.params[i+1]})
			}
			pred, _, err := parseTest(tt.module, tt.rel, params)
			if err != nil {
				t.Fatal(err)
			}
			if got := pred.test([]byte(tt.value), sc); got != tt.want {
				t.Errorf("%s on %q: got %t, want %t", pred.canonical(), tt.value, got, tt.want)
			}
		})
	}
}

// p lists parameter names and values.
func p(nv ...string) []string { return nv }

// Parameter lists of the tables.
const (
	cs  = matchCaseSensitive
	ci  = matchCaseInsensitive
	num = matchNumber
)

func mt(kind, v string) []string { return p("match_type", kind, "value", v) }
func val(v string) []string      { return p("value", v) }
func nocase(v string) []string   { return p("case_sensitive", "false", "value", v) }
