package protocol

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedFiles returns every message file of the spec examples and the fault
// cases.
func seedFiles(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, pattern := range []string{
		specDir + "/*.xml", specDir + "/*/*.xml", casesDir + "/*/*.xml", casesDir + "/*/*.http",
		goldenDir + "/*.xml",
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, data)
			if strings.HasSuffix(file, ".http") {
				seeds = append(seeds, httpBody(data))
			}
		}
	}
	if len(seeds) < 100 {
		f.Fatalf("only %d seed files", len(seeds))
	}
	return seeds
}

// FuzzDecode checks that Decode never panics, that every error it returns
// is a BAD_MESSAGE *StatusError, and that any message it accepts encodes
// and decodes again to the same message.
func FuzzDecode(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			var se *StatusError
			if !errors.As(err, &se) || se.Type != StatusBadMessage || se.Err == nil {
				t.Fatalf("error %v (%T) is not a BAD_MESSAGE *StatusError with a cause", err, err)
			}
			return
		}
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		m2, err := Decode(out)
		if err != nil {
			t.Fatalf("encoding does not decode: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("decoded again differently:\n%#v\n%#v", m, m2)
		}
	})
}

// FuzzScanner compares the scanner's verdict with encoding/xml's: whatever
// the scanner accepts, encoding/xml must accept as well, so the scanner is
// at least as strict. (encoding/xml is laxer in places the scanner is
// not: duplicate attributes, undeclared prefixes, DOCTYPE, several roots.)
// Names with characters beyond ASCII are left out of the comparison:
// encoding/xml uses the older name tables of XML 1.0 fourth edition.
func FuzzScanner(f *testing.F) {
	for _, s := range seedFiles(f) {
		f.Add(s)
	}
	for _, s := range []string{`<a b="1">x&amp;y<![CDATA[z]]><!--c--><?p q?></a>`,
		`<a:b xmlns:a="u"/>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		compareWithEncodingXML(t, doc)
	})
}

func compareWithEncodingXML(t *testing.T, doc []byte) {
	t.Helper()
	if !utf8.Valid(doc) {
		return // the scanner relies on toUTF8 having checked this
	}
	mine := wellFormed(doc, false)
	if mine != nil {
		return
	}
	theirs := stdlibVerdict(doc)
	if theirs == nil {
		return
	}
	if nonASCIIName(theirs, doc) {
		return
	}
	t.Fatalf("scanner accepts what encoding/xml refuses (%v):\n%q", theirs, doc)
}

func nonASCIIName(err error, doc []byte) bool {
	msg := err.Error()
	return (strings.Contains(msg, "name") || strings.Contains(msg, "expected")) &&
		bytes.ContainsFunc(doc, func(r rune) bool { return r >= 0x80 })
}

// stdlibVerdict runs encoding/xml over a whole document in strict mode.
func stdlibVerdict(doc []byte) error {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// TestScannerAcceptsGenerated builds random well-formed documents, with
// namespaces, references, CDATA, comments and processing instructions,
// and checks that both the scanner and encoding/xml accept them, so the
// scanner is not stricter than XML.
func TestScannerAcceptsGenerated(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		g := &docGen{rng: rng, b: &b}
		if rng.IntN(2) == 0 {
			b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		}
		g.misc()
		g.element(0, nil)
		g.misc()
		doc := []byte(b.String())
		if err := wellFormed(doc, false); err != nil {
			t.Fatalf("scanner refuses %q: %v", doc, err)
		}
		if err := stdlibVerdict(doc); err != nil && !g.nonASCII {
			t.Fatalf("encoding/xml refuses generated %q: %v", doc, err)
		}
	}
}

// docGen writes one random well-formed document.
type docGen struct {
	rng      *rand.Rand
	b        *strings.Builder
	nonASCII bool
}

var (
	genNames = []string{"a", "B", "_c", "d-1", "e.f", "g9", "stix", "Title", "été", "名前"}
	genTexts = []string{"x", " ", "\n", "&amp;", "&lt;", "&#x1F600;", "&#65;", "é", ">", "'\"",
		"]]", "\t"}
)

func (g *docGen) name() string {
	n := genNames[g.rng.IntN(len(genNames))]
	if n[0] >= 0x80 {
		g.nonASCII = true
	}
	return n
}

func (g *docGen) misc() {
	switch g.rng.IntN(4) {
	case 0:
		g.b.WriteString("<!-- comment - -->")
	case 1:
		g.b.WriteString("<?pi some data?>")
	case 2:
		g.b.WriteString("\n  ")
	}
}

// element writes an element; prefixes lists the prefixes in scope.
func (g *docGen) element(depth int, prefixes []string) {
	if g.rng.IntN(3) == 0 {
		p := "p" + string(rune('a'+g.rng.IntN(3)))
		prefixes = append(prefixes[:len(prefixes):len(prefixes)], p)
		g.open(p+":"+g.name(), prefixes, ` xmlns:`+p+`="urn:`+p+`"`, depth)
		return
	}
	g.open(g.name(), prefixes, "", depth)
}

func (g *docGen) open(name string, prefixes []string, decl string, depth int) {
	g.b.WriteString("<" + name + decl)
	used := map[string]bool{}
	for k := g.rng.IntN(4); k > 0; k-- {
		an := g.name()
		if len(prefixes) > 0 && g.rng.IntN(3) == 0 {
			an = prefixes[g.rng.IntN(len(prefixes))] + ":" + an
		}
		if used[an] || strings.HasPrefix(an, "xml") {
			continue
		}
		used[an] = true
		q := `"`
		if g.rng.IntN(2) == 0 {
			q = `'`
		}
		v := genTexts[g.rng.IntN(len(genTexts))]
		if strings.Contains(v, q) || v == "]]" {
			v = "v"
		}
		g.b.WriteString(" " + an + "=" + q + v + q)
	}
	if depth > 5 || g.rng.IntN(4) == 0 {
		g.b.WriteString("/>")
		return
	}
	g.b.WriteString(">")
	for k := g.rng.IntN(5); k > 0; k-- {
		switch g.rng.IntN(6) {
		case 0, 1:
			g.element(depth+1, prefixes)
		case 2:
			t := genTexts[g.rng.IntN(len(genTexts))]
			if t == "]]" {
				t = "]"
			}
			g.b.WriteString(t)
		case 3:
			g.b.WriteString("<![CDATA[<&]]]>")
		default:
			g.misc()
		}
	}
	g.b.WriteString("</" + name + ">")
}
