package protocol

import (
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Schema files for xmllint, inside the repository.
const (
	validateDir = specDir + "/_validate"
	schema11    = validateDir + "/taxii11-with-default-query.xsd"
	schema10    = "testdata/spec/schemas/TAXII_XMLMessageBinding_Schema_1.0.xsd"
)

// TestSchemaValidation validates what the encoder produces against the
// official schemas with xmllint (XML-5: senders must produce conforming
// messages): one message of every type with every optional field in both
// bindings, and every example message re-encoded. The 1.1 schema is
// loaded with the Default Query schema, so queries are checked too. The
// test is skipped without xmllint unless TAXIINODE_REQUIRE_XMLLINT=1.
func TestSchemaValidation(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("TAXIINODE_REQUIRE_XMLLINT") == "1" {
			t.Fatal("xmllint not found and TAXIINODE_REQUIRE_XMLLINT=1")
		}
		t.Skip("xmllint not installed")
	}
	catalog, err := filepath.Abs(validateDir + "/catalog.xml")
	if err != nil {
		t.Fatal(err)
	}
	checkCatalog(t, catalog)

	dir11, dir10 := t.TempDir(), t.TempDir()
	write := func(dir, name string, m Message) {
		t.Helper()
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".xml"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ms := fullMessages()
	for name, m := range ms {
		if m.Head().Version == V10 {
			write(dir10, name, m)
		} else {
			write(dir11, name, m)
		}
	}
	for _, pattern := range []string{specDir + "/*.xml", specDir + "/taxii-1.0/*.xml"} {
		for _, f := range glob(t, pattern) {
			m, err := Decode(readFile(t, f))
			if err != nil {
				t.Fatal(err)
			}
			dir := dir11
			if m.Head().Version == V10 {
				dir = dir10
			}
			write(dir, "spec."+strings.TrimSuffix(filepath.Base(f), ".xml"), m)
		}
	}
	for _, run := range []struct{ schema, dir string }{{schema11, dir11}, {schema10, dir10}} {
		if err := runXMLLint(xmllint, catalog, run.schema, run.dir); err != nil {
			t.Error(err)
		}
	}
	// The check can fail: children out of schema order are reported.
	bad := t.TempDir()
	doc := `<t:Status_Message xmlns:t="` + NamespaceXML11 + `" message_id="1" in_response_to="2" ` +
		`status_type="FAILURE"><t:Message>m</t:Message><t:Status_Detail>` +
		`<t:Detail name="n">v</t:Detail>` +
		`</t:Status_Detail></t:Status_Message>`
	if err := os.WriteFile(filepath.Join(bad, "bad.xml"), []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if runXMLLint(xmllint, catalog, schema11, bad) == nil {
		t.Error("xmllint accepted a message with children out of order")
	}
}

// runXMLLint validates every file of dir against schema in one run.
func runXMLLint(xmllint, catalog, schema, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no files to validate in %s (%v)", dir, err)
	}
	cmd := exec.Command(xmllint, append([]string{"--nonet", "--noout", "--schema", schema},
		files...)...)
	cmd.Env = append(os.Environ(), "XML_CATALOG_FILES="+catalog)
	out, err := cmd.CombinedOutput()
	if n := strings.Count(string(out), " validates"); err != nil || n != len(files) {
		return fmt.Errorf("%d of %d files validate against %s (%v):\n%s", n, len(files), schema,
			err, out)
	}
	return nil
}

// checkCatalog checks that every local path of the XML catalog exists, so
// that validation never reaches for the network.
func checkCatalog(t *testing.T, catalog string) {
	t.Helper()
	var c struct {
		Entries []struct {
			URI string `xml:"uri,attr"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(readFile(t, catalog), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) == 0 {
		t.Fatal("catalog has no entries")
	}
	for _, e := range c.Entries {
		p := filepath.Join(filepath.Dir(catalog), e.URI)
		if _, err := os.Stat(p); err != nil {
			t.Errorf("catalog entry %s does not resolve: %v", e.URI, err)
		}
	}
}
