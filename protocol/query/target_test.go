package query

import (
	"testing"

	"github.com/taxiinode/taxiinode/protocol"
)

// TestParseTarget checks the grammar of targeting expressions (QRY-10,
// QRY-11, AMB-9) and the canonical text of the accepted ones.
func TestParseTarget(t *testing.T) {
	ns := func(prefix string) (string, bool) {
		switch prefix {
		case "stix":
			return "http://stix.mitre.org/stix-1", true
		case "empty":
			return "", true
		}
		return "", false
	}
	tests := []struct {
		name   string
		target string
		want   string // canonical form; "" when refused
	}{
		{"path", "STIX_Package/STIX_Header/Title", "STIX_Package/STIX_Header/Title"},
		{"any", "STIX_Package/*", "STIX_Package/*"},
		{"deep", "STIX_Package/Indicators/**", "STIX_Package/Indicators/**"},
		{"every id", "**/@id", "**/@id"},
		{"everything", "**", "**"},
		{"doubled deep merged", "**/**/Title", "**/Title"},
		{"deep deep at end", "A/**/**", "A/**"},
		{"prefixed element", "stix:STIX_Package/Title",
			"{http://stix.mitre.org/stix-1}STIX_Package/Title"},
		{"prefixed attribute", "**/@xml:lang",
			"**/@{http://www.w3.org/XML/1998/namespace}lang"},
		{"non-ASCII name", "**/Überschrift", "**/Überschrift"},
		{"name with dot and dash", "**/a.b-c_d", "**/a.b-c_d"},
		{"leading slash", "/STIX_Package", ""},
		{"trailing slash", "STIX_Package/", ""},
		{"double slash", "STIX_Package//Title", ""},
		{"empty", "", ""},
		{"attribute not last", "@id/Title", ""},
		{"triple star", "***", ""},
		{"attribute wildcard", "**/@*", ""},
		{"name starts with digit", "**/1abc", ""},
		{"space inside", "STIX Package", ""},
		{"undeclared prefix", "foo:Title", ""},
		{"prefix bound to nothing", "empty:Title", ""},
		{"xmlns prefix", "xmlns:stix", ""},
		{"two colons", "a:b:c", ""},
		{"empty attribute", "**/@", ""},
		{"too long", longTarget(maxSteps + 1), ""},
		{"longest", longTarget(maxSteps), longTarget(maxSteps)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			steps, err := parseTarget(tt.target, ns)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got %q, want refusal", formatTarget(steps))
				}
				if err.Type != protocol.StatusBadMessage {
					t.Errorf("got status %s, want BAD_MESSAGE", err.Type)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := formatTarget(steps); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func longTarget(n int) string {
	s := "a"
	for range n - 1 {
		s += "/a"
	}
	return s
}

// TestCovers checks the scope test of AMB-8: a scope covers a target when it
// selects every node the target can select.
func TestCovers(t *testing.T) {
	tests := []struct {
		name          string
		scope, target string
		want          bool
	}{
		{"everything covers a path", "**", "STIX_Package/STIX_Header/Title", true},
		{"everything covers everything", "**", "**", true},
		{"everything covers attributes", "**", "**/@id", true},
		{"same path", "STIX_Package/STIX_Header/Title", "STIX_Package/STIX_Header/Title", true},
		{"other path", "STIX_Package/STIX_Header/Title", "STIX_Package/STIX_Header/Description",
			false},
		{"below covers child", "STIX_Package/Indicators/**", "STIX_Package/Indicators/Indicator",
			true},
		{"below covers deep attribute", "STIX_Package/Indicators/**",
			"STIX_Package/Indicators/Indicator/**/@id", true},
		{"below does not cover itself", "STIX_Package/Indicators/**", "STIX_Package/Indicators",
			false},
		{"below does not cover anywhere", "STIX_Package/Indicators/**", "**/Indicator", false},
		{"every id covers a path to an id", "**/@id", "STIX_Package/Indicators/Indicator/@id",
			true},
		{"every id covers every id", "**/@id", "**/@id", true},
		{"every id does not cover other attributes", "**/@id", "**/@idref", false},
		{"every id does not cover an element id", "**/@id", "**/id", false},
		{"star covers a name", "STIX_Package/*", "STIX_Package/STIX_Header", true},
		{"star covers an attribute", "STIX_Package/*", "STIX_Package/@version", true},
		{"star covers star", "STIX_Package/*", "STIX_Package/*", true},
		{"star does not cover deep", "STIX_Package/*", "STIX_Package/**", false},
		{"name does not cover star", "STIX_Package/STIX_Header", "STIX_Package/*", false},
		{"deep middle covers direct", "A/**/C", "A/C", true},
		{"deep middle covers deep middle", "A/**/C", "A/**/C", true},
		{"deep middle covers longer", "A/**/C", "A/B/X/C", true},
		{"deep middle does not cover other end", "A/**/C", "A/B/D", false},
		{"star deep does not cover one node", "A/*/**", "A/**", false},
		{"deep covers qualified", "**/Title", "**/{urn:x}Title", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scope, err := parseTarget(tt.scope, nil)
			if err != nil {
				t.Fatal(err)
			}
			target := mustSteps(t, tt.target)
			if got := covers(scope, target); got != tt.want {
				t.Errorf("covers(%q, %q) = %t, want %t", tt.scope, tt.target, got, tt.want)
			}
		})
	}
}

// mustSteps parses a target, reading {uri}local names as qualified.
func mustSteps(t *testing.T, target string) []step {
	t.Helper()
	if len(target) > 3 && target[:3] == "**/" && target[3] == '{' {
		end := 3
		for target[end] != '}' {
			end++
		}
		return []step{{kind: stepDeep},
			{kind: stepElem, qualified: true, space: target[4:end], local: target[end+1:]}}
	}
	steps, err := parseTarget(target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return steps
}

// TestScopeNarrowed checks that a narrowed scope really refuses targets with
// UNSUPPORTED_TARGETING_EXPRESSION (QRY-32) and still accepts covered ones.
func TestScopeNarrowed(t *testing.T) {
	cfg := DefaultConfig()
	cfg.PreferredScope = []string{"STIX_Package/Indicators/Indicator/**"}
	cfg.AllowedScope = []string{"**/@id"}
	tests := []struct {
		name   string
		target string
		want   protocol.StatusType
	}{
		{"inside preferred", "STIX_Package/Indicators/Indicator/Title", ""},
		{"inside allowed", "STIX_Package/@id", ""},
		{"prefixed inside preferred", "s:STIX_Package/s:Indicators/s:Indicator/s:Title", ""},
		{"outside", "**/Title", protocol.StatusUnsupportedTargeting},
		{"everything", "**", protocol.StatusUnsupportedTargeting},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := withNS(criterion(tt.target, core, "exists"), `xmlns:s="urn:s"`)
			_, err := cfg.Parse(defaultQuery(body))
			if got := statusOf(t, err); got != tt.want {
				t.Errorf("got status %q (%v), want %q", got, err, tt.want)
			}
		})
	}
}

// TestConfigValidate checks the configuration checks.
func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		ok     bool
	}{
		{"default", func(*Config) {}, true},
		{"one vocabulary", func(c *Config) { c.Vocabularies = c.Vocabularies[:1] }, true},
		{"no vocabulary", func(c *Config) { c.Vocabularies = nil }, false},
		{"foreign vocabulary", func(c *Config) { c.Vocabularies = []string{"urn:example:v"} },
			false},
		{"no scope", func(c *Config) { c.PreferredScope, c.AllowedScope = nil, nil }, false},
		{"preferred only", func(c *Config) { c.AllowedScope = nil }, true},
		{"bad scope", func(c *Config) { c.AllowedScope = []string{"/x"} }, false},
		{"prefixed scope", func(c *Config) { c.AllowedScope = []string{"stix:x"} }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.modify(&c)
			err := c.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("got %v, want ok %t", err, tt.ok)
			}
		})
	}
}
