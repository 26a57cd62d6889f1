package protocol

import (
	"encoding/json"
	"fmt"
	"strings"
)

// BindingAccepted reports whether a content block of binding b may go
// where the bindings in accepted are acceptable (CB-3, CB-5):
//
//   - An empty list accepts everything.
//   - An entry without subtypes accepts its binding with any subtype, or
//     none.
//   - An entry with subtypes accepts only blocks that claim one of them: a
//     block without a subtype makes no claim (CB-3) and is not accepted
//     by it (case S13: a poll asking for one subtype gets only blocks of
//     that subtype).
//   - A nesting expression "a|b" (CB-4) is accepted when every layer is
//     accepted by an entry without subtypes; it may not carry a subtype.
//
// IDs are compared exactly after trimming XML white space (AMB-28), except
// that the two S/MIME identifiers are the same binding (AMB-30).
// BindingAccepted is safe for concurrent use.
func BindingAccepted(accepted []ContentBinding, b ContentBinding) bool {
	if len(accepted) == 0 {
		return true
	}
	id := trimSpace(b.BindingID)
	if !strings.Contains(id, "|") {
		return layerAccepted(accepted, id, b.Subtypes)
	}
	if len(b.Subtypes) > 0 {
		return false
	}
	for _, layer := range strings.Split(id, "|") {
		if layer = trimSpace(layer); layer == "" || !layerAccepted(accepted, layer, nil) {
			return false
		}
	}
	return true
}

// layerAccepted reports whether some entry accepts the single binding id
// with the subtypes claimed.
func layerAccepted(accepted []ContentBinding, id string, claimed []string) bool {
	id = canonicalBinding(id)
	if id == "" {
		return false
	}
	for _, a := range accepted {
		if canonicalBinding(trimSpace(a.BindingID)) != id {
			continue
		}
		if len(a.Subtypes) == 0 || len(claimed) > 0 && subtypesListed(a.Subtypes, claimed) {
			return true
		}
	}
	return false
}

func subtypesListed(listed, claimed []string) bool {
	for _, c := range claimed {
		found := false
		for _, l := range listed {
			if trimSpace(l) == trimSpace(c) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// canonicalBinding maps the S/MIME identifier libtaxii uses to the one of
// the Content Binding Reference (AMB-30).
func canonicalBinding(id string) string {
	if id == "application/x-pkcs7-mime" {
		return BindingSMIME
	}
	return id
}

// Namespaces whose root elements NewContentBlock recognises.
const (
	namespaceSTIX1  = "http://stix.mitre.org/stix-1"
	namespaceCybox2 = "http://cybox.mitre.org/cybox-2"
)

// stixBindings maps the version attribute of a STIX_Package to its content
// binding (CB-1).
var stixBindings = map[string]string{
	"1.0":   BindingSTIX10,
	"1.0.1": BindingSTIX101,
	"1.1":   BindingSTIX11,
	"1.1.1": BindingSTIX111,
	"1.2":   BindingSTIX12,
	"1.2.1": BindingSTIX121,
}

// sniffXML returns the content binding of a STIX 1.x package or a CybOX
// Observables document from its root element: STIX from the version
// attribute, CybOX from cybox_major, _minor and _update_version. A package
// without a version is refused rather than guessed: a wrong binding would
// send it to consumers that cannot read it.
func sniffXML(local, ns string, attr func(string) string) (string, error) {
	switch {
	case local == "STIX_Package" && ns == namespaceSTIX1:
		v := trimSpace(attr("version"))
		if v == "" {
			return "", fmt.Errorf("%w: STIX_Package without a version attribute; "+
				"name the binding (--binding)", ErrUnknownBinding)
		}
		if b, ok := stixBindings[v]; ok {
			return b, nil
		}
		return "", fmt.Errorf("%w: STIX version %q unknown; name the binding (--binding)",
			ErrUnknownBinding, clip(v, 20))
	case local == "Observables" && ns == namespaceCybox2:
		major := trimSpace(attr("cybox_major_version"))
		minor := trimSpace(attr("cybox_minor_version"))
		update := trimSpace(attr("cybox_update_version"))
		if !allDigits(major) || !allDigits(minor) || update != "" && !allDigits(update) {
			return "", fmt.Errorf("%w: CybOX Observables without a numeric version; "+
				"name the binding (--binding)", ErrUnknownBinding)
		}
		v := major + "." + minor
		if update != "" && update != "0" {
			v += "." + update
		}
		return "urn:cybox.mitre.org:xml:" + v, nil
	}
	return "", fmt.Errorf("%w: XML root element %q is neither STIX 1.x nor CybOX; "+
		"name the binding (--binding)", ErrUnknownBinding, clip(local, 64))
}

// sniffJSON returns the content binding of a STIX 2 bundle or object from
// spec_version: the bundle's (2.0), or else that of its objects (2.1).
func sniffJSON(doc []byte) (string, error) {
	var v struct {
		Type        string `json:"type"`
		SpecVersion string `json:"spec_version"`
		Objects     []struct {
			SpecVersion string `json:"spec_version"`
		} `json:"objects"`
	}
	if err := json.Unmarshal(doc, &v); err != nil || v.Type == "" {
		return "", fmt.Errorf("%w: neither XML nor STIX 2 JSON; name the binding (--binding)",
			ErrUnknownBinding)
	}
	version := v.SpecVersion
	for _, o := range v.Objects {
		if version == "" {
			version = o.SpecVersion
		}
		if o.SpecVersion != "" && o.SpecVersion != version {
			return "", fmt.Errorf("%w: STIX objects of versions %q and %q mixed",
				ErrUnknownBinding, clip(version, 10), clip(o.SpecVersion, 10))
		}
	}
	switch version {
	case "2.0":
		return BindingSTIX20JSON, nil
	case "2.1":
		return BindingSTIX21JSON, nil
	}
	return "", fmt.Errorf("%w: STIX 2 JSON without a known spec_version; "+
		"name the binding (--binding)", ErrUnknownBinding)
}
