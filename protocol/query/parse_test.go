package query

import (
	"encoding/xml"
	"slices"
	"strings"
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestParseStructure checks the structure of a Default_Query (QRY-2): every
// fault is BAD_MESSAGE, and what the XSD allows is accepted.
func TestParseStructure(t *testing.T) {
	ok := criterion("**/T", core, "exists")
	crit := criterionXML(false, "**/T", core, "exists")
	head := `<tdq:Default_Query xmlns:tdq="` + protocol.NamespaceDefaultQuery + `" `
	tests := []struct {
		name string
		body string
		good bool
	}{
		{"minimal", ok, true},
		{"other prefix", strings.ReplaceAll(ok, "tdq", "q"), true},
		{"undeclared prefix", strings.Replace(ok, "xmlns:tdq", "xmlns:other", 1), false},
		{"default namespace", `<Default_Query xmlns="` + protocol.NamespaceDefaultQuery +
			`" targeting_expression_id="urn:stix.mitre.org:xml:1.2"><Criteria operator="OR">` +
			`<Criterion><Target>**</Target><Test capability_id="` + core +
			`" relationship="exists"/></Criterion></Criteria></Default_Query>`, true},
		{"comments and white space around", "<!-- q -->\n " + ok + "\n<!-- end -->", true},
		{"Criterion before Criteria (AMB-4)", criteria("AND", crit, sub("OR", crit)), true},
		{"nested to the limit", criteria("AND", nest(maxCriteriaDepth-1, crit)), true},
		{"nested beyond the limit", criteria("AND", nest(maxCriteriaDepth, crit)), false},
		{"criterions to the limit", criteria("OR", strings.Repeat(crit, maxCriterions)), true},
		{"criterions beyond the limit", criteria("OR", strings.Repeat(crit, maxCriterions+1)),
			false},
		{"distinct targets beyond the limit", criteria("OR", distinctTargets(maxTargets+1)), false},
		{"distinct targets to the limit", criteria("OR", distinctTargets(maxTargets)), true},
		{"body too large", criteria("OR", crit+"<!--"+strings.Repeat("x", maxBody)+"-->"), false},
		{"empty body", "", false},
		{"not XML", "Default_Query", false},
		{"not well-formed", ok[:len(ok)-5], false},
		{"undefined entity", criterion("**/T", core, "contains", "value", "") + "&x;", false},
		{"DTD", `<!DOCTYPE q>` + ok, false},
		{"foreign namespace", strings.Replace(ok, protocol.NamespaceDefaultQuery, "urn:x", 1),
			false},
		{"other root", `<tdq:Default_Query_Info xmlns:tdq="` + protocol.NamespaceDefaultQuery +
			`"/>`, false},
		{"two queries", ok + ok, false},
		{"no vocabulary", strings.Replace(ok, `targeting_expression_id="urn:stix.mitre.org:xml:1.1.1"`,
			"", 1), false},
		{"no Criteria", head + `targeting_expression_id="urn:stix.mitre.org:xml:1.1.1"/>`, false},
		{"two Criteria", head + `targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">` +
			sub("OR", crit) + sub("OR", crit) + `</tdq:Default_Query>`, false},
		{"operator lower case", criteria("and", crit), false},
		{"operator XOR", criteria("XOR", crit), false},
		{"operator missing", strings.Replace(ok, ` operator="AND"`, "", 1), false},
		{"empty Criteria", criteria("AND"), false},
		{"text in Criteria", criteria("AND", crit, "words"), false},
		{"foreign element in Criteria", criteria("AND", crit, "<x/>"), false},
		{"negate yes", strings.Replace(ok, `negate="false"`, `negate="yes"`, 1), false},
		{"negate 1", strings.Replace(ok, `negate="false"`, `negate="1"`, 1), true},
		{"negate absent", strings.Replace(ok, ` negate="false"`, "", 1), true},
		{"Criterion without Target", criteria("AND", strings.Replace(crit,
			"<tdq:Target>**/T</tdq:Target>", "", 1)), false},
		{"Criterion without Test", criteria("AND", crit[:strings.Index(crit, "<tdq:Test")]+
			"</tdq:Criterion>"), false},
		{"two Targets", strings.Replace(ok, "<tdq:Target>**/T</tdq:Target>",
			"<tdq:Target>**/T</tdq:Target><tdq:Target>**/U</tdq:Target>", 1), false},
		{"Test before Target", criteria("AND", `<tdq:Criterion><tdq:Test capability_id="`+core+
			`" relationship="exists"/><tdq:Target>**</tdq:Target></tdq:Criterion>`), true},
		{"element in Target", strings.Replace(ok, "**/T</tdq:Target>", "**/T<b/></tdq:Target>", 1),
			false},
		{"empty Target", strings.Replace(ok, "**/T</tdq:Target>", "</tdq:Target>", 1), false},
		{"no capability_id", strings.Replace(ok, `capability_id="`+core+`"`, "", 1), false},
		{"no relationship", strings.Replace(ok, `relationship="exists"`, "", 1), false},
		{"Parameter without name", criterion("**/T", core, "contains", "", "x"), false},
		{"element in Parameter", strings.Replace(criterion("**/T", core, "contains", "value", "x"),
			">x<", "><b/><", 1), false},
		{"foreign element in Test", strings.Replace(criterion("**/T", core, "contains", "value",
			"x"), "</tdq:Test>", "<x/></tdq:Test>", 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(defaultQuery(tt.body))
			want := protocol.StatusBadMessage
			if tt.good {
				want = ""
			}
			if got := statusOf(t, err); got != want {
				t.Errorf("got status %q (%v), want %q", got, err, want)
			}
		})
	}
}

func distinctTargets(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(criterionXML(false, "**/T"+strings.Repeat("x", i), core, "exists"))
	}
	return b.String()
}

