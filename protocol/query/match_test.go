package query

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
)

// Queries used by the semantic tables.
var (
	titleEqualsB  = equalsQ("**/Title", "B")
	titleEqualsA  = equalsQ("**/Title", "A")
	titleNotA     = criterion("**/Title", core, "not_equals", mt(cs, "A")...)
	titleEmpty    = equalsQ("**/Title", "")
	titleExists   = criterion("**/Title", core, "exists")
	titleAbsent   = criterion("**/Title", core, "does_not_exist")
	notTitleA     = criteria("AND", criterionXML(true, "**/Title", core, "equals", mt(cs, "A")...))
	notTitleExist = criteria("AND", criterionXML(true, "**/Title", core, "exists"))
)

func equalsQ(target, value string) string {
	return criterion(target, core, "equals", mt(cs, value)...)
}

func containsQ(target, value string) string {
	return criterion(target, core, "contains", "value", value)
}

// TestMatchSemantics checks what a target selects and what the value of a
// node is (AMB-7 and the decisions of the package doc), each with a content
// block where the answer is known.
func TestMatchSemantics(t *testing.T) {
	tests := []struct {
		name    string
		query   string
		content string
		want    bool
	}{
		// AMB-7: a Criterion holds when some selected node passes.
		{"one of several nodes passes", titleEqualsB, "<R><Title>A</Title><Title>B</Title></R>", true},
		{"no node passes", titleEqualsB, "<R><Title>A</Title><Title>C</Title></R>", false},
		{"not_equals holds for another node", titleNotA, "<R><Title>A</Title><Title>B</Title></R>", true},
		{"not_equals fails when all equal", titleNotA, "<R><Title>A</Title><Title>A</Title></R>", false},
		{"not_equals fails without nodes", titleNotA, "<R/>", false},
		{"negate after the existential", notTitleA, "<R><Title>A</Title><Title>B</Title></R>", false},
		{"negate of a test on no node", notTitleA, "<R/>", true},
		{"exists", titleExists, "<R><x><Title/></x></R>", true},
		{"exists on nothing", titleExists, "<R><Titles/></R>", false},
		{"does_not_exist on nothing", titleAbsent, "<R><Titles/></R>", true},
		{"does_not_exist on a node", titleAbsent, "<R><Title>x</Title></R>", false},
		{"negated exists on nothing", notTitleExist, "<R/>", true},
		// The value of an element: its own text, trimmed.
		{"empty element", titleEmpty, "<R><Title/></R>", true},
		{"empty element pair", titleEmpty, "<R><Title></Title></R>", true},
		{"white space only is empty", titleEmpty, "<R><Title> \n\t</Title></R>", true},
		{"white space trimmed", titleEqualsA, "<R><Title>\n   A \r\n</Title></R>", true},
		{"inner white space kept", equalsQ("**/Title", "A B"), "<R><Title>A  B</Title></R>", false},
		{"line ends normalised", equalsQ("**/Title", "A\nB"), "<R><Title>A\r\nB</Title></R>", true},
		{"own text only", containsQ("**/Description", "bar"),
			"<R><Description>foo<b>bar</b>baz</Description></R>", false},
		{"own text joined around children", equalsQ("**/Description", "foobaz"),
			"<R><Description>foo<b>bar</b>baz</Description></R>", true},
		{"text below through **", containsQ("**/Description/**", "bar"),
			"<R><Description>foo<b>bar</b>baz</Description></R>", true},
		{"element of elements has empty value", equalsQ("R/Indicators", ""),
			"<R><Indicators>\n  <I>x</I>\n</Indicators></R>", true},
		{"nested same name, outer", equalsQ("**/D", "outer"), "<R><D>outer<D>inner</D></D></R>", true},
		{"nested same name, inner", equalsQ("**/D", "inner"), "<R><D>outer<D>inner</D></D></R>", true},
		{"entities", equalsQ("**/Title", `AT&T <A> "q" 'a'`),
			"<R><Title>AT&amp;T &lt;&#x41;&gt; &quot;q&quot; &apos;a&apos;</Title></R>", true},
		{"character reference", equalsQ("**/Title", "é€"), "<R><Title>&#233;&#x20AC;</Title></R>", true},
		{"CDATA", equalsQ("**/Title", "<b>x</b> &amp;"), "<R><Title><![CDATA[<b>x</b> &amp;]]></Title></R>", true},
		{"comment inside text", equalsQ("**/Title", "abcd"), "<R><Title>ab<!-- c -->cd</Title></R>", true},
		{"processing instruction inside text", equalsQ("**/Title", "abcd"), "<R><Title>ab<?pi x?>cd</Title></R>", true},
		// Attributes and elements.
		{"attribute", equalsQ("**/@id", "x-1"), `<R><I id="x-1"/></R>`, true},
		{"attribute is not an element", equalsQ("**/id", "x-1"), `<R><I id="x-1"/></R>`, false},
		{"element is not an attribute", equalsQ("**/@id", "x-1"), `<R><I><id>x-1</id></I></R>`, false},
		{"root attribute", equalsQ("R/@version", "1.1.1"), `<R version="1.1.1"/>`, true},
		{"attribute value trimmed", equalsQ("**/@id", "x"), `<R id="  x "/>`, true},
		{"attribute white space is a space", equalsQ("**/@id", "a b"), "<R id=\"a\nb\"/>", true},
		{"attribute character reference kept", equalsQ("**/@id", "a\nb"), `<R id="a&#10;b"/>`, true},
		{"attribute in single quotes", equalsQ("**/@id", `say "x"`), `<R id='say "x"'/>`, true},
		{"attribute holding >", equalsQ("R/T", "z"), `<R a="x>y"><T>z</T></R>`, true},
		{"namespace declarations are no attributes", criterion("R/*", core, "exists"),
			`<R xmlns="urn:a" xmlns:b="urn:b"/>`, false},
		{"star selects an attribute", equalsQ("R/*", "x"), `<R a="x"/>`, true},
		{"star selects a child", equalsQ("R/*", "x"), `<R><c>x</c></R>`, true},
		{"star is one node", equalsQ("R/*", "x"), `<R><c><d>x</d></c></R>`, false},
		{"deep includes the root", equalsQ("**/R", "x"), `<R>x</R>`, true},
		{"deep end excludes its parent", equalsQ("R/**", "top"), `<R>top<c/></R>`, false},
		{"deep end selects attributes", equalsQ("R/**", "v"), `<R><c a="v"/></R>`, true},
		{"deep middle may be empty", equalsQ("R/**/T", "x"), `<R><T>x</T></R>`, true},
		{"deep middle spans levels", equalsQ("R/**/T", "x"), `<R><a><b><T>x</T></b></a></R>`, true},
		{"path from the root only", equalsQ("T", "x"), `<R><T>x</T></R>`, false},
		{"names are case-sensitive", titleExists, `<R><title/></R>`, false},
		// Content around and between roots.
		{"second top-level element", equalsQ("R/T", "2"), `<R><T>1</T></R><R><T>2</T></R>`, true},
		{"declaration and BOM", equalsQ("R/T", "x"), "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<R><T>x</T></R>", true},
		{"document type skipped", equalsQ("R/T", "x"), `<!DOCTYPE R [<!ENTITY e "a>b">]><R><T>x</T></R>`, true},
		{"text outside roots ignored", equalsQ("**", "junk"), `junk<R/>junk`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustParse(t, tt.query)
			if got := q.Match([]byte(tt.content), true); got != tt.want {
				t.Errorf("got %t, want %t for %s", got, tt.want, q.Canonical())
			}
		})
	}
}

