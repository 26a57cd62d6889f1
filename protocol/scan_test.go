package protocol

import (
	"errors"
	"strings"
	"testing"
)

func TestScannerWellFormed(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want error // nil: well-formed
	}{
		{"empty root", `<a/>`, nil},
		{"declaration", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a/>`, nil},
		{"declaration single quotes", `<?xml version='1.0'?>` + "\n<a/>", nil},
		{"prolog and epilog misc", "<!-- c --><?pi x?>\n<a/>\n<!-- d -->\n", nil},
		{"namespaces", `<p:a xmlns:p="urn:x" xmlns="urn:d"><b p:c="1" d="2"/></p:a>`, nil},
		{"undeclare default", `<a xmlns="urn:d"><b xmlns=""/></a>`, nil},
		{"xml prefix", `<a xml:lang="en"/>`, nil},
		{"references", `<a b="&lt;&#x41;&#65;&quot;">&amp;&gt;&apos;&#x1F600;</a>`, nil},
		{"cdata", `<a><![CDATA[<b>&x;]]]]><![CDATA[>]]></a>`, nil},
		{"non-ASCII names", `<é xmlns:π="urn:p"><π:ü/></é>`, nil},
		{"> in text and value", `<a b=">">x > y</a>`, nil},
		{"whitespace in end tag", `<a></a >`, nil},

		{"no root", ``, ErrSyntax},
		{"only prolog", `<?xml version="1.0"?>`, ErrSyntax},
		{"doctype", `<!DOCTYPE a><a/>`, ErrDoctype},
		{"doctype internal subset", `<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>`, ErrDoctype},
		{"entity decl in content", `<a><!ENTITY x "y"></a>`, ErrDoctype},
		{"undefined entity", `<a>&foo;</a>`, ErrSyntax},
		{"entity without semicolon", `<a>&amp</a>`, ErrSyntax},
		{"bad char ref", `<a>&#0;</a>`, ErrSyntax},
		{"char ref to surrogate", `<a>&#xD800;</a>`, ErrSyntax},
		{"char ref too large", `<a>&#x110000;</a>`, ErrSyntax},
		{"char ref huge", `<a>&#99999999999999999999;</a>`, ErrSyntax},
		{"control char", "<a>\x01</a>", ErrSyntax},
		{"non-character", "<a>\uFFFE</a>", ErrSyntax},
		{"non-character in value", "<a b=\"\uFFFF\"/>", ErrSyntax},
		{"]]> in text", `<a>]]></a>`, ErrSyntax},
		{"double hyphen in comment", `<a><!-- x -- y --></a>`, ErrSyntax},
		{"comment ending in hyphen", `<a><!-- x ---></a>`, ErrSyntax},
		{"duplicate attribute", `<a b="1" b="2"/>`, ErrSyntax},
		{"no space between attributes", `<a b="1"c="2"/>`, ErrSyntax},
		{"unquoted value", `<a b=1/>`, ErrSyntax},
		{"< in value", `<a b="<"/>`, ErrSyntax},
		{"mismatched end", `<a></b>`, ErrSyntax},
		{"unclosed", `<a><b></b>`, ErrSyntax},
		{"two roots", `<a/><b/>`, ErrSyntax},
		{"text after root", `<a/>text`, ErrSyntax},
		{"text before root", `text<a/>`, ErrSyntax},
		{"cdata outside root", `<![CDATA[x]]><a/>`, ErrSyntax},
		{"declaration not first", ` <?xml version="1.0"?><a/>`, ErrSyntax},
		{"declaration in content", `<a><?xml version="1.0"?></a>`, ErrSyntax},
		{"version 1.1", `<?xml version="1.1"?><a/>`, ErrSyntax},
		{"undeclared element prefix", `<x:a/>`, ErrSyntax},
		{"undeclared attribute prefix", `<a x:b="1"/>`, ErrSyntax},
		{"prefix undeclared with empty value", `<a xmlns:p=""/>`, ErrSyntax},
		{"xmlns prefix declared", `<a xmlns:xmlns="urn:x"/>`, ErrSyntax},
		{"xml prefix rebound", `<a xmlns:xml="urn:x"/>`, ErrSyntax},
		{"two colons", `<a:b:c xmlns:a="urn:a"/>`, ErrSyntax},
		{"bad name start", `<1a/>`, ErrSyntax},
		{"bad attribute name", `<a -b="1"/>`, ErrSyntax},
		{"end tag without start", `</a>`, ErrSyntax},
		{"truncated", `<a b="1`, ErrSyntax},
		{"pi without target", `<a><? x?></a>`, ErrSyntax},
		{"pi target with colon", `<a><?a:b?></a>`, ErrSyntax},
		{"deep", strings.Repeat("<a>", MaxDepth+1) + strings.Repeat("</a>", MaxDepth+1), ErrDepth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wellFormed([]byte(tt.doc), false)
			if tt.want == nil && err != nil {
				t.Fatalf("got %v, want well-formed", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestScannerDepthLimit(t *testing.T) {
	ok := strings.Repeat("<a>", MaxDepth) + strings.Repeat("</a>", MaxDepth)
	if err := wellFormed([]byte(ok), false); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
}

// TestScannerManyBindings checks the indexed namespace lookup against the
// linear one by declaring more prefixes than the linear limit.
func TestScannerManyBindings(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<root`)
	for i := 0; i < 3*indexAbove; i++ {
		b.WriteString(` xmlns:p` + itoa(i) + `="urn:` + itoa(i) + `"`)
	}
	b.WriteString(`><p0:a xmlns:p1="urn:other"><p1:b/></p0:a><p1:c/>`)
	b.WriteString(`<q:d xmlns:q="urn:q"/></root>`)
	if err := wellFormed([]byte(b.String()), false); err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(b.String(), `<p1:c/>`, `<q:c/>`, 1)
	if err := wellFormed([]byte(bad), false); !errors.Is(err, ErrSyntax) {
		t.Fatalf("prefix out of scope: got %v, want ErrSyntax", err)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for ; i > 0; i /= 10 {
		d = append([]byte{byte('0' + i%10)}, d...)
	}
	return string(d)
}

func TestAppendText(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"references", `a&lt;b&amp;&#x41;&#66;`, "a<b&AB"},
		{"line ends", "a\r\nb\rc\n", "a\nb\nc\n"},
		{"cdata", "<![CDATA[<x>&amp;\r\n]]>", "<x>&amp;\n"},
		{"markup skipped", `<!--c--><?p x?><e a=">">t</e>`, "t"},
		{"char ref CR kept", "&#xD;", "\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendText(nil, []byte(tt.raw))); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAppendAttrValue(t *testing.T) {
	got := string(appendAttrValue(nil, []byte("a\tb\r\nc\nd&#xA;&amp;")))
	if want := "a b c d\n&"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendEscapedChecked(t *testing.T) {
	tests := []struct {
		name string
		in   string
		attr bool
		want string
		ok   bool
	}{
		{"text", "a<b>&\"\t\n\r", false, "a&lt;b&gt;&amp;\"\t\n&#xD;", true},
		{"attr", "a<\"\t\n\r", true, "a&lt;&quot;&#x9;&#xA;&#xD;", true},
		{"multi-byte", "é😀", false, "é😀", true},
		{"control", "a\x01", false, "a", false},
		{"invalid utf-8", "a\xff", false, "a", false},
		{"surrogate bytes", "\xed\xa0\x80", false, "", false},
		{"non-character", "\uFFFE", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := appendEscapedChecked(nil, tt.in, tt.attr)
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