// TestParseFaultOrder checks which status is reported when a query has
// several faults (AMB-24): BAD_MESSAGE, then the vocabulary, the module and
// the scope.
func TestParseFaultOrder(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PreferredScope, cfg.AllowedScope = []string{"**/@id"}, nil
	badParam := criterionXML(false, "**/@id", core, "contains")
	badModule := criterionXML(false, "**/@id", "urn:example:module", "near")
	outside := criterionXML(false, "**/Title", core, "exists")
	otherVocab := func(body string) string {
		return strings.Replace(body, "urn:stix.mitre.org:xml:1.1.1", "urn:example:vocab", 1)
	}
	tests := []struct {
		name string
		body string
		want protocol.StatusType
	}{
		{"bad parameter before all", otherVocab(criteria("AND", outside, badModule, badParam)),
			protocol.StatusBadMessage},
		{"vocabulary before module", otherVocab(criteria("AND", badModule, outside)),
			protocol.StatusUnsupportedTargetingID},
		{"module before scope", criteria("AND", outside, badModule),
			protocol.StatusUnsupportedCapability},
		{"scope last", criteria("AND", outside), protocol.StatusUnsupportedTargeting},
		{"bad target before scope", criteria("AND", outside,
			criterionXML(false, "/x", core, "exists")), protocol.StatusBadMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := cfg.Parse(defaultQuery(tt.body))
			if got := statusOf(t, err); got != tt.want {
				t.Errorf("got status %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// TestParseFormatID checks the format ID comparison (ST-17, AMB-28).
func TestParseFormatID(t *testing.T) {
	body := []byte(criterion("**/T", core, "exists"))
	tests := []struct {
		name   string
		format string
		want   protocol.StatusType
	}{
		{"default query", protocol.QueryFormatDefault, ""},
		{"white space around", " " + protocol.QueryFormatDefault + "\n", ""},
		{"other case", strings.ToUpper(protocol.QueryFormatDefault), protocol.StatusUnsupportedQuery},
		{"empty", "", protocol.StatusUnsupportedQuery},
		{"unknown", "urn:example:query:unknown-format", protocol.StatusUnsupportedQuery},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(protocol.Query{FormatID: tt.format, Body: body})
			if got := statusOf(t, err); got != tt.want {
				t.Errorf("got status %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// queryInfo is tdq:Default_Query_Info as encoding/xml reads it.
type queryInfo struct {
	XMLName xml.Name `xml:"http://taxii.mitre.org/query/taxii_default_query-1 Default_Query_Info"`
	Infos   []struct {
		ID        string   `xml:"targeting_expression_id,attr"`
		Preferred []string `xml:"http://taxii.mitre.org/query/taxii_default_query-1 Preferred_Scope"`
		Allowed   []string `xml:"http://taxii.mitre.org/query/taxii_default_query-1 Allowed_Scope"`
	} `xml:"http://taxii.mitre.org/query/taxii_default_query-1 Targeting_Expression_Info"`
	Modules []string `xml:"http://taxii.mitre.org/query/taxii_default_query-1 Capability_Module"`
}

// TestSupportedQuery checks the advertisement (QRY-30, QRY-31, AMB-3) and
// that every advertised scope is accepted as a target.
func TestSupportedQuery(t *testing.T) {
	narrow := DefaultConfig()
	narrow.Vocabularies = []string{protocol.BindingSTIX111}
	narrow.PreferredScope = []string{"STIX_Package/STIX_Header/Title"}
	for _, cfg := range []Config{DefaultConfig(), narrow} {
		sq := cfg.SupportedQuery()
		if sq.FormatID != protocol.QueryFormatDefault {
			t.Errorf("format %q", sq.FormatID)
		}
		var info queryInfo
		if err := xml.Unmarshal(sq.Info, &info); err != nil {
			t.Fatalf("%v\n%s", err, sq.Info)
		}
		// One Targeting_Expression_Info, as the schema demands (AMB-3).
		if len(info.Infos) != 1 {
			t.Fatalf("got %d Targeting_Expression_Info, want 1", len(info.Infos))
		}
		if ti := info.Infos[0]; ti.ID != protocol.BindingSTIX111 || !slices.Equal(ti.Preferred, cfg.PreferredScope) ||
			!slices.Equal(ti.Allowed, cfg.AllowedScope) {
			t.Errorf("Targeting_Expression_Info: %+v", ti)
		}
		if !slices.Equal(info.Modules, []string{core, regex, stamp}) {
			t.Errorf("modules %v", info.Modules)
		}
		for _, scope := range slices.Concat(cfg.PreferredScope, cfg.AllowedScope) {
			if _, err := cfg.Parse(defaultQuery(criterion(scope, core, "exists"))); err != nil {
				t.Errorf("advertised scope %q refused: %v", scope, err)
			}
		}
	}
	if got, want := SupportedQuery(), DefaultConfig().SupportedQuery(); string(got.Info) !=
		string(want.Info) {
		t.Error("SupportedQuery differs from the default configuration's")
	}
}