// TestMatchNamespaces checks prefixed targets: an unprefixed name matches
// the local name in any namespace, a prefixed one the namespace URI its
// prefix is bound to in the query, whatever prefix the content uses.
func TestMatchNamespaces(t *testing.T) {
	const decls = `xmlns:s="urn:stix" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
	tests := []struct {
		name    string
		target  string
		content string
		want    bool
	}{
		{"unprefixed matches any namespace", "**/Title",
			`<p:R xmlns:p="urn:other"><p:Title>x</p:Title></p:R>`, true},
		{"prefixed matches another prefix", "s:R/s:Title",
			`<q:R xmlns:q="urn:stix"><q:Title>x</q:Title></q:R>`, true},
		{"prefixed matches the default namespace", "s:R/s:Title",
			`<R xmlns="urn:stix"><Title>x</Title></R>`, true},
		{"prefixed does not match another namespace", "s:R/s:Title",
			`<s:R xmlns:s="urn:other"><s:Title>x</s:Title></s:R>`, false},
		{"prefixed does not match no namespace", "**/s:Title", `<R><Title>x</Title></R>`, false},
		{"inner redeclaration wins", "**/s:Title",
			`<a:R xmlns:a="urn:stix"><a:x xmlns:a="urn:other"><a:Title>x</a:Title></a:x></a:R>`, false},
		{"declaration scope ends", "**/s:Title",
			`<R><a:x xmlns:a="urn:stix"/><a:Title xmlns:a="urn:other">x</a:Title></R>`, false},
		{"undeclared default", "**/s:Title",
			`<R xmlns="urn:stix"><x xmlns=""><Title>x</Title></x></R>`, false},
		{"prefixed attribute", "**/@xsi:type",
			`<R xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="x"/>`, true},
		{"unprefixed attribute matches a prefixed one", "**/@type",
			`<R xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="x"/>`, true},
		{"prefixed attribute is not unqualified", "**/@xsi:type", `<R type="x"/>`, false},
		{"default namespace is not the attribute's", "**/@s:type",
			`<R xmlns="urn:stix" type="x"/>`, false},
		{"xml prefix is predeclared", "**/@xml:lang", `<R xml:lang="x"/>`, true},
		{"namespace URI with a reference", "s:R",
			`<q:R xmlns:q="urn:st&#105;x">x</q:R>`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustParse(t, withNS(equalsQ(tt.target, "x"), decls))
			if got := q.Match([]byte(tt.content), true); got != tt.want {
				t.Errorf("got %t, want %t for %s", got, tt.want, q.Canonical())
			}
		})
	}
}

// TestMatchNonXML checks that content that is not XML never matches and
// never fails, even for a query that holds when nothing is selected.
func TestMatchNonXML(t *testing.T) {
	json := []byte(`{"type": "bundle", "objects": [{"type": "indicator", "name": "Title"}]}`)
	for _, body := range []string{titleAbsent, notTitleA, titleExists} {
		q := mustParse(t, body)
		if q.Match(json, false) {
			t.Errorf("%s matched STIX 2 JSON", q.Canonical())
		}
	}
	q := mustParse(t, titleAbsent)
	if !q.Match(json, true) {
		t.Error("JSON read as XML content selects nothing, so does_not_exist holds")
	}
}

// TestMatchCriteria checks AND, OR, nesting, order and negation (QRY-5).
func TestMatchCriteria(t *testing.T) {
	a := criterionXML(false, "**/A", core, "exists")
	b := criterionXML(false, "**/B", core, "exists")
	notB := criterionXML(true, "**/B", core, "exists")
	tests := []struct {
		name    string
		query   string
		content string
		want    bool
	}{
		{"AND both", criteria("AND", a, b), "<R><A/><B/></R>", true},
		{"AND one", criteria("AND", a, b), "<R><A/></R>", false},
		{"OR one", criteria("OR", a, b), "<R><B/></R>", true},
		{"OR none", criteria("OR", a, b), "<R/>", false},
		{"AND with negation", criteria("AND", a, notB), "<R><A/></R>", true},
		{"AND with negation failing", criteria("AND", a, notB), "<R><A/><B/></R>", false},
		{"nested, Criterion first (AMB-4)", criteria("AND", a,
			"<tdq:Criteria operator=\"OR\">"+b+notB+"</tdq:Criteria>"), "<R><A/></R>", true},
		{"deeply nested", criteria("OR", nest(40, a)), "<R><A/></R>", true},
		{"deeply nested false", criteria("OR", nest(40, a)), "<R/>", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustParse(t, tt.query)
			if got := q.Match([]byte(tt.content), true); got != tt.want {
				t.Errorf("got %t, want %t for %s", got, tt.want, q.Canonical())
			}
		})
	}
}

// nest wraps a criterion in n alternating Criteria.
func nest(n int, inner string) string {
	for i := range n {
		op := "AND"
		if i%2 == 1 {
			op = "OR"
		}
		inner = `<tdq:Criteria operator="` + op + `">` + inner + `</tdq:Criteria>`
	}
	return inner
}

// TestMatchDepthLimit checks that elements below maxDepth are not examined
// and that deep content still ends cleanly.
func TestMatchDepthLimit(t *testing.T) {
	deep := func(levels int) []byte {
		return []byte(strings.Repeat("<a>", levels-1) + "<T>x</T>" + strings.Repeat("</a>", levels-1))
	}
	q := mustParse(t, equalsQ("**/T", "x"))
	if !q.Match(deep(maxDepth), true) {
		t.Error("element at the deepest examined level not selected")
	}
	if q.Match(deep(maxDepth+1), true) {
		t.Error("element below the deepest examined level selected")
	}
	after := append(deep(maxDepth+5), "<T>x</T>"...)
	if !q.Match(after, true) {
		t.Error("root after deep content not examined")
	}
}

// TestMatchConcurrent evaluates one query from many goroutines (run with
// -race): the results must not depend on each other.
func TestMatchConcurrent(t *testing.T) {
	q := mustParse(t, criterion("**/Title", core, "contains", nocase("MAL")...))
	yes, no := []byte("<R><Title>Malware</Title></R>"), []byte("<R><Title>Benign</Title></R>")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				content, want := yes, true
				if (g+i)%2 == 0 {
					content, want = no, false
				}
				if got := q.Match(content, true); got != want {
					t.Errorf("got %t, want %t", got, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestMatchAllocations checks that a warm evaluation allocates nothing,
// whatever the block's size and whichever kind of test runs.
func TestMatchAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop values")
	}
	one, err := os.ReadFile(casesDir + "S10-default-query/fixture-block-1-description-match.xml")
	if err != nil {
		t.Fatal(err)
	}
	french := []byte("Héberge des LOGICIELS MALVEILLANTS &amp;")
	one = bytes.Replace(one, []byte("Hosts MALWARE"), french, 1)
	many := bytes.Repeat(one, 50)
	queries := []string{
		benchFullScan,
		criterion("**/Description", core, "equals", "match_type", "case_insensitive_string",
			"value", "ÉTRANGE"),
		criterion("**/@id", regex, "matches", "case_sensitive", "false", "value", "^zz"),
		criterion("**/Value", core, "less_than", "value", "-1e10"),
		criterion("**/@timestamp", stamp, "less_than", "value", "2000-01-01T00:00:00Z"),
	}
	for _, body := range queries {
		q := mustParse(t, body)
		for _, content := range [][]byte{one, many} {
			if q.Match(content, true) {
				t.Fatalf("%s matched: the evaluation did not read everything", q.Canonical())
			}
			allocs := testing.AllocsPerRun(20, func() { q.Match(content, true) })
			if allocs > 0 {
				t.Errorf("%s, %d bytes: %.1f allocations per evaluation, want 0",
					q.Canonical(), len(content), allocs)
			}
		}
	}
}
