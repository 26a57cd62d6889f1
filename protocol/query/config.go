package query

import (
	"bytes"
	"encoding/xml"
	"slices"

	"github.com/taxiinode/taxiinode/protocol"
)

// stixVocabularies are the targeting expression vocabularies this package
// evaluates: the STIX 1.x XML vocabularies, named by their content binding
// IDs (QRY-11).
var stixVocabularies = []string{
	protocol.BindingSTIX10,
	protocol.BindingSTIX101,
	protocol.BindingSTIX11,
	protocol.BindingSTIX111,
	protocol.BindingSTIX12,
	protocol.BindingSTIX121,
}

// capabilityModules are the capability modules this package implements
// (QRY-20 to QRY-22).
var capabilityModules = []string{
	protocol.CapabilityCore,
	protocol.CapabilityRegex,
	protocol.CapabilityTimestamp,
}

// Config says which vocabularies and targets a service accepts. The zero
// value accepts nothing; start from DefaultConfig.
type Config struct {
	// Vocabularies are the targeting expression vocabulary IDs accepted and
	// advertised, a subset of the STIX 1.x XML content binding IDs.
	Vocabularies []string
	// PreferredScope and AllowedScope are the targeting expressions
	// advertised as scopes (QRY-31). A target is accepted when one of them
	// covers every node it can select (AMB-8). Scope expressions use no
	// prefixes.
	PreferredScope []string
	AllowedScope   []string
	// Advertised is the one vocabulary SupportedQuery names. The XML
	// binding's schema admits a single Targeting_Expression_Info (AMB-3),
	// and every STIX 1.x vocabulary is evaluated alike, so advertising one
	// keeps Discovery Responses schema-valid while Parse still accepts
	// them all. Empty means the first of Vocabularies.
	Advertised string
}

// DefaultConfig returns the configuration of Parse and SupportedQuery: every
// STIX 1.x XML vocabulary, a few preferred scopes and "**" as allowed scope.
func DefaultConfig() Config {
	return Config{
		Vocabularies: slices.Clone(stixVocabularies),
		PreferredScope: []string{
			"STIX_Package/STIX_Header/**",
			"STIX_Package/Indicators/Indicator/**",
			"**/@id",
			"**/Description",
			"**/Simple_Hash_Value",
		},
		AllowedScope: []string{"**"},
		Advertised:   protocol.BindingSTIX111,
	}
}

// Validate checks that every vocabulary is a supported one and that the
// scopes are valid expressions, at least one of them (QRY-30). Its errors
// wrap ErrConfig.
func (c Config) Validate() error {
	if len(c.Vocabularies) == 0 {
		return configError("no targeting expression vocabulary")
	}
	for _, v := range c.Vocabularies {
		if !slices.Contains(stixVocabularies, v) {
			return configError("vocabulary %q is not supported", v)
		}
	}
	if len(c.PreferredScope)+len(c.AllowedScope) == 0 {
		return configError("no preferred or allowed scope")
	}
	for _, s := range slices.Concat(c.PreferredScope, c.AllowedScope) {
		if _, err := parseTarget(s, nil); err != nil {
			return configError("scope %q: %s", s, err.Message)
		}
	}
	return nil
}

// scopes returns the parsed scope expressions; invalid ones, which Validate
// reports, cover nothing.
func (c Config) scopes() [][]step {
	var out [][]step
	for _, s := range slices.Concat(c.PreferredScope, c.AllowedScope) {
		if steps, err := parseTarget(s, nil); err == nil {
			out = append(out, steps)
		}
	}
	return out
}

// SupportedQuery returns the Supported_Query a Poll or Collection Management
// service instance advertises (QRY-30): the Default Query format with a
// tdq:Default_Query_Info holding the Targeting_Expression_Info of the
// advertised vocabulary and the three capability modules. It names one
// vocabulary because the XSD admits one (AMB-3); a query in any of
// Vocabularies is still accepted, and one in another vocabulary is refused
// with all of them in its status details.
func (c Config) SupportedQuery() protocol.SupportedQuery {
	var b bytes.Buffer
	b.WriteString(`<tdq:Default_Query_Info xmlns:tdq="` + protocol.NamespaceDefaultQuery + `">`)
	v := c.Advertised
	if v == "" && len(c.Vocabularies) > 0 {
		v = c.Vocabularies[0]
	}
	b.WriteString(`<tdq:Targeting_Expression_Info targeting_expression_id="`)
	escape(&b, v)
	b.WriteString(`">`)
	element(&b, "Preferred_Scope", c.PreferredScope)
	element(&b, "Allowed_Scope", c.AllowedScope)
	b.WriteString(`</tdq:Targeting_Expression_Info>`)
	element(&b, "Capability_Module", capabilityModules)
	b.WriteString(`</tdq:Default_Query_Info>`)
	return protocol.SupportedQuery{
		FormatID: protocol.QueryFormatDefault,
		Info:     protocol.InnerXML(b.Bytes()),
	}
}

// SupportedQuery returns DefaultConfig().SupportedQuery().
func SupportedQuery() protocol.SupportedQuery {
	return DefaultConfig().SupportedQuery()
}

// element writes one tdq element per value.
func element(b *bytes.Buffer, name string, values []string) {
	for _, v := range values {
		b.WriteString("<tdq:" + name + ">")
		escape(b, v)
		b.WriteString("</tdq:" + name + ">")
	}
}

func escape(b *bytes.Buffer, s string) {
	// Writing to a bytes.Buffer cannot fail.
	_ = xml.EscapeText(b, []byte(s))
}

// covers reports whether the scope expression s selects every node the
// target t can select (AMB-8). It compares the two expressions node by node:
// a scope "**" covers any run of target nodes (at least one when it is the
// last node), a scope "*" covers one target name or "*", and a scope name
// covers the same target name (an unprefixed scope name covers the name in
// every namespace). The test is sound but not complete: a target covered
// only by several scopes together is refused.
func covers(s, t []step) bool {
	memo := make([]int8, (len(s)+1)*(len(t)+1))
	var cover func(i, j int) bool
	cover = func(i, j int) bool {
		k := i*(len(t)+1) + j
		if memo[k] != 0 {
			return memo[k] > 0
		}
		ok := coverStep(s, t, i, j, cover)
		memo[k] = -1
		if ok {
			memo[k] = 1
		}
		return ok
	}
	return cover(0, 0)
}

// coverStep decides cover(i, j) for covers from the nodes s[i] and t[j].
func coverStep(s, t []step, i, j int, cover func(i, j int) bool) bool {
	switch {
	case i == len(s):
		return j == len(t)
	case s[i].kind == stepDeep && i == len(s)-1:
		return j < len(t)
	case s[i].kind == stepDeep:
		return cover(i+1, j) || (j < len(t) && cover(i, j+1))
	case j == len(t):
		return false
	}
	a, b := s[i], t[j]
	switch a.kind {
	case stepAny:
		return b.kind != stepDeep && cover(i+1, j+1)
	case stepElem, stepAttr:
		same := a.kind == b.kind && a.local == b.local &&
			(!a.qualified || (b.qualified && a.space == b.space))
		return same && cover(i+1, j+1)
	}
	return false
}
