package query

import (
	"fmt"
	"strings"
	"testing"
)

// TestScanner checks the tokens of well-formed content and of broken input.
func TestScanner(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"element", `<a x="1">t</a>`, `S(a| x="1") T(t) E(a)`},
		{"empty element", `<a/><b />`, `S(a|)/ S(b| )/`},
		{"prefixes", `<s:a xmlns:s="u"></s:a >`, `S(s:a| xmlns:s="u") E(s:a)`},
		{"quoted >", `<a x='>' y=">/"/>`, `S(a| x='>' y=">/")/`},
		{"comment and PI", `<?xml version="1.0"?><!-- <a> --><a/>`, `S(a|)/`},
		{"CDATA", `<a><![CDATA[<b>]]]></a>`, `S(a|) C(<b>]) E(a)`},
		{"doctype", `<!DOCTYPE a [<!ENTITY e "]>">]><a/>`, `S(a|)/`},
		{"text around", `x<a/>y`, `T(x) S(a|)/ T(y)`},
		{"unclosed tag", `<a x="1"`, ``},
		{"unclosed quote", `<a x="1>`, ``},
		{"unclosed comment", `<a/><!-- x`, `S(a|)/`},
		{"unclosed CDATA", `<![CDATA[x`, `C(x)`},
		{"unclosed end tag", `</a`, `E(a)`},
		{"lone <", `<`, `T(<)`},
		{"< space", `< a>`, `T(<) T( a>)`},
		{"<>", `<>`, `T(<) T(>)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tokens(tt.in); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func tokens(in string) string {
	s := scanner{b: []byte(in)}
	var out []string
	for {
		switch s.next() {
		case tokEOF:
			return strings.Join(out, " ")
		case tokText:
			out = append(out, fmt.Sprintf("T(%s)", s.text))
		case tokCDATA:
			out = append(out, fmt.Sprintf("C(%s)", s.text))
		case tokEnd:
			out = append(out, fmt.Sprintf("E(%s)", s.name))
		case tokStart:
			tok := fmt.Sprintf("S(%s|%s)", s.name, s.attrs)
			if s.empty {
				tok += "/"
			}
			out = append(out, tok)
		}
	}
}

// TestNextAttr checks attribute reading, broken attribute text included.
func TestNextAttr(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{` a="1" b='2'`, `a=1 b=2`},
		{"\n a = \"1\"\tb='x\"y'", `a=1 b=x"y`},
		{` a="1" b`, `a=1`},
		{` a=1`, ``},
		{` ="1"`, `=1`},
		{` a="1`, ``},
		{``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got []string
			r := []byte(tt.in)
			for {
				name, value, rest, ok := nextAttr(r)
				if !ok {
					break
				}
				got = append(got, string(name)+"="+string(value))
				r = rest
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

// TestSplitName checks the split of qualified names.
func TestSplitName(t *testing.T) {
	tests := []struct{ in, prefix, local string }{
		{"a", "", "a"},
		{"s:a", "s", "a"},
		{":a", "", ":a"},
		{"a:", "", "a:"},
		{"a:b:c", "", "a:b:c"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, l := splitName([]byte(tt.in))
			if string(p) != tt.prefix || string(l) != tt.local {
				t.Errorf("got %q %q, want %q %q", p, l, tt.prefix, tt.local)
			}
		})
	}
}
