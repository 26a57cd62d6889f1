package protocol

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
)

// canonical returns a namespace-aware normal form of an XML document, for
// comparing messages that differ only in ways XML or the TAXII schema say
// cannot matter: prefixes and namespace declarations, attribute order,
// white space around text, comments, CDATA versus escaped text, the
// spelling of timestamps and booleans, attributes given their default
// value, and empty elements. Whatever else differs shows in the result.
func canonical(t *testing.T, doc []byte) string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		out, err := toUTF8(append([]byte(`<?xml version="1.0" encoding="`+label+`"?>`),
			mustRead(r)...))
		return bytes.NewReader(out), err
	}
	var b strings.Builder
	var text []string // pending text per open element
	var names []string
	flush := func() {
		if len(text) == 0 {
			return
		}
		s := strings.TrimSpace(text[len(text)-1])
		if s != "" {
			if isTimestampElement(names[len(names)-1]) {
				if ts, err := ParseTimestamp(s); err == nil {
					s = FormatTimestamp(ts)
				}
			}
			fmt.Fprintf(&b, "%*s%q\n", 2*len(names), "", s)
		}
		text[len(text)-1] = ""
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("canonical: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			flush()
			fmt.Fprintf(&b, "%*s<{%s}%s%s>\n", 2*len(names), "", tok.Name.Space, tok.Name.Local,
				canonicalAttrs(tok.Attr))
			names = append(names, tok.Name.Local)
			text = append(text, "")
		case xml.EndElement:
			flush()
			names, text = names[:len(names)-1], text[:len(text)-1]
			fmt.Fprintf(&b, "%*s</>\n", 2*len(names), "")
		case xml.CharData:
			if len(text) > 0 {
				text[len(text)-1] += string(tok)
			}
		}
	}
	return dropEmpty(b.String())
}

func mustRead(r io.Reader) []byte {
	b, _ := io.ReadAll(r)
	return b
}

// canonicalAttrs sorts attributes, drops declarations and defaults, and
// spells booleans true or false.
func canonicalAttrs(as []xml.Attr) string {
	var out []string
	for _, a := range as {
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue
		}
		v := strings.TrimSpace(a.Value)
		switch a.Name.Local {
		case "more", "allow_asynch", "partial_count", "available":
			if a.Name.Space == "" {
				switch v {
				case "1":
					v = "true"
				case "0":
					v = "false"
				}
				if v == "false" && a.Name.Local != "available" {
					continue
				}
			}
		}
		out = append(out, fmt.Sprintf(" {%s}%s=%q", a.Name.Space, a.Name.Local, v))
	}
	sort.Strings(out)
	return strings.Join(out, "")
}

func isTimestampElement(local string) bool {
	return strings.HasSuffix(local, "_Timestamp") || local == "Timestamp_Label"
}

// dropEmpty removes elements without attributes, children or text: an
// empty Message or Description is the same as none.
func dropEmpty(s string) string {
	lines := strings.Split(s, "\n")
	for changed := true; changed; {
		changed = false
		var out []string
		for i := 0; i < len(lines); i++ {
			l := strings.TrimSpace(lines[i])
			if i+1 < len(lines) && strings.HasPrefix(l, "<{") && !strings.Contains(l, " {") &&
				strings.TrimSpace(lines[i+1]) == "</>" {
				i++
				changed = true
				continue
			}
			out = append(out, lines[i])
		}
		lines = out
	}
	return strings.Join(lines, "\n")
}

// diffLines returns the first differing line of two canonical forms.
func diffLines(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, x, y)
		}
	}
	return ""
}

// TestCanonical checks that canonical ignores what it should and nothing
// more, so that tests built on it can fail.
func TestCanonical(t *testing.T) {
	base := `<a:X xmlns:a="urn:t" more="false" available="1">` +
		`<a:Timestamp_Label>2014-10-21T15:21:50.895-04:00</a:Timestamp_Label>` +
		`<a:Message/><a:Z k="v"> text </a:Z></a:X>`
	tests := []struct {
		name string
		doc  string
		same bool
	}{
		{"other prefix",
			`<X xmlns="urn:t" available="true">` +
				`<Timestamp_Label>2014-10-21T19:21:50.895Z</Timestamp_Label>` +
				`<Z k=" v "><![CDATA[text]]></Z></X>`, true},
		{"other text", strings.Replace(base, "text", "texts", 1), false},
		{"other attribute", strings.Replace(base, `k="v"`, `k="w"`, 1), false},
		{"other namespace", strings.Replace(base, `urn:t`, `urn:u`, 1), false},
		{"other instant", strings.Replace(base, "50.895", "50.896", 1), false},
		{"extra child", strings.Replace(base, "</a:X>", "<a:W>1</a:W></a:X>", 1), false},
		{"more true", strings.Replace(base, `more="false"`, `more="true"`, 1), false},
	}
	want := canonical(t, []byte(base))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canonical(t, []byte(tt.doc)); (got == want) != tt.same {
				t.Errorf("same = %v, want %v\n%s\n%s", got == want, tt.same, got, want)
			}
		})
	}
}
